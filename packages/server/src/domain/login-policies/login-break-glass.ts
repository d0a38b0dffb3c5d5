// Domain layer, login policies: the owners' break-glass. A login policy that errors, admits no one
// or is throttled must not lock an organization out: its owners (principals bound to `admin` at the
// root space, directly or through a team) keep their own bindings on the endpoints that repair
// policies (policies, policy sets, policy evaluations, samples and simulations, audit events);
// every such use is audited with the reason. Everything else stays refused, and an explicit `deny`
// refuses owners too (deny always wins).
import type { EffectiveAccess } from "../access/effective-access.js";
import type { SpaceTree } from "../spaces/space.js";

/** The built-in role whose holders at the root space are the organization's owners. */
const OWNER_ROLE_ID = "role-admin";

/** The request an authenticated caller makes: method and path (as sent, under /api/v2). */
export interface RequestRoute {
  readonly method: string;
  readonly url: string;
}

// Paths under /api/v2 a locked-out owner needs to see and repair login policies.
const REPAIR_PATHS = [
  /^\/policies(?:\/[^/]+(?:\/(?:upload|download|relationships\/[a-z-]+))?)?$/,
  /^\/policy-sets(?:\/[^/]+(?:\/relationships\/[a-z-]+)?)?$/,
  /^\/policy-evaluations(?:\/[^/]+)?$/,
  /^\/audit-events(?:\/[^/]+)?$/,
  /^\/organizations\/[^/]+\/(?:policies|policy-sets|policy-evaluations|policy-samples|policy-simulations|audit-events)$/,
];

/** True when the route is one of the endpoints needed to repair policies. */
export function isRepairRoute(route: RequestRoute): boolean {
  const path = route.url.split("?")[0] ?? "";
  const local = path.startsWith("/api/v2/") ? path.slice("/api/v2".length) : path;
  return REPAIR_PATHS.some((p) => p.test(local));
}

/** The root space of a tree (the one without a parent). */
export function rootSpaceId(tree: SpaceTree): string | undefined {
  for (const space of tree.spaces.values()) if (space.parentId === null) return space.id;
  return undefined;
}

/** True when the access (bindings only, not login-policy roles) holds `admin` at the root space. */
export function isOwner(access: EffectiveAccess, tree: SpaceTree): boolean {
  const root = rootSpaceId(tree);
  return access.grants.some(
    (g) => g.roleId === OWNER_ROLE_ID && g.spaceId === root && g.reason.kind !== "login-policy",
  );
}
