// Property-based fuzz test of the whole API, in process (app.inject) on SQLite and PostgreSQL:
// every operation of the OpenAPI document gets random path ids (NUL, unicode, huge numbers, real
// ids), query parameters, bodies (fitting, wrong types, NUL strings, huge numbers, deep nesting,
// broken JSON) and content types, with a valid admin token and without. No answer may be a 5xx, and
// every error must be a JSON:API error document. Each operation runs with a fixed seed (the same
// cases every run) and a random one (printed; KEYGATE_FUZZ_SEED replays it). KEYGATE_FUZZ_RUNS sets
// the cases per operation and seed (default 10); each dialect's run stays within about 15 s
// (KEYGATE_FUZZ_BUDGET_MS).
import {
  bootstrapOrganization,
  buildApp,
  createTestDatabase,
  DIALECTS,
  type TestDatabase,
} from "@keygate/server";
import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FuzzContext,
  type FuzzOperation,
  type FuzzRequest,
  FuzzTally,
  fuzzSeeds,
  operationsOf,
  requestsFor,
} from "./support/request-fuzz.js";

const RUNS = Number(process.env.KEYGATE_FUZZ_RUNS) || 10;
/** Time for each dialect's run; later operations get fewer cases rather than overrun it. */
const BUDGET_MS = Number(process.env.KEYGATE_FUZZ_BUDGET_MS) || 15_000;
const JSON_API = "application/vnd.api+json";
const seeds = fuzzSeeds();
const tallies: string[] = [];

afterAll(() => {
  console.log(
    `API fuzz (in process), seeds fixed=${seeds.fixed} random=${seeds.random}:\n${tallies.join("\n")}`,
  );
});

for (const dialect of DIALECTS) {
  describe(`API fuzz on ${dialect}`, () => {
    let db: TestDatabase;
    let app: FastifyInstance;
    let operations: FuzzOperation[];
    let context: FuzzContext;
    const tally = new FuzzTally();

    async function create(
      token: string,
      url: string,
      type: string,
      attributes: object,
      relationships?: object,
    ) {
      const response = await app.inject({
        method: "POST",
        url: `/api/v2${url}`,
        headers: { authorization: `Bearer ${token}`, "content-type": JSON_API },
        payload: JSON.stringify({ data: { type, attributes, ...(relationships ? { relationships } : {}) } }),
      });
      expect([200, 201], response.body).toContain(response.statusCode);
      return response.json().data as { id: string; attributes: Record<string, unknown> };
    }

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      const acme = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" });
      const globex = await bootstrapOrganization(db.store, { organizationName: "globex", adminName: "gina" });
      app = await buildApp({ store: db.store, authFailureLimit: 1_000_000 });
      const admin = acme.tokenValue;
      const space = await create(admin, "/organizations/acme/spaces", "spaces", { name: "fuzz" });
      const sa = await create(admin, "/organizations/acme/service-accounts", "service-accounts", {
        name: "bot",
      });
      const key = await create(admin, `/service-accounts/${sa.id}/api-keys`, "api-keys", { name: "k" });
      const token = await create(admin, `/api-keys/${key.id}/tokens`, "tokens", { name: "t" });
      // A credential of a principal that is not in the pool, so no fuzz case revokes or deletes it.
      const callerSa = await create(admin, "/organizations/acme/service-accounts", "service-accounts", {
        name: "caller",
      });
      const callerKey = await create(admin, `/service-accounts/${callerSa.id}/api-keys`, "api-keys", {
        name: "k",
      });
      const caller = await create(admin, `/api-keys/${callerKey.id}/tokens`, "tokens", { name: "caller" });
      const user = await create(admin, "/organizations/acme/users", "users", { name: "u" });
      const team = await create(admin, "/organizations/acme/teams", "teams", { name: "team" });
      const role = await create(admin, "/organizations/acme/roles", "roles", {
        name: "custom",
        permissions: ["spaces.read"],
      });
      const binding = await create(
        admin,
        "/organizations/acme/role-bindings",
        "role-bindings",
        {},
        {
          role: { data: { id: "viewer", type: "roles" } },
          subject: { data: { id: sa.id, type: "service-accounts" } },
          space: { data: { id: space.id, type: "spaces" } },
        },
      );
      const policy = await create(admin, "/organizations/acme/policies", "policies", {
        name: "p",
        kind: "opa",
        query: "data.x.deny",
        "enforcement-level": "advisory",
      });
      const policySet = await create(admin, "/organizations/acme/policy-sets", "policy-sets", {
        name: "ps",
        kind: "opa",
        "entity-types": ["token"],
      });
      const listed = await app.inject({
        method: "GET",
        url: "/api/v2/organizations/acme/audit-events",
        headers: { authorization: `Bearer ${admin}` },
      });
      const auditId: string = listed.json().data[0].id;
      context = {
        ids: [
          "acme",
          acme.organization.id,
          "globex",
          "viewer",
          space.id,
          sa.id,
          key.id,
          token.id,
          user.id,
          team.id,
          role.id,
          binding.id,
          policy.id,
          policySet.id,
          auditId,
        ],
        // Mostly the admin; now and then another organization's admin or the service account's token.
        credentials: [
          ...Array.from({ length: 6 }, () => `Bearer ${admin}`),
          `Bearer ${globex.tokenValue}`,
          `Bearer ${String(caller.attributes.token)}`,
        ],
      };
      const document = await app.inject({ method: "GET", url: "/api/v2/openapi.json" });
      operations = operationsOf(document.json());
    });

    afterAll(async () => {
      tallies.push(`  ${dialect}: ${operations?.length ?? 0} operations, ${tally.summary()}`);
      await app?.close();
      await db?.dispose();
    });

    async function send(request: FuzzRequest): Promise<string | undefined> {
      const response = await app.inject({
        method: request.method as "GET",
        url: request.url,
        headers: request.headers,
        ...(request.payload !== undefined ? { payload: request.payload } : {}),
      });
      const contentType = response.headers["content-type"];
      return tally.record(
        request,
        response.statusCode,
        typeof contentType === "string" ? contentType : undefined,
        response.body,
      );
    }

    it(
      "answers every operation without a 5xx, every error a JSON:API error document",
      async () => {
        expect(operations.length).toBeGreaterThan(50);
        const started = Date.now();
        for (const [index, operation] of operations.entries()) {
          const left = Math.max(1, operations.length - index);
          const timeLimit = Math.max(200, (BUDGET_MS - (Date.now() - started)) / left);
          for (const seed of [seeds.fixed + index, seeds.random + index]) {
            await fc.assert(
              fc.asyncProperty(requestsFor(operation, context), async (request) => {
                const problem = await send(request);
                if (problem !== undefined) throw new Error(problem);
              }),
              {
                seed,
                numRuns: RUNS,
                endOnFailure: true,
                plugins: [fc.interruptAfterTimeLimit(timeLimit / 2)],
              },
            );
          }
        }
        expect(tally.problems).toEqual([]);
        expect(tally.serverErrors).toBe(0);
      },
      BUDGET_MS + 90_000,
    );
  });
}
