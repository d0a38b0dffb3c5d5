// Policies, Rego: a login decision in the browser, with the same rules as the server
// (@keygate/server/login-decision: deny wins, admission by the sets that apply to the caller,
// roles by space within each set's scope), over the organization's login policy sets with the
// draft in place of the policy it replaces (or in a global set of its own when it is new).
import {
  buildSpaceTree,
  combineLoginResults,
  failedLoginPolicyResult,
  type LoginDecision,
  type LoginPolicySetInfo,
  type LoginResolver,
  type LoginRole,
  loginPolicyResultOf,
} from "@keygate/server/login-decision";
import type { LoginContext } from "../api/login-context";
import { type CompiledDraft, compileDraft } from "./browser-rego";
import type { DraftOutcome } from "./draft-outcome";

/** A login policy ready to evaluate (or the reason it cannot be). */
interface ReadyPolicy {
  readonly policyId: string;
  readonly policyName: string;
  readonly compiled: CompiledDraft | { readonly error: string };
}

/** The sets, each with its policies compiled. */
export interface LoginSetup {
  readonly sets: readonly { readonly info: LoginPolicySetInfo; readonly policies: readonly ReadyPolicy[] }[];
  readonly tree: LoginResolver["tree"];
  readonly roles: ReadonlyMap<string, LoginRole>;
  readonly spaceNames: ReadonlyMap<string, string>;
}

async function ready(policyId: string, policyName: string, source: string): Promise<ReadyPolicy> {
  if (source === "") return { policyId, policyName, compiled: { error: "no Rego text uploaded" } };
  const result = await compileDraft(policyName, source, null);
  return {
    policyId,
    policyName,
    compiled: result.ok ? result.draft : { error: result.problems.map((p) => p.message).join("; ") },
  };
}

/** Compiles the organization's login sets, with `draft` replacing `replaces` (or added globally). */
export async function loginSetup(
  context: LoginContext,
  organization: string,
  draft?: { readonly name: string; readonly source: string; readonly replaces: string | undefined },
): Promise<LoginSetup> {
  let placed = false;
  const sets = await Promise.all(
    context.sets.map(async (set) => ({
      info: { id: set.id, name: set.name, global: set.global, spaceIds: set.spaceIds },
      policies: await Promise.all(
        set.policies.map((p) => {
          if (draft !== undefined && p.id === draft.replaces) {
            placed = true;
            return ready(p.id, p.name, draft.source);
          }
          return ready(p.id, p.name, p.source);
        }),
      ),
    })),
  );
  if (draft !== undefined && !placed)
    sets.push({
      info: { id: "draft", name: "draft (global)", global: true, spaceIds: [] },
      policies: [await ready(draft.replaces ?? "draft", draft.name || "draft", draft.source)],
    });
  const roles = new Map<string, LoginRole>();
  for (const r of context.roles) {
    const role = {
      id: r.id,
      name: r.name,
      permissions: r.permissions,
      principalKinds: r.principalKinds,
    } as unknown as LoginRole;
    roles.set(r.id, role);
    roles.set(r.name, role);
  }
  return {
    sets,
    tree: buildSpaceTree(organization, context.spaces),
    roles,
    spaceNames: new Map(context.spaces.map((s) => [s.id, s.name])),
  };
}

function packageDocument(packagePath: string): string {
  return `data${packagePath
    .split(".")
    .map((s) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`))
    .join("")}`;
}

/** Decides one login input over the setup, as the server would. */
export function decideLoginInBrowser(setup: LoginSetup, input: unknown): LoginDecision {
  const kind = (input as { session?: { kind?: unknown } } | null)?.session?.kind;
  const resolver: LoginResolver = {
    tree: setup.tree,
    roles: setup.roles,
    principalKind: kind === "service-account" ? "service-account" : "user",
  };
  const evaluated = setup.sets.map(({ info, policies }) => ({
    set: info,
    results: policies.map((p) => {
      const compiled = p.compiled;
      if ("error" in compiled)
        return failedLoginPolicyResult(
          info,
          { policyId: p.policyId, policyName: p.policyName, definesAllow: false },
          compiled.error,
        );
      const policy = {
        policyId: p.policyId,
        policyName: p.policyName,
        definesAllow: compiled.rules.has("allow"),
      };
      try {
        return loginPolicyResultOf(
          info,
          policy,
          compiled.evaluate(packageDocument(compiled.packagePath), input),
        );
      } catch (error) {
        return failedLoginPolicyResult(info, policy, error instanceof Error ? error.message : String(error));
      }
    }),
  }));
  return combineLoginResults(evaluated, input, resolver);
}

/** A login decision as the simulation shows it (roles as `space/role` names). */
export function loginOutcome(setup: LoginSetup, decision: LoginDecision): DraftOutcome {
  const roles = [
    ...new Set(decision.grants.map((g) => `${setup.spaceNames.get(g.spaceId) ?? g.spaceId}/${g.roleName}`)),
  ].sort();
  return {
    outcome:
      decision.errors.length > 0 && decision.refusal === "error"
        ? "error"
        : decision.denied
          ? "denied"
          : "allowed",
    messages: [...decision.denyMessages, ...decision.errors],
    roles,
  };
}
