// End-to-end: scenario B, governance of tokens with OPA policies (seed 000), over HTTP against a
// listening Keygate app on SQLite and PostgreSQL. Seed 000's policies are uploaded unchanged
// (extracted from ../shared/seeds at test time; skipped when absent); the clock is pinned.
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
import {
  type Seed000PolicyName,
  seed000Policies,
  seed000Source,
} from "../packages/server/src/domain/governance/seed-policies.js";
import { type ApiResponse, api } from "./support/api-session.js";

const SEED_000 = seed000Policies();
const VALID_TO_LIMIT = SEED_000?.get("valid-to-limit")?.limit ?? 0;
const EXPIRE_LIMIT = SEED_000?.get("scheduled-expire-limit")?.limit ?? 0;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = EXPIRE_LIMIT - 2 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

for (const dialect of DIALECTS) {
  describe.skipIf(SEED_000 === undefined)(`policies on save (seed 000) over HTTP on ${dialect}`, () => {
    let db: TestDatabase;
    let app: FastifyInstance;
    let url: string;
    let org: BootstrappedOrganization;
    const spaces: Record<string, string> = {};
    const keys: Record<string, string> = {};
    const call = (method: string, path: string, body?: unknown) => api(url, org.tokenValue, method, path, body);

    /** Creates a policy (seed text unchanged, or given text) and a set for it; returns both ids. */
    async function govern(
      name: string,
      level: "mandatory" | "advisory",
      options: { source?: string; entityTypes?: string[]; spaceIds?: string[] } = {},
    ): Promise<{ policyId: string; setId: string }> {
      const policy = await call("POST", "/organizations/acme/policies", {
        data: { type: "policies", attributes: { name, kind: "opa", "enforcement-level": level } },
      });
      expect(policy.status, JSON.stringify(policy.body)).toBe(200);
      const policyId: string = policy.body.data.id;
      const upload = await fetch(`${url}/api/v2/policies/${policyId}/upload`, {
        method: "PUT",
        headers: { authorization: `Bearer ${org.tokenValue}`, "content-type": "application/octet-stream" },
        body: options.source ?? seed000Source(name as Seed000PolicyName),
      });
      expect(upload.status, await upload.text()).toBe(200);
      const set = await call("POST", "/organizations/acme/policy-sets", {
        data: {
          type: "policy-sets",
          attributes: {
            name: `set-${name}`,
            global: options.spaceIds === undefined,
            "entity-types": options.entityTypes ?? ["token"],
            events: ["onSave"],
          },
          relationships: {
            policies: { data: [{ id: policyId, type: "policies" }] },
            ...(options.spaceIds ? { spaces: { data: options.spaceIds.map((id) => ({ id, type: "spaces" })) } } : {}),
          },
        },
      });
      expect(set.status, JSON.stringify(set.body)).toBe(201);
      return { policyId, setId: set.body.data.id };
    }

    async function ungovern(ids: { policyId: string; setId: string }): Promise<void> {
      expect((await call("DELETE", `/policy-sets/${ids.setId}`)).status).toBe(204);
      expect((await call("DELETE", `/policies/${ids.policyId}`)).status).toBe(204);
    }

    const createToken = (keyId: string, name: string, validTo?: number) =>
      call("POST", `/api-keys/${keyId}/tokens`, {
        data: { type: "tokens", attributes: { name, ...(validTo !== undefined ? { "valid-to": iso(validTo) } : {}) } },
      });

    async function tokenCount(keyId: string): Promise<number> {
      return (await call("GET", `/api-keys/${keyId}/tokens?page[size]=100`)).body.meta.pagination["total-count"];
    }

    function denial(response: ApiResponse): { messages: string[]; evaluationId: string } {
      expect(response.status, JSON.stringify(response.body)).toBe(422);
      const errors = response.body.errors as { title: string; detail: string; meta: { policyEvaluationId: string } }[];
      expect(errors.every((e) => e.title === "policy denied")).toBe(true);
      const evaluationId = errors[0]?.meta.policyEvaluationId ?? "";
      expect(evaluationId).toMatch(/^polevl-/);
      return { messages: errors.map((e) => e.detail), evaluationId };
    }

    beforeAll(async () => {
      // Only Date is faked: timers and I/O run for real, the clock stands still where the test puts it.
      // Two hours before seed 000's rotation limit (which comes before its validTo limit).
      vi.useFakeTimers({ toFake: ["Date"], now: NOW });
      db = await createTestDatabase(dialect);
      org = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" });
      app = await buildApp({ store: db.store, authFailureLimit: 1000 });
      await app.listen({ port: 0, host: "127.0.0.1" });
      url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      keys.user = org.apiKey.id;
      for (const [name, parent] of [
        ["team-a", org.rootSpace.id],
        ["team-a-prod", "team-a"],
        ["team-b", org.rootSpace.id],
      ] as const) {
        const created = await call("POST", "/organizations/acme/spaces", {
          data: {
            type: "spaces",
            attributes: { name },
            relationships: { parent: { data: { id: spaces[parent] ?? parent, type: "spaces" } } },
          },
        });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        spaces[name] = created.body.data.id;
      }
      for (const [sa, space] of [
        ["deployer", "team-a-prod"],
        ["reporter", "team-b"],
      ] as const) {
        const account = await call("POST", "/organizations/acme/service-accounts", {
          data: {
            type: "service-accounts",
            attributes: { name: sa },
            relationships: { space: { data: { id: spaces[space], type: "spaces" } } },
          },
        });
        expect(account.status, JSON.stringify(account.body)).toBe(201);
        const key = await call("POST", `/service-accounts/${account.body.data.id}/api-keys`, {
          data: { type: "api-keys", attributes: { name: `${sa}-ci` } },
        });
        expect(key.status).toBe(201);
        keys[sa] = key.body.data.id;
      }
    }, 60_000);

    afterAll(async () => {
      await app?.close();
      await db?.dispose();
      vi.useRealTimers();
    });

    it("validTo: a mandatory policy refuses a token beyond the limit with every message and the evaluation id; nothing is saved", async () => {
      const ids = await govern("valid-to-limit", "mandatory");
      const before = await tokenCount(keys.deployer!);
      const { messages, evaluationId } = denial(await createToken(keys.deployer!, "too-long", VALID_TO_LIMIT + DAY));
      expect(messages).toEqual([`For CreateToken, Token APIKeyType ValidTo ${VALID_TO_LIMIT + DAY} greater than X date`]);
      expect(await tokenCount(keys.deployer!)).toBe(before);

      const evaluation = await call("GET", `/policy-evaluations/${evaluationId}`);
      expect(evaluation.status).toBe(200);
      expect(evaluation.body.data.attributes).toMatchObject({
        "entity-type": "token",
        event: "onSave",
        action: "create",
        outcome: "denied",
        messages,
        input: { token: { name: "too-long", validTo: VALID_TO_LIMIT + DAY, apiKeyType: "SERVICE" }, action: "create" },
        "policy-results": [
          expect.objectContaining({ "policy-id": ids.policyId, "enforcement-level": "mandatory", outcome: "failed", messages }),
        ],
      });
      expect(evaluation.body.data.attributes["duration-us"]).toBeGreaterThanOrEqual(0);
      const audit = await call("GET", "/organizations/acme/audit-events?filter[outcome]=denied");
      expect(JSON.stringify(audit.body)).toContain(evaluationId);

      const within = await createToken(keys.deployer!, "fine", VALID_TO_LIMIT);
      expect(within.status, JSON.stringify(within.body)).toBe(201);
      expect(within.body.meta).toMatchObject({ warnings: [], "policy-evaluation-id": expect.stringMatching(/^polevl-/) });
      const tokenId: string = within.body.data.id;
      // Updating the token past the limit is refused the same way, and leaves it as it was.
      const update = await call("PATCH", `/tokens/${tokenId}`, {
        data: { type: "tokens", attributes: { "valid-to": iso(VALID_TO_LIMIT + 2 * DAY) } },
      });
      expect(denial(update).messages).toEqual([
        `For CreateToken, Token APIKeyType ValidTo ${VALID_TO_LIMIT + 2 * DAY} greater than X date`,
      ]);
      expect((await call("GET", `/tokens/${tokenId}`)).body.data.attributes["valid-to"]).toBe(iso(VALID_TO_LIMIT));
      await ungovern(ids);
    });

    it("scheduledExpireTime: rotating with a grace period past the limit is refused; a shorter one is not", async () => {
      const token = await createToken(keys.deployer!, "to-rotate");
      expect(token.status).toBe(201);
      const ids = await govern("scheduled-expire-limit", "mandatory");
      const rotate = (seconds: number) =>
        call("POST", `/tokens/${token.body.data.id}/actions/rotate`, {
          data: { type: "tokens", attributes: { "grace-period-seconds": seconds } },
        });
      const week = 7 * 24 * 3600;
      expect(denial(await rotate(week)).messages).toEqual([
        `For RotateToken, Token APIKeyType ScheduledExpireTime ${NOW + week * 1000} greater than X date`,
      ]);
      expect((await call("GET", `/tokens/${token.body.data.id}`)).body.data.attributes.status).toBe("active");
      const rotated = await rotate(3600);
      expect(rotated.status, JSON.stringify(rotated.body)).toBe(201);
      await ungovern(ids);
    });

    it("apiKeyType: a mandatory USER block and an advisory SERVICE warning, as the seed's two type policies", async () => {
      const users = await govern("block-user-tokens", "mandatory");
      const services = await govern("block-service-tokens", "advisory");
      const personal = denial(await createToken(keys.user!, "laptop"));
      expect(personal.messages).toEqual(["Token APIKeyType USER contains 'USER'"]);
      const service = await createToken(keys.reporter!, "nightly");
      expect(service.status).toBe(201);
      expect(service.body.meta.warnings).toEqual(["Token APIKeyType SERVICE contains 'SERVICE'"]);
      const warned = await call("GET", `/policy-evaluations/${service.body.meta["policy-evaluation-id"]}`);
      expect(warned.body.data.attributes).toMatchObject({ outcome: "warned", warnings: ["Token APIKeyType SERVICE contains 'SERVICE'"] });
      await ungovern(users);
      await ungovern(services);
    });

    it("a set attached to a parent space applies to every space below it, and nowhere else", async () => {
      const scoped = await govern("block-service-tokens", "mandatory", { spaceIds: [spaces["team-a"]!] });
      // deployer lives in team-a-prod, below team-a; reporter in team-b.
      expect(denial(await createToken(keys.deployer!, "below")).messages).toEqual(["Token APIKeyType SERVICE contains 'SERVICE'"]);
      const elsewhere = await createToken(keys.reporter!, "beside");
      expect(elsewhere.status).toBe(201);
      expect(elsewhere.body.meta["policy-evaluation-id"]).toBeNull();
      await ungovern(scoped);
    });

    it("naming rules on tokens and API keys (startswith, regex.match), with warn rules as warnings", async () => {
      const tokenNames = await govern("token-naming", "mandatory", {
        source: `package naming
import rego.v1
deny contains msg if {
  not regex.match("^[a-z][a-z0-9-]{2,30}$", input.token.name)
  msg := sprintf("token name %q must be 3-31 lowercase letters, digits or dashes", [input.token.name])
}
warn contains msg if {
  input.token.validTo == null
  msg := sprintf("token %s never expires", [input.token.name])
}
`,
      });
      expect(denial(await createToken(keys.reporter!, "Bad_Name")).messages).toEqual([
        'token name "Bad_Name" must be 3-31 lowercase letters, digits or dashes',
      ]);
      const forever = await createToken(keys.reporter!, "forever");
      expect(forever.body.meta.warnings).toEqual(["token forever never expires"]);
      await ungovern(tokenNames);

      const keyNames = await govern("key-naming", "mandatory", {
        entityTypes: ["api-key"],
        source: `package keys
deny[msg] {
  input.apiKey.apiKeyType == "SERVICE"
  not startswith(input.apiKey.name, "svc-")
  msg := sprintf("service API key %s must start with svc-", [input.apiKey.name])
}
`,
      });
      const accounts = await call("GET", "/organizations/acme/service-accounts?page[size]=100");
      const reporter = accounts.body.data.find((a: { attributes: { name: string } }) => a.attributes.name === "reporter");
      const refused = await call("POST", `/service-accounts/${reporter.id}/api-keys`, {
        data: { type: "api-keys", attributes: { name: "reporting" } },
      });
      expect(denial(refused).messages).toEqual(["service API key reporting must start with svc-"]);
      const accepted = await call("POST", `/service-accounts/${reporter.id}/api-keys`, {
        data: { type: "api-keys", attributes: { name: "svc-reporting" } },
      });
      expect(accepted.status).toBe(201);
      await ungovern(keyNames);
    });

    it("lists evaluations (filtered) and samples, and simulates a draft against the samples", async () => {
      const denied = await call("GET", "/organizations/acme/policy-evaluations?filter[outcome]=denied&page[size]=100");
      expect(denied.status).toBe(200);
      expect(denied.body.data.length).toBeGreaterThanOrEqual(5);
      for (const e of denied.body.data) expect(e.attributes.outcome).toBe("denied");
      const tokensOnly = await call("GET", "/organizations/acme/policy-evaluations?filter[entity-type]=api-key");
      expect(tokensOnly.body.data.map((e: { attributes: { "entity-type": string } }) => e.attributes["entity-type"])).toContain("api-key");

      const samples = await call("GET", "/organizations/acme/policy-samples?filter[entity-type]=token");
      expect(samples.status).toBe(200);
      expect(samples.body.data.length).toBeGreaterThan(0);
      expect(JSON.stringify(samples.body)).not.toMatch(/kg[a-z]*_[A-Za-z0-9]{6,}_/);

      // The validTo policy as a draft: which recent token saves would it have refused?
      const simulated = await call("POST", "/organizations/acme/policy-simulations", {
        data: {
          type: "policy-simulations",
          attributes: { "entity-type": "token", source: seed000Source("valid-to-limit"), "enforcement-level": "mandatory" },
        },
      });
      expect(simulated.status).toBe(200);
      const results = simulated.body.data.attributes.samples as {
        action: string;
        input: { token: { name: string } };
        current: { outcome: string };
        draft: { outcome: string; messages: string[] };
      }[];
      const tooLong = results.find((s) => s.input.token.name === "too-long");
      expect(tooLong?.draft.outcome).toBe("denied");
      // "fine" was created at the limit (allowed), then updated past it (refused by the draft).
      const fine = results.filter((s) => s.input.token.name === "fine");
      expect(fine.find((s) => s.action === "create")).toMatchObject({ draft: { outcome: "allowed" } });
      expect(fine.find((s) => s.action === "update")).toMatchObject({ draft: { outcome: "denied" } });
      expect(simulated.body.data.attributes["sample-count"]).toBe(results.length);
      // A simulation writes nothing.
      const after = await call("GET", "/organizations/acme/policy-evaluations?filter[outcome]=denied&page[size]=100");
      expect(after.body.data.length).toBe(denied.body.data.length);
    });
  });
}
