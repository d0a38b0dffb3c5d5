// End-to-end: tenant isolation. The endpoint list comes from the OpenAPI document of the server under
// test, which lists every route under /api/v2 as it is registered. Organization acme holds one of
// every resource type (spaces, users, service accounts, teams with members, roles, role bindings,
// API keys, tokens, policies, policy sets with policies and spaces attached, a policy evaluation from
// a governed save, delegate tokens, a connected delegate, audit events). Then, with globex's admin
// token, on SQLite and on PostgreSQL:
// - every operation of every path, with acme's ids in the path ({id}) or acme's name ({org}), answers
//   404 (never 403, never 2xx), exactly as for an id or name that does not exist, shows none of
//   acme's data, and changes nothing acme can see. An operation whose path parameters this suite
//   cannot fill with a real acme value fails the test, so a new route cannot slip past; the few
//   operations that are not tenant-scoped are listed with a reason, and checked for acme's data too;
//   the console's operations without a bearer token (sign-in, invitation links: decided by the
//   secret in the body) and on the caller's own session (cookie) are probed with globex's own
//   token, a secret that names nothing, or globex's own session;
// - every relationship of every request body, given an acme id in a request on globex's own
//   resources, is refused as an id that names nothing is, while globex's own id goes through;
// - every free-text filter of every list, given an acme id, answers as for an id that names nothing.
// Outside the document, and so outside this test: /healthz, /readyz, /metrics (process-wide, by
// route, no organization), /api/v2/openapi.json, and the delegate WebSocket
// (/api/v2/delegates/connect, whose organization is its delegate token's).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./support/api-session.js";
import { type DelegateAgent, startDelegateAgent } from "./support/delegate-agent.js";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { type JsonSchema, minimalValue } from "./support/minimal-body.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";

interface Operation {
  readonly parameters?: readonly { name: string; in: string; required: boolean; schema: JsonSchema }[];
  readonly requestBody?: { content: Record<string, { schema: JsonSchema }> };
  readonly responses?: Record<string, { content?: Record<string, unknown> }>;
}

/** True for an endless event stream: acme's own view of it is not read (it would never end). */
function isEventStream(operation: Operation): boolean {
  return operation.responses?.["200"]?.content?.["text/event-stream"] !== undefined;
}

/** Operations that name no tenant resource, each with why; all are still checked not to show acme's data. */
const NOT_TENANT_SCOPED: Readonly<Record<string, string>> = {
  "GET /api/v2/organizations": "lists the caller's own organizations (checked below: never acme for globex)",
  "GET /api/v2/account/details": "the caller itself, from its own credential",
  "GET /api/v2/account/effective-access": "the caller's own roles, from its own credential",
  "GET /api/v2/account/api-keys": "the caller's own personal API keys",
  "POST /api/v2/account/api-keys": "creates a personal API key for the caller, in the caller's organization",
};

/**
 * Operations that take no bearer token: signing in (the token is in the body) and invitation links
 * (the secret is in the body). What they answer is decided by that secret alone; each is probed as
 * globex with globex's own token, or with a secret that names nothing, and must show none of acme's data.
 */
const NO_CREDENTIAL: Readonly<Record<string, { readonly reason: string; readonly status: number }>> = {
  "POST /api/v2/sessions": {
    reason: "signs in with the token in the body: globex's token gives globex's session",
    status: 201,
  },
  "POST /api/v2/invitation-previews": {
    reason: "shows only what the secret in the body is for",
    status: 404,
  },
  "POST /api/v2/invitation-acceptances": {
    reason: "accepts only the invitation the secret in the body names",
    status: 404,
  },
};

/** Operations on the caller's own console session (cookie): probed with globex's session. */
const SESSION_SCOPED: Readonly<Record<string, string>> = {
  "GET /api/v2/sessions/current": "the caller's own session, from its own cookie",
  "DELETE /api/v2/sessions/current": "ends the caller's own session, from its own cookie",
};

/** Every acme name contains this, so a response showing acme's data is easy to spot. */
const MARK = "acme-private";

/** Attributes that change by themselves (flushes, heartbeats), left out of the before/after comparison. */
const VOLATILE = new Set(["last-used-at", "last-heartbeat-at"]);

