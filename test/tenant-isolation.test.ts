// End-to-end: tenant isolation. The endpoint list comes from the OpenAPI document of the server under
// test, which lists every route under /api/v2 as it is registered. Organization acme holds one of
// every resource type (spaces, users, service accounts, teams with members, roles, role bindings,
// API keys, tokens, policies, policy sets with policies and spaces attached, a policy evaluation from
// a governed save, delegate tokens, a connected delegate, audit events). Every operation of every
// path is then called with globex's admin token: with acme's ids in the path ({id}) or acme's name
// ({org}), it must answer 404 (never 403, never 2xx), show none of acme's data, and change nothing.
// An operation whose path parameters this suite cannot fill with a real acme value fails the test,
// so a new route cannot slip past; the few operations that are not tenant-scoped are listed with a
// reason, and checked not to show acme's data either. On SQLite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./support/api-session.js";
import { type DelegateAgent, startDelegateAgent } from "./support/delegate-agent.js";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { type JsonSchema, minimalValue } from "./support/minimal-body.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";

interface Operation {
  readonly parameters?: readonly { name: string; in: string; required: boolean; schema: JsonSchema }[];
  readonly requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

/** Operations that name no tenant resource, each with why; all are still checked not to show acme's data. */
const NOT_TENANT_SCOPED: Readonly<Record<string, string>> = {
  "GET /api/v2/organizations": "lists the caller's own organizations (checked below: never acme for globex)",
  "GET /api/v2/account/details": "the caller itself, from its own credential",
  "GET /api/v2/account/effective-access": "the caller's own roles, from its own credential",
  "GET /api/v2/account/api-keys": "the caller's own personal API keys",
  "POST /api/v2/account/api-keys": "creates a personal API key for the caller, in the caller's organization",
};

/** Every acme name contains this, so a response showing acme's data is easy to spot. */
const MARK = "acme-private";

/** Attributes that change by themselves (flushes, heartbeats), left out of the before/after comparison. */
const VOLATILE = new Set(["last-used-at", "last-heartbeat-at"]);

/** The required query parameters with a minimal value each, so the request is well formed. */
function requiredQuery(operation: Operation): string {
  const query = new URLSearchParams();
  for (const p of operation.parameters ?? []) {
    if (p.in === "query" && p.required) query.set(p.name, String(minimalValue(p.schema)));
  }
  const text = query.toString();
  return text === "" ? "" : `?${text}`;
}

/** A response: its status and its body as text (JSON documents, or a policy's Rego text). */
interface RawResponse {
  readonly status: number;
  readonly text: string;
}

/** Sends a request with a JSON:API body, a raw text body (the policy upload takes Rego) or none. */
async function send(
  server: string,
  token: string,
  method: string,
  path: string,
  body?: { json: unknown } | { text: string },
): Promise<RawResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  let payload: string | undefined;
  if (body !== undefined && "json" in body && body.json !== undefined) {
    headers["content-type"] = "application/vnd.api+json";
    payload = JSON.stringify(body.json);
  } else if (body !== undefined && "text" in body) {
    headers["content-type"] = "application/octet-stream";
    payload = body.text;
  }
  const response = await fetch(`${server}/api/v2${path}`, {
    method,
    headers,
    ...(payload ? { body: payload } : {}),
  });
  return { status: response.status, text: await response.text() };
}

/** A JSON document with the volatile attributes dropped (other text as it is). */
function stable(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), (key, value) => (VOLATILE.has(key) ? undefined : value));
  } catch {
    return text;
  }
}

