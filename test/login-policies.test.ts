// End-to-end: scenario C, login policies (seed 003) over HTTP against a listening Keygate app on
// SQLite and PostgreSQL. The eight examples of seed 003 are uploaded unchanged (extracted from
// ../shared/seeds at test time; skipped when absent) and judged on every authenticated request;
// the test sets the clock and, through X-Forwarded-For behind a trusted proxy, the caller's address.
import type { AddressInfo } from "node:net";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
  buildApp,
  createTestDatabase,
  DIALECTS,
  type TestDatabase,
} from "@keygate/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { seed003Policies, seed003Source } from "../packages/server/src/domain/governance/seed-policies.js";

const SEED_003 = seed003Policies();

/** A UTC instant in epoch ms; 23 November 2026 is a Monday. */
const utc = (day: number, hour = 0, minute = 0, second = 0, ms = 0) => Date.UTC(2026, 10, day, hour, minute, second, ms);
const MONDAY = utc(23);

const SPACES = ["production", "development", "staging", "infrastructure", "monitoring", "applications", "configuration", "kubernetes"];
/** Every role id the examples grant, read from the examples themselves. */
const ROLE_NAMES = [
  ...new Set((SEED_003?.examples ?? []).flatMap((e) => [...e.source.matchAll(/"([a-z0-9-]+-role-id)"/g)].map((m) => m[1]!))),
];

interface Response {
  readonly status: number;
  readonly body: ReturnType<typeof JSON.parse>;
}

