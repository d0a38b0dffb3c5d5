// Policies, API: what a login simulation in the browser needs besides the draft: the space tree,
// the roles, and the organization's login policy sets with their policies' Rego text.
import { allPages } from "../../../shared/api/all-pages";
import { api, currentOrganization, ok } from "../../../shared/api/api-client";
import { downloadPolicySource } from "./policies";

/** A login policy set with its policies' text. */
export interface LoginSetSource {
  readonly id: string;
  readonly name: string;
  readonly global: boolean;
  readonly spaceIds: readonly string[];
  readonly policies: readonly { readonly id: string; readonly name: string; readonly source: string }[];
}

/** The organization's spaces, roles and login policy sets. */
export interface LoginContext {
  readonly spaces: readonly {
    readonly id: string;
    readonly name: string;
    readonly parentId: string | null;
  }[];
  readonly roles: readonly {
    readonly id: string;
    readonly name: string;
    readonly permissions: readonly string[];
    readonly principalKinds: readonly string[] | null;
  }[];
  readonly sets: readonly LoginSetSource[];
}

/** Loads the login context of the current organization. */
export async function loadLoginContext(): Promise<LoginContext> {
  const org = currentOrganization();
  const page = (n: number) => ({ "page[number]": n, "page[size]": 100 });
  const [spaces, roles, sets, policies] = await Promise.all([
    allPages((n) =>
      ok(api.GET("/api/v2/organizations/{org}/spaces", { params: { path: { org }, query: page(n) } })),
    ),
    allPages((n) =>
      ok(api.GET("/api/v2/organizations/{org}/roles", { params: { path: { org }, query: page(n) } })),
    ),
    allPages((n) =>
      ok(api.GET("/api/v2/organizations/{org}/policy-sets", { params: { path: { org }, query: page(n) } })),
    ),
    allPages((n) =>
      ok(api.GET("/api/v2/organizations/{org}/policies", { params: { path: { org }, query: page(n) } })),
    ),
  ]);
  const names = new Map(policies.map((p) => [p.id, p.attributes.name]));
  const loginSets = sets.filter((s) => s.attributes["entity-types"].includes("login"));
  const sources = new Map<string, Promise<string>>();
  for (const set of loginSets)
    for (const p of set.relationships.policies.data)
      if (!sources.has(p.id)) sources.set(p.id, downloadPolicySource(p.id));
  return {
    spaces: spaces.map((s) => ({
      id: s.id,
      name: s.attributes.name,
      parentId: s.relationships.parent.data?.id ?? null,
    })),
    roles: roles.map((r) => ({
      id: r.id,
      name: r.attributes.name,
      permissions: r.attributes.permissions,
      principalKinds: r.attributes["principal-kinds"],
    })),
    sets: await Promise.all(
      loginSets.map(async (s) => ({
        id: s.id,
        name: s.attributes.name,
        global: s.attributes.global,
        spaceIds: s.relationships.spaces.data.map((sp) => sp.id),
        policies: await Promise.all(
          s.relationships.policies.data.map(async (p) => ({
            id: p.id,
            name: names.get(p.id) ?? p.id,
            source: await (sources.get(p.id) ?? Promise.resolve("")),
          })),
        ),
      })),
    ),
  };
}