/** What each relationship of a request body refers to; a relationship missing here fails the test. */
const REFERENCES: Readonly<Record<string, { collection: string; type: string }>> = {
  parent: { collection: "spaces", type: "spaces" },
  space: { collection: "spaces", type: "spaces" },
  spaces: { collection: "spaces", type: "spaces" },
  role: { collection: "roles", type: "roles" },
  roles: { collection: "roles", type: "roles" },
  subject: { collection: "users", type: "users" },
  members: { collection: "users", type: "users" },
  policy: { collection: "policies", type: "policies" },
  policies: { collection: "policies", type: "policies" },
  "policy-set": { collection: "policy-sets", type: "policy-sets" },
  "policy-sets": { collection: "policy-sets", type: "policy-sets" },
  user: { collection: "users", type: "users" },
};

/** Values the smallest valid body or query cannot guess (an enumeration the schema leaves open). */
const KNOWN_VALUES: Readonly<Record<string, unknown>> = {
  "entity-type": "token",
  "filter[entity-type]": "token",
  source: "package probe\n",
};

/** An organization name that does not exist, to compare acme's answers with. */
const GHOST_ORG = "no-such-org";

/** An id of the same shape as `id` that names nothing. */
function ghostOf(id: string): string {
  return id.replace(/[^-]+$/, (random) => "0".repeat(random.length));
}

/** The smallest valid body of the schema, with the values it cannot guess filled in. */
function minimalBody(schema: JsonSchema): unknown {
  const body = minimalValue(schema) as { data?: { attributes?: Record<string, unknown> } } | null;
  const attributes = body?.data?.attributes;
  if (attributes !== undefined && typeof attributes === "object") {
    for (const name of Object.keys(attributes))
      if (name in KNOWN_VALUES) attributes[name] = KNOWN_VALUES[name];
  }
  return body;
}