for (const dialect of DIALECTS) {
  describe.skipIf(SEED_003 === undefined)(`login policies of seed 003 over HTTP on ${dialect}`, () => {
    let db: TestDatabase;
    let app: FastifyInstance;
    let url: string;
    let org: BootstrappedOrganization;
    let automationId: string;
    const spaceIds = new Map<string, string>();
    const keys = new Map<string, { keyId: string; token: string }>();

    async function request(token: string, method: string, path: string, body?: unknown, from = "10.0.0.1"): Promise<Response> {
      const response = await fetch(`${url}/api/v2${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          "x-forwarded-for": from,
          ...(body !== undefined ? { "content-type": "application/vnd.api+json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
    }
    const admin = (method: string, path: string, body?: unknown) => request(org.tokenValue, method, path, body);

    /** The token of the API key named `login` on the automation account (created on first use). */
    async function tokenOf(login: string): Promise<{ keyId: string; token: string }> {
      const known = keys.get(login);
      if (known) return known;
      const key = await admin("POST", `/service-accounts/${automationId}/api-keys`, {
        data: { type: "api-keys", attributes: { name: login } },
      });
      expect(key.status, JSON.stringify(key.body)).toBe(201);
      const token = await admin("POST", `/api-keys/${key.body.data.id}/tokens`, {
        data: { type: "tokens", attributes: { name: `${login}-token` } },
      });
      expect(token.status, JSON.stringify(token.body)).toBe(201);
      const entry = { keyId: key.body.data.id as string, token: token.body.data.attributes.token as string };
      keys.set(login, entry);
      return entry;
    }

    /** The spaces (of SPACES) in which the key named `login` may read the space, asked from `from`. */
    async function readableSpaces(login: string, from = "10.0.0.1"): Promise<string[]> {
      const { token } = await tokenOf(login);
      const statuses = await Promise.all(
        SPACES.map(async (name) => {
          const response = await request(token, "GET", `/spaces/${spaceIds.get(name)}`, undefined, from);
          // A space the key may not read is 404 (403 is only for what it may read but not change).
          expect([200, 404], `${login} on ${name}: ${JSON.stringify(response.body)}`).toContain(response.status);
          return response.status;
        }),
      );
      return SPACES.filter((_name, i) => statuses[i] === 200);
    }

    /** Uploads a policy unchanged into a new global login policy set; returns a function removing both. */
    async function loginPolicy(name: string, source: string): Promise<() => Promise<void>> {
      const policy = await admin("POST", "/organizations/acme/policies", {
        data: { type: "policies", attributes: { name, kind: "opa", "enforcement-level": "mandatory" } },
      });
      expect(policy.status, JSON.stringify(policy.body)).toBe(200);
      const policyId: string = policy.body.data.id;
      const upload = await fetch(`${url}/api/v2/policies/${policyId}/upload`, {
        method: "PUT",
        headers: { authorization: `Bearer ${org.tokenValue}`, "content-type": "application/octet-stream" },
        body: source,
      });
      expect(upload.status, await upload.text()).toBe(200);
      const set = await admin("POST", "/organizations/acme/policy-sets", {
        data: {
          type: "policy-sets",
          attributes: { name: `login-${name}`, global: true, "entity-types": ["login"] },
          relationships: { policies: { data: [{ id: policyId, type: "policies" }] } },
        },
      });
      expect(set.status, JSON.stringify(set.body)).toBe(201);
      return async () => {
        expect((await admin("DELETE", `/policy-sets/${set.body.data.id}`)).status).toBe(204);
        expect((await admin("DELETE", `/policies/${policyId}`)).status).toBe(204);
      };
    }

    async function withExample(name: string, run: () => Promise<void>): Promise<void> {
      const remove = await loginPolicy(name, seed003Source(name));
      try {
        await run();
      } finally {
        await remove();
      }
    }

    beforeAll(async () => {
      vi.useFakeTimers({ toFake: ["Date"], now: MONDAY });
      db = await createTestDatabase(dialect);
      org = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" });
      app = await buildApp({ store: db.store, authFailureLimit: 10_000, trustProxy: true });
      await app.listen({ port: 0, host: "127.0.0.1" });
      url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      for (const name of SPACES) {
        const space = await admin("POST", "/organizations/acme/spaces", { data: { type: "spaces", attributes: { name } } });
        expect(space.status, JSON.stringify(space.body)).toBe(201);
        spaceIds.set(name, space.body.data.id);
      }
      expect(ROLE_NAMES.length).toBeGreaterThanOrEqual(14);
      for (const name of ROLE_NAMES) {
        const role = await admin("POST", "/organizations/acme/roles", {
          data: { type: "roles", attributes: { name, permissions: ["spaces.read"] } },
        });
        expect(role.status, JSON.stringify(role.body)).toBe(201);
      }
      const sa = await admin("POST", "/organizations/acme/service-accounts", {
        data: { type: "service-accounts", attributes: { name: "automation" } },
      });
      expect(sa.status).toBe(201);
      automationId = sa.body.data.id;
    }, 60_000);

    afterAll(async () => {
      await app?.close();
      await db?.dispose();
      vi.useRealTimers();
    });

    it("without a login policy, a key with no binding may read no space", async () => {
      expect(await readableSpaces("ci-cd-production")).toEqual([]);
    });

    it("the opening template is refused at upload: its head variables are unsafe (line and column given)", async () => {
      const policy = await admin("POST", "/organizations/acme/policies", {
        data: { type: "policies", attributes: { name: "template", kind: "opa" } },
      });
      const upload = await fetch(`${url}/api/v2/policies/${policy.body.data.id}/upload`, {
        method: "PUT",
        headers: { authorization: `Bearer ${org.tokenValue}`, "content-type": "application/octet-stream" },
        body: seed003Source("template"),
      });
      expect(upload.status).toBe(422);
      const errors = (await upload.json()).errors as { meta: { code: string; line: number; column: number } }[];
      expect(errors.map((e) => [e.meta.code, e.meta.line])).toContainEqual(["rego_unsafe_var_error", 9]);
      expect((await admin("DELETE", `/policies/${policy.body.data.id}`)).status).toBe(204);
    });

    it("by key name", async () => {
      await withExample("by-key-name", async () => {
        expect(await readableSpaces("ci-cd-production")).toEqual(["production"]);
        expect(await readableSpaces("terraform-automation")).toEqual(["infrastructure"]);
        expect(await readableSpaces("someone-else")).toEqual([]);
      });
      // Removing the policy takes the roles away on the very next request.
      expect(await readableSpaces("ci-cd-production")).toEqual([]);
    });

    it("by key pattern", async () => {
      await withExample("by-key-pattern", async () => {
        expect(await readableSpaces("ci-cd-staging")).toEqual(["production"]);
        expect(await readableSpaces("prom-monitoring")).toEqual(["monitoring"]);
        expect(await readableSpaces("monitoring-ci-cd")).toEqual([]);
      });
    });

    it("separate keys per environment", async () => {
      await withExample("separate-keys-per-environment", async () => {
        expect(await readableSpaces("terraform-dev")).toEqual(["development"]);
        expect(await readableSpaces("ci-cd-prod")).toEqual(["production"]);
        expect(await readableSpaces("ci-cd-stage")).toEqual([]);
      });
    });

    it("multi-environment keys", async () => {
      await withExample("multi-environment-keys", async () => {
        expect(await readableSpaces("backup-service")).toEqual(["production", "development", "staging"]);
        expect(await readableSpaces("monitoring-agent")).toEqual(["production", "development", "staging"]);
        expect(await readableSpaces("backup")).toEqual([]);
      });
    });

    it("CI/CD pipeline keys", async () => {
      await withExample("ci-cd-pipeline-keys", async () => {
        for (const login of ["github-actions-deploy", "gitlab-ci-deploy", "jenkins-deploy"]) {
          expect(await readableSpaces(login)).toEqual(["applications"]);
        }
        expect(await readableSpaces("circle-deploy")).toEqual([]);
      });
    });

    it("infrastructure tools", async () => {
      await withExample("infrastructure-tools", async () => {
        expect(await readableSpaces("terraform-cloud-integration")).toEqual(["infrastructure"]);
        expect(await readableSpaces("ansible-automation")).toEqual(["configuration"]);
        expect(await readableSpaces("k8s-spacelift-operator")).toEqual(["kubernetes"]);
      });
    });

    it("IP-restricted keys: only from 10.0.0.0/8 and 192.168.100.0/24", async () => {
      await withExample("ip-restricted-api-keys", async () => {
        expect(await readableSpaces("production-deploy", "10.200.1.1")).toEqual(["production"]);
        expect(await readableSpaces("critical-automation", "192.168.100.254")).toEqual(["production"]);
        expect(await readableSpaces("production-deploy", "192.168.101.1")).toEqual([]);
        expect(await readableSpaces("production-deploy", "8.8.8.8")).toEqual([]);
        expect(await readableSpaces("unlisted-key", "10.1.1.1")).toEqual([]);
      });
    });

    it("sees the request's method and path (without the query string), as input.request documents", async () => {
      const { token } = await tokenOf("method-path-check");
      const remove = await loginPolicy(
        "method-and-path",
        [
          "package keygate.login",
          "import rego.v1",
          'deny contains "no deletes through this key" if {',
          '  input.request.method == "DELETE"',
          '  input.session.login == "method-path-check"',
          "}",
          'deny contains "account details are off limits" if {',
          '  input.request.path == "/api/v2/account/details"',
          '  input.session.login == "method-path-check"',
          "}",
          "",
        ].join("\n"),
      );
      try {
        const details = await request(token, "GET", "/account/details?include=nothing");
        expect(details.status).toBe(403);
        expect(details.body.errors[0].detail).toContain("account details are off limits");
        const deletion = await request(token, "DELETE", "/tokens/tok-0000000000000000");
        expect(deletion.status).toBe(403);
        expect(deletion.body.errors[0].detail).toContain("no deletes through this key");
        // Neither rule applies to another key or to another GET.
        expect((await admin("GET", "/account/details")).status).toBe(200);
        const other = await request(token, "GET", "/organizations/acme/spaces");
        expect(JSON.stringify(other.body)).not.toContain("a login policy denied");
      } finally {
        await remove();
      }
    });

    it("roles add to direct bindings; deny wins; 'what may this key do' names the rule that granted each role", async () => {
      const remove = await loginPolicy("by-key-name", seed003Source("by-key-name"));
      const { keyId } = await tokenOf("ci-cd-production");
      const binding = await admin("POST", "/organizations/acme/role-bindings", {
        data: {
          type: "role-bindings",
          relationships: {
            role: { data: { id: "viewer", type: "roles" } },
            subject: { data: { id: automationId, type: "service-accounts" } },
            space: { data: { id: spaceIds.get("staging"), type: "spaces" } },
          },
        },
      });
      expect(binding.status, JSON.stringify(binding.body)).toBe(201);
      expect(await readableSpaces("ci-cd-production")).toEqual(["production", "staging"]);

      const access = await admin("GET", `/api-keys/${keyId}/effective-access`);
      expect(access.status).toBe(200);
      const roles = (access.body.data.attributes.spaces as { roles: { "role-name": string; reason: Record<string, unknown> }[] }[]).flatMap(
        (s) => s.roles,
      );
      expect(roles).toContainEqual(
        expect.objectContaining({
          "role-name": "deployer-role-id",
          reason: expect.objectContaining({
            kind: "login-policy",
            rule: 'by-key-name.rego:6: roles["production"]["deployer-role-id"]',
          }),
        }),
      );
      expect(roles).toContainEqual(expect.objectContaining({ "role-name": "viewer", reason: expect.objectContaining({ kind: "direct-binding" }) }));

      const removeBlock = await loginPolicy(
        "blocklist",
        'package blocklist\n\ndeny[msg] {\n  net.cidr_contains("203.0.113.0/24", input.request.remote_ip)\n  msg := sprintf("requests from %s are blocked", [input.request.remote_ip])\n}\n',
      );
      const { token } = await tokenOf("ci-cd-production");
      const blocked = await request(token, "GET", `/spaces/${spaceIds.get("staging")}`, undefined, "203.0.113.9");
      expect(blocked.status).toBe(403);
      expect(blocked.body.errors[0].detail).toContain("requests from 203.0.113.9 are blocked");
      expect(await readableSpaces("ci-cd-production", "198.51.100.1")).toEqual(["production", "staging"]);
      await removeBlock();
      expect((await admin("DELETE", `/role-bindings/${binding.body.data.id}`)).status).toBe(204);
      await remove();
    });

    it("conditional access: Tuesday and Thursday, 2-4 AM UTC, judged on every request to the millisecond", async () => {
      await withExample("conditional-api-key-access", async () => {
        const at = async (ms: number) => {
          vi.setSystemTime(ms);
          return readableSpaces("scheduled-deployment");
        };
        // 1 December 2026 is a Tuesday, 3 December a Thursday.
        expect(await at(Date.UTC(2026, 11, 1, 1, 59, 59, 999))).toEqual([]);
        expect(await at(Date.UTC(2026, 11, 1, 2, 0, 0, 0))).toEqual(["production"]);
        expect(await at(Date.UTC(2026, 11, 1, 4, 59, 59, 999))).toEqual(["production"]);
        expect(await at(Date.UTC(2026, 11, 1, 5, 0, 0, 0))).toEqual([]);
        expect(await at(Date.UTC(2026, 11, 2, 3, 0))).toEqual([]);
        expect(await at(Date.UTC(2026, 11, 3, 2, 30))).toEqual(["production"]);
        expect(await readableSpaces("other-key")).toEqual([]);
      });
    });

    it("keeps login samples and simulates a draft login policy against them", async () => {
      const samples = await admin("GET", "/organizations/acme/policy-samples?filter[entity-type]=login");
      expect(samples.status).toBe(200);
      const logins = new Set(
        (samples.body.data as { attributes: { input: { session: { login: string } } } }[]).map((s) => s.attributes.input.session.login),
      );
      expect(logins.has("ci-cd-production")).toBe(true);
      expect(JSON.stringify(samples.body)).not.toMatch(/kg[a-z]*_[A-Za-z0-9]{6,}_/);
      const simulated = await admin("POST", "/organizations/acme/policy-simulations", {
        data: { type: "policy-simulations", attributes: { "entity-type": "login", source: seed003Source("by-key-pattern") } },
      });
      expect(simulated.status, JSON.stringify(simulated.body)).toBe(200);
      const bySample = (simulated.body.data.attributes.samples as {
        input: { session: { login: string } };
        current: { roles: string[] };
        draft: { roles: string[] };
        changed: boolean;
      }[]).filter((s) => s.input.session.login === "ci-cd-staging");
      expect(bySample.length).toBeGreaterThan(0);
      for (const s of bySample) {
        expect(s.current.roles).toEqual([]);
        expect(s.draft.roles).toEqual([expect.stringMatching(new RegExp(`^${spaceIds.get("production")}/`))]);
        expect(s.changed).toBe(true);
      }
    });
  });
}