const POLICY_SOURCE = `package ${MARK.replace("-", "_")}
import rego.v1
deny contains msg if {
  input.token.name == "forbidden"
  msg := "${MARK}: forbidden token name"
}
`;

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`tenant isolation on ${dialect}`, () => {
    let location: StoreLocation;
    let server: KeygateServer;
    let agent: DelegateAgent | undefined;
    let acme: string;
    let globex: string;
    /** One acme id per collection, as the first path segment names it (`/policies/{id}` → policies). */
    const ids: Record<string, string> = {};
    /** acme ids that are not the path's own, used in bodies (a second space, policy and user). */
    const spare: Record<string, string> = {};

    beforeAll(async () => {
      location = await freshStore(dialect);
      const a = await runKeygate(["init", "--org", "acme", "--json", ...location.args], location.env);
      const g = await runKeygate(["init", "--org", "globex", "--json", ...location.args], location.env);
      expect(a.code, a.stderr).toBe(0);
      expect(g.code, g.stderr).toBe(0);
      acme = JSON.parse(a.stdout).adminToken;
      globex = JSON.parse(g.stdout).adminToken;
      server = await startKeygate(location.args, location.env);
      const create = async (path: string, body: unknown, status = 201): Promise<string> => {
        const response = await api(server.url, acme, "POST", path, body);
        expect(response.status, `POST ${path}: ${JSON.stringify(response.body)}`).toBe(status);
        return response.body.data.id;
      };
      const named = (type: string, name: string, extra: Record<string, unknown> = {}) => ({
        data: { type, attributes: { name: `${MARK}-${name}`, ...extra } },
      });
      const ref = (type: string, id: string) => ({ data: { id, type } });

      ids.spaces = await create("/organizations/acme/spaces", named("spaces", "space"));
      spare.space = await create("/organizations/acme/spaces", named("spaces", "space-2"));
      ids["service-accounts"] = await create("/organizations/acme/service-accounts", {
        data: {
          ...named("service-accounts", "bot").data,
          relationships: { space: ref("spaces", ids.spaces) },
        },
      });
      ids["api-keys"] = await create(
        `/service-accounts/${ids["service-accounts"]}/api-keys`,
        named("api-keys", "key"),
      );
      ids.users = await create("/organizations/acme/users", named("users", "user"));
      spare.user = await create("/organizations/acme/users", named("users", "user-2"));
      ids.teams = await create("/organizations/acme/teams", named("teams", "team"));
      const members = await api(server.url, acme, "POST", `/teams/${ids.teams}/relationships/members`, {
        data: [{ id: ids.users, type: "users" }],
      });
      expect(members.status, JSON.stringify(members.body)).toBe(204);
      ids.roles = await create(
        "/organizations/acme/roles",
        named("roles", "role", { permissions: ["spaces.read"] }),
      );
      ids["role-bindings"] = await create("/organizations/acme/role-bindings", {
        data: {
          type: "role-bindings",
          relationships: { role: ref("roles", ids.roles), subject: ref("users", ids.users) },
        },
      });

      // Governance: two policies, a set with one policy and one space attached, and a governed save
      // in that space, which leaves a policy evaluation.
      ids.policies = await create(
        "/organizations/acme/policies",
        named("policies", "policy", { kind: "opa", "enforcement-level": "mandatory" }),
        200,
      );
      spare.policy = await create(
        "/organizations/acme/policies",
        named("policies", "policy-2", { kind: "opa", "enforcement-level": "advisory" }),
        200,
      );
      for (const id of [ids.policies, spare.policy]) {
        const uploaded = await send(server.url, acme, "PUT", `/policies/${id}/upload`, {
          text: POLICY_SOURCE,
        });
        expect(uploaded.status, uploaded.text).toBe(200);
      }
      ids["policy-sets"] = await create("/organizations/acme/policy-sets", {
        data: {
          type: "policy-sets",
          attributes: { name: `${MARK}-set`, global: false, "entity-types": ["token"], events: ["onSave"] },
          relationships: {
            policies: { data: [{ id: ids.policies, type: "policies" }] },
            spaces: { data: [{ id: ids.spaces, type: "spaces" }] },
          },
        },
      });
      const governed = await api(
        server.url,
        acme,
        "POST",
        `/api-keys/${ids["api-keys"]}/tokens`,
        named("tokens", "token"),
      );
      expect(governed.status, JSON.stringify(governed.body)).toBe(201);
      ids.tokens = governed.body.data.id;
      ids["policy-evaluations"] = governed.body.meta["policy-evaluation-id"];
      expect(ids["policy-evaluations"]).toMatch(/^polevl-/);

      // Delegates: a token of acme's and a real agent connected with it for the whole test.
      const delegateToken = await api(
        server.url,
        acme,
        "POST",
        "/organizations/acme/delegate-tokens",
        named("delegate-tokens", "delegate-token"),
      );
      expect(delegateToken.status, JSON.stringify(delegateToken.body)).toBe(201);
      ids["delegate-tokens"] = delegateToken.body.data.id;
      agent = await startDelegateAgent(
        server.url,
        delegateToken.body.data.attributes.token,
        `${MARK}-runner`,
      );
      const delegates = await api(
        server.url,
        acme,
        "GET",
        `/delegate-tokens/${ids["delegate-tokens"]}/delegates`,
      );
      expect(delegates.status).toBe(200);
      ids.delegates = delegates.body.data[0]?.id;

      const audit = await api(server.url, acme, "GET", "/organizations/acme/audit-events?page[size]=1");
      expect(audit.status).toBe(200);
      ids["audit-events"] = audit.body.data[0]?.id;

      for (const [type, id] of Object.entries(ids)) expect(id, type).toBeTruthy();
    }, 90_000);

    afterAll(async () => {
      await agent?.stop();
      await server?.stop();
      await location?.dispose();
    });

    /** The body of a probe: for relationship endpoints real acme ids (so a missing check would act); else the smallest valid body. */
    function bodyOf(key: string, operation: Operation): unknown {
      switch (key) {
        case "POST /api/v2/teams/{id}/relationships/members":
          return { data: [{ id: spare.user, type: "users" }] };
        case "DELETE /api/v2/teams/{id}/relationships/members":
          return { data: [{ id: ids.users, type: "users" }] };
        case "POST /api/v2/policy-sets/{id}/relationships/policies":
          return { data: [{ id: spare.policy, type: "policies" }] };
        case "DELETE /api/v2/policy-sets/{id}/relationships/policies":
          return { data: [{ id: ids.policies, type: "policies" }] };
        case "POST /api/v2/policy-sets/{id}/relationships/spaces":
          return { data: [{ id: spare.space, type: "spaces" }] };
        case "DELETE /api/v2/policy-sets/{id}/relationships/spaces":
          return { data: [{ id: ids.spaces, type: "spaces" }] };
        default: {
          const schema = operation.requestBody?.content["application/vnd.api+json"]?.schema;
          return schema ? minimalValue(schema) : undefined;
        }
      }
    }

    /** What acme itself sees on every GET that names one of its resources (to prove nothing changed). */
    async function acmeView(paths: Record<string, Record<string, Operation>>): Promise<Map<string, string>> {
      const view = new Map<string, string>();
      for (const [template, operations] of Object.entries(paths)) {
        const operation = operations.get;
        const path = fill(template);
        if (operation === undefined || path === undefined || path === template.replace(/^\/api\/v2/, ""))
          continue;
        const response = await send(server.url, acme, "GET", `${path}${requiredQuery(operation)}`);
        view.set(template, `${response.status} ${stable(response.text)}`);
      }
      return view;
    }

    /** The template with acme's values in its path parameters; undefined when one has no value here. */
    function fill(template: string): string | undefined {
      const collection = /^\/api\/v2\/([a-z-]+)\//.exec(template)?.[1] ?? "";
      let unresolved = false;
      const path = template
        .replace(/^\/api\/v2/, "")
        .replace(/\{([A-Za-z0-9_]+)\}/g, (_all, name: string) => {
          const value =
            name === "org" && collection === "organizations"
              ? "acme"
              : name === "id"
                ? ids[collection]
                : undefined;
          if (value === undefined) unresolved = true;
          return value ?? "";
        });
      return unresolved ? undefined : path;
    }

    it("answers 404 on every endpoint for another organization's resources, shows none of them, and changes nothing", async () => {
      const doc = await (await fetch(`${server.url}/api/v2/openapi.json`)).json();
      const paths = doc.paths as Record<string, Record<string, Operation>>;
      const before = await acmeView(paths);
      const acmeIds = [...Object.values(ids), ...Object.values(spare)];
      const documented = new Set<string>();
      const unprobed: string[] = [];
      const unexpected: string[] = [];
      const leaks: string[] = [];
      let probes = 0;
      let endpoints = 0;
      for (const [template, operations] of Object.entries(paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const key = `${method.toUpperCase()} ${template}`;
          documented.add(key);
          const scoped = template.includes("{");
          if (!scoped && NOT_TENANT_SCOPED[key] === undefined) {
            unprobed.push(`${key}: names no resource and is not listed as not tenant-scoped`);
            continue;
          }
          const path = fill(template);
          if (path === undefined) {
            unprobed.push(`${key}: no acme resource for its path parameters (create one in beforeAll)`);
            continue;
          }
          const target = `${path}${requiredQuery(operation)}`;
          // The one documented operation without a JSON body is the policy upload, which takes Rego.
          const body =
            method === "put" && operation.requestBody === undefined
              ? { text: POLICY_SOURCE }
              : { json: bodyOf(key, operation) };
          const response = await send(server.url, globex, method.toUpperCase(), target, body);
          probes += 1;
          endpoints += 1;
          if (scoped && response.status !== 404) unexpected.push(`${key} as ${target}: ${response.status}`);
          if (!scoped && (response.status < 200 || response.status >= 300)) {
            unexpected.push(`${key}: ${response.status} for globex's own caller`);
          }
          // The 404 may name the id it was asked for; it must name no other acme resource.
          const text = response.text;
          const shown = acmeIds.filter((id) => !target.includes(id) && text.includes(id));
          if (text.includes(MARK) || shown.length > 0) leaks.push(`${key}: ${text.slice(0, 300)}`);
        }
      }
      const organizations = await api(server.url, globex, "GET", "/organizations");
      expect(JSON.stringify(organizations.body)).not.toContain('"acme"');
      const stale = Object.keys(NOT_TENANT_SCOPED).filter((key) => !documented.has(key));

      console.log(
        `tenant isolation on ${dialect}: ${probes} cross-organization probes over ${endpoints} of ` +
          `${documented.size} documented endpoints (${Object.keys(NOT_TENANT_SCOPED).length} not tenant-scoped, ` +
          `checked for leaks), ${unprobed.length} without a probe`,
      );
      // One assertion, so a failing run shows every problem at once.
      expect({ unprobed, stale, unexpected, leaks }).toEqual({
        unprobed: [],
        stale: [],
        unexpected: [],
        leaks: [],
      });
      expect(endpoints).toBe(documented.size);

      // Nothing was changed by those attempts: acme sees exactly what it saw before.
      const after = await acmeView(paths);
      expect(before.size).toBeGreaterThan(20);
      for (const [template, seen] of before) expect(after.get(template), template).toBe(seen);
      expect(before.get("/api/v2/tokens/{id}")).toContain('"status":"active"');
      expect(before.get("/api/v2/delegate-tokens/{id}/delegates")).toContain(`${MARK}-runner`);
    }, 120_000);
  });
}