/** The required query parameters with a minimal value each, so the request is well formed. */
function requiredQuery(operation: Operation): string {
  const query = new URLSearchParams();
  for (const p of operation.parameters ?? []) {
    if (p.in === "query" && p.required)
      query.set(p.name, String(KNOWN_VALUES[p.name] ?? minimalValue(p.schema)));
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
  session?: { readonly cookie: string; readonly csrf: string },
): Promise<RawResponse> {
  const headers: Record<string, string> =
    session === undefined
      ? { authorization: `Bearer ${token}` }
      : { cookie: session.cookie, "x-csrf-token": session.csrf };
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
    /** globex's own resources, for the paths of the probes that put acme's ids in the body. */
    const own: Record<string, string> = {};

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

      // Console: an open invitation of acme's (its secret is never used here).
      ids.invitations = await create("/organizations/acme/invitations", {
        data: { type: "invitations", relationships: { user: ref("users", spare.user) } },
      });

      for (const [type, id] of Object.entries(ids)) expect(id, type).toBeTruthy();

      // globex's own: what the body probes reference when they are meant to succeed.
      const mine = async (path: string, body: unknown, status = 201): Promise<string> => {
        const response = await api(server.url, globex, "POST", path, body);
        expect(response.status, `POST ${path}: ${JSON.stringify(response.body)}`).toBe(status);
        return response.body.data.id;
      };
      const plain = (type: string, name: string, extra: Record<string, unknown> = {}) => ({
        data: { type, attributes: { name, ...extra } },
      });
      own.spaces = await mine("/organizations/globex/spaces", plain("spaces", "own-space"));
      own.users = await mine("/organizations/globex/users", plain("users", "own-user"));
      own.teams = await mine("/organizations/globex/teams", plain("teams", "own-team"));
      own.roles = await mine(
        "/organizations/globex/roles",
        plain("roles", "own-role", { permissions: ["spaces.read"] }),
      );
      own.policies = await mine(
        "/organizations/globex/policies",
        plain("policies", "own-policy", { kind: "opa", "enforcement-level": "advisory" }),
        200,
      );
      const uploaded = await send(server.url, globex, "PUT", `/policies/${own.policies}/upload`, {
        text: 'package own\nimport rego.v1\ndeny contains msg if {\n  input.token.name == "x"\n  msg := "x"\n}\n',
      });
      expect(uploaded.status, uploaded.text).toBe(200);
      own["policy-sets"] = await mine(
        "/organizations/globex/policy-sets",
        plain("policy-sets", "own-set", { global: false, "entity-types": ["token"], events: ["onSave"] }),
      );
    }, 90_000);

    /** A console session of globex's admin (cookie and CSRF token), for the session-scoped operations. */
    async function globexSession(): Promise<{ cookie: string; csrf: string }> {
      const response = await fetch(`${server.url}/api/v2/sessions`, {
        method: "POST",
        headers: { "content-type": "application/vnd.api+json" },
        body: JSON.stringify({ data: { type: "sessions", attributes: { token: globex } } }),
      });
      const body = await response.json();
      expect(response.status, JSON.stringify(body)).toBe(201);
      const cookie = /^(keygate_session=[^;]*)/.exec(response.headers.get("set-cookie") ?? "")?.[1] ?? "";
      return { cookie, csrf: body.data.attributes["csrf-token"] };
    }

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
          return schema ? minimalBody(schema) : undefined;
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
        if (isEventStream(operation)) continue;
        const response = await send(server.url, acme, "GET", `${path}${requiredQuery(operation)}`);
        view.set(template, `${response.status} ${stable(response.text)}`);
      }
      return view;
    }

    /** The template with acme's values in its path parameters; undefined when one has no value here. */
    function fill(template: string, org = "acme", table: Record<string, string> = ids): string | undefined {
      const collection = /^\/api\/v2\/([a-z-]+)\//.exec(template)?.[1] ?? "";
      let unresolved = false;
      const path = template
        .replace(/^\/api\/v2/, "")
        .replace(/\{([A-Za-z0-9_]+)\}/g, (_all, name: string) => {
          const value =
            name === "org" && collection === "organizations"
              ? org
              : name === "id"
                ? table[collection]
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
      const oracle: string[] = [];
      let probes = 0;
      let endpoints = 0;
      const session = await globexSession();
      for (const [template, operations] of Object.entries(paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const key = `${method.toUpperCase()} ${template}`;
          documented.add(key);
          const noCredential = NO_CREDENTIAL[key];
          const sessionScoped = SESSION_SCOPED[key] !== undefined;
          if (noCredential !== undefined || sessionScoped) {
            const probeBody =
              key === "POST /api/v2/sessions"
                ? { data: { type: "sessions", attributes: { token: globex } } }
                : bodyOf(key, operation);
            const response = await send(
              server.url,
              globex,
              method.toUpperCase(),
              template.replace(/^\/api\/v2/, ""),
              { json: probeBody },
              sessionScoped ? session : undefined,
            );
            probes += 1;
            endpoints += 1;
            const expected = noCredential?.status ?? (method === "delete" ? 204 : 200);
            if (response.status !== expected) unexpected.push(`${key}: ${response.status}, not ${expected}`);
            if (response.text.includes('"acme"') || response.text.includes(MARK)) {
              leaks.push(`${key}: ${response.text.slice(0, 300)}`);
            }
            continue;
          }
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
          if (scoped) {
            // No existence oracle: acme's resource answers exactly as one that does not exist.
            const ghosts = Object.fromEntries(Object.entries(ids).map(([c, id]) => [c, ghostOf(id)]));
            const ghostTarget = `${fill(template, GHOST_ORG, ghosts)}${requiredQuery(operation)}`;
            const ghost = await send(server.url, globex, method.toUpperCase(), ghostTarget, body);
            const unghosted = Object.entries(ghosts).reduce(
              (text, [c, id]) => text.replaceAll(id, ids[c] ?? ""),
              ghost.text.replaceAll(GHOST_ORG, "acme"),
            );
            if (ghost.status !== response.status || unghosted !== response.text) {
              oracle.push(`${key}: ${response.status} ${response.text} vs ${ghost.status} ${ghost.text}`);
            }
          }
          // The 404 may name the id it was asked for; it must name no other acme resource.
          const text = response.text;
          const shown = acmeIds.filter((id) => !target.includes(id) && text.includes(id));
          if (text.includes(MARK) || shown.length > 0) leaks.push(`${key}: ${text.slice(0, 300)}`);
        }
      }
      const organizations = await api(server.url, globex, "GET", "/organizations");
      expect(JSON.stringify(organizations.body)).not.toContain('"acme"');
      const stale = [
        ...Object.keys(NOT_TENANT_SCOPED),
        ...Object.keys(NO_CREDENTIAL),
        ...Object.keys(SESSION_SCOPED),
      ].filter((key) => !documented.has(key));

      console.log(
        `tenant isolation on ${dialect}: ${probes} cross-organization probes over ${endpoints} of ` +
          `${documented.size} documented endpoints (${Object.keys(NOT_TENANT_SCOPED).length} not tenant-scoped, ` +
          `checked for leaks), ${unprobed.length} without a probe`,
      );
      // One assertion, so a failing run shows every problem at once.
      expect({ unprobed, stale, unexpected, leaks, oracle }).toEqual({
        unprobed: [],
        stale: [],
        unexpected: [],
        leaks: [],
        oracle: [],
      });
      expect(endpoints).toBe(documented.size);

      // Nothing was changed by those attempts: acme sees exactly what it saw before.
      const after = await acmeView(paths);
      expect(before.size).toBeGreaterThan(20);
      for (const [template, seen] of before) expect(after.get(template), template).toBe(seen);
      expect(before.get("/api/v2/tokens/{id}")).toContain('"status":"active"');
      expect(before.get("/api/v2/delegate-tokens/{id}/delegates")).toContain(`${MARK}-runner`);
    }, 120_000);

    it("refuses another organization's ids in the body of every request that references resources, where its own succeed", async () => {
      const doc = await (await fetch(`${server.url}/api/v2/openapi.json`)).json();
      const paths = doc.paths as Record<string, Record<string, Operation>>;
      const before = await acmeView(paths);
      const acmeIds = [...Object.values(ids), ...Object.values(spare)];
      const unknown: string[] = [];
      const unexpected: string[] = [];
      const leaks: string[] = [];
      let probes = 0;
      let serial = 0;
      for (const [template, operations] of Object.entries(paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const key = `${method.toUpperCase()} ${template}`;
          const schema = operation.requestBody?.content["application/vnd.api+json"]?.schema;
          const data = schema?.properties?.data;
          if (data === undefined) continue;
          const path = fill(template, "globex", own);
          // Each case: the body with acme's id in one reference, and the same body with globex's own.
          const cases: { reference: string; body: (id: "acme" | "own") => unknown }[] = [];
          if (data.type === "array") {
            const name = template.split("/").at(-1) ?? "";
            const target = REFERENCES[name];
            if (target === undefined) unknown.push(`${key}: relationship "${name}"`);
            else cases.push({ reference: name, body: (who) => ({ data: [reference(target, who)] }) });
          } else {
            const relationships = data.properties?.relationships;
            for (const [name, relationship] of Object.entries(relationships?.properties ?? {})) {
              const target = REFERENCES[name];
              if (target === undefined) {
                unknown.push(`${key}: relationship "${name}"`);
                continue;
              }
              const many = relationship.properties?.data?.type === "array";
              cases.push({
                reference: name,
                body: (who) => {
                  const body = minimalBody(schema as JsonSchema) as { data: Record<string, unknown> };
                  const attributes = body.data.attributes as Record<string, unknown> | undefined;
                  serial += 1;
                  if (attributes !== undefined && "name" in attributes)
                    attributes.name = `own-probe-${serial}`;
                  const filled: Record<string, unknown> = {};
                  for (const required of relationships?.required ?? []) {
                    const other = REFERENCES[required];
                    if (other !== undefined) filled[required] = { data: reference(other, "own") };
                  }
                  const one = reference(target, who);
                  filled[name] = { data: many ? [one] : one };
                  body.data.relationships = filled;
                  return body;
                },
              });
            }
          }
          if (cases.length === 0) continue;
          if (path === undefined) {
            unknown.push(`${key}: no globex resource for its path`);
            continue;
          }
          for (const { reference: name, body } of cases) {
            const refused = await send(server.url, globex, method.toUpperCase(), path, {
              json: body("acme"),
            });
            probes += 1;
            // Only a removal may answer 2xx (removing what is not there), and only as it does for an
            // id that names nothing; anything else is refused, exactly as for an id that names nothing.
            if (method !== "delete" && refused.status >= 200 && refused.status < 300) {
              unexpected.push(`${key} with acme's ${name}: ${refused.status} ${refused.text.slice(0, 200)}`);
            }
            const acmeId = reference(REFERENCES[name] ?? { collection: "", type: "" }, "acme").id;
            const ghostBody = JSON.parse(JSON.stringify(body("acme")).replaceAll(acmeId, ghostOf(acmeId)));
            const ghost = await send(server.url, globex, method.toUpperCase(), path, { json: ghostBody });
            const unghosted = ghost.text.replaceAll(ghostOf(acmeId), acmeId).replace(/own-probe-\d+/g, "");
            if (ghost.status !== refused.status || unghosted !== refused.text.replace(/own-probe-\d+/g, "")) {
              unexpected.push(
                `${key} with acme's ${name}: ${refused.status} ${refused.text} vs nothing's: ${ghost.status} ${ghost.text}`,
              );
            }
            const shown = acmeIds.filter(
              (id) => refused.text.includes(id) && !JSON.stringify(body("acme")).includes(id),
            );
            if (refused.text.includes(MARK) || shown.length > 0)
              leaks.push(`${key}: ${refused.text.slice(0, 300)}`);
            // The control: the same request with globex's own resource goes through, so the refusal
            // above was for the reference and nothing else.
            const accepted = await send(server.url, globex, method.toUpperCase(), path, {
              json: body("own"),
            });
            if (accepted.status < 200 || accepted.status >= 300) {
              unexpected.push(
                `${key} with globex's own ${name}: ${accepted.status} ${accepted.text.slice(0, 200)}`,
              );
            } else if (method === "post" && accepted.text !== "") {
              // Remove what the control created, so that the next control does not meet a duplicate
              // (what cannot be deleted at once, such as an active delegate token, clashes with nothing).
              const self: string | undefined = JSON.parse(accepted.text).data?.links?.self;
              if (self !== undefined)
                await send(server.url, globex, "DELETE", self.replace(/^\/api\/v2/, ""));
            }
          }
        }
      }
      console.log(
        `tenant isolation on ${dialect}: ${probes} probes with acme's ids in globex's request bodies`,
      );
      expect({ unknown, unexpected, leaks }).toEqual({ unknown: [], unexpected: [], leaks: [] });
      expect(probes).toBeGreaterThanOrEqual(10);
      const after = await acmeView(paths);
      for (const [template, seen] of before) expect(after.get(template), template).toBe(seen);
    }, 120_000);

    it("lists of globex's own filtered by acme's ids answer exactly as for ids that name nothing", async () => {
      const doc = await (await fetch(`${server.url}/api/v2/openapi.json`)).json();
      const paths = doc.paths as Record<string, Record<string, Operation>>;
      const acmeIds = [...Object.values(ids), ...Object.values(spare)];
      const differences: string[] = [];
      let probes = 0;
      for (const [template, operations] of Object.entries(paths)) {
        const operation = operations.get;
        const path = fill(template, "globex", own);
        if (operation === undefined || path === undefined) continue;
        // Free-text filters (an enumeration cannot take an id).
        const filters = (operation.parameters ?? []).filter(
          (p) => p.in === "query" && p.name.startsWith("filter[") && p.schema.type === "string",
        );
        for (const filter of filters) {
          for (const id of acmeIds) {
            const query = (value: string) => {
              const search = new URLSearchParams(requiredQuery(operation).slice(1));
              search.set(filter.name, value);
              return `${path}?${search}`;
            };
            const seen = await send(server.url, globex, "GET", query(id));
            const ghost = await send(server.url, globex, "GET", query(ghostOf(id)));
            probes += 1;
            if (seen.status !== ghost.status || seen.text !== ghost.text.replaceAll(ghostOf(id), id)) {
              differences.push(
                `GET ${template} ${filter.name}=${id}: ${seen.status} ${seen.text.slice(0, 300)}`,
              );
            }
          }
        }
      }
      console.log(`tenant isolation on ${dialect}: ${probes} probes filtering globex's lists by acme's ids`);
      expect(differences).toEqual([]);
      expect(probes).toBeGreaterThan(100);
    }, 120_000);

    /** A resource identifier of acme's or globex's own resource of the target collection. */
    function reference(target: { collection: string; type: string }, who: "acme" | "own") {
      return { id: (who === "acme" ? ids : own)[target.collection] ?? "", type: target.type };
    }
  });
}
