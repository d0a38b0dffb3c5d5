// Benchmarks: SQL statements per token creation and per revocation, through the HTTP API as a
// client calls it (POST /api/v2/api-keys/:id/tokens, POST /api/v2/tokens/:id/actions/revoke), on
// SQLite and PostgreSQL, by two callers: the organization's admin (who holds every permission, so
// the credential rule needs nothing of the token's holder) and a token manager (whose credential
// rule reads the holder's bindings). Every query Kysely executes for the request is counted (in its
// async context: a background job's statements, e.g. a flush of token use times, are not; BEGIN and
// COMMIT do not pass through the query executor, so they are not); on PostgreSQL also the round
// trips (socket writes to the database). The figures are counts, not timings.

import { AsyncLocalStorage } from "node:async_hooks";
import { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { verdict } from "./harness.js";

const GOAL = 5;
const POSTGRES_PORT = Number(
  new URL(process.env.KEYGATE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test").port || 5432,
);

/**
 * Counts the statements Kysely executes for `fn` (in its async context), with their SQL, and the
 * socket writes to PostgreSQL it makes (each a round trip's request: BEGIN, statements and COMMIT
 * that go out together count once).
 */
async function counting(db, fn) {
  // The executors of the store and of its transactions share QueryExecutorBase.prototype.
  let proto = Object.getPrototypeOf(db.getExecutor());
  while (proto && !Object.hasOwn(proto, "executeQuery")) proto = Object.getPrototypeOf(proto);
  const original = proto.executeQuery;
  const originalWrite = Socket.prototype._writeGeneric;
  const context = new AsyncLocalStorage();
  const statements = [];
  let writes = 0;
  proto.executeQuery = function (compiled, ...rest) {
    if (context.getStore() === statements) statements.push(compiled.sql);
    return original.call(this, compiled, ...rest);
  };
  Socket.prototype._writeGeneric = function (...args) {
    if (context.getStore() === statements && this.remotePort === POSTGRES_PORT) writes++;
    return originalWrite.apply(this, args);
  };
  try {
    await context.run(statements, fn);
  } finally {
    proto.executeQuery = original;
    Socket.prototype._writeGeneric = originalWrite;
  }
  return Object.assign(statements, { writes });
}

async function countFor(dialect) {
  const {
    buildApp,
    bootstrapOrganization,
    createApiKey,
    createRoleBinding,
    createPolicy,
    createPolicySet,
    createServiceAccount,
    createToken,
    getRootSpace,
    uploadPolicySource,
  } = await import("@keygate/server");
  const { createTestDatabase } = await import("../packages/server/dist/store/test-store.js");
  const db = await createTestDatabase(dialect);
  const app = await buildApp({ store: db.store, authFailureLimit: 1_000_000 });
  try {
    const org = await bootstrapOrganization(db.store, { organizationName: "bench", adminName: "admin" });
    const ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "system" } };
    const root = await getRootSpace(db.store, org.organization.id);
    const { serviceAccount } = await createServiceAccount(db.store, ctx, { spaceId: root.id, name: "bot" });
    const { apiKey } = await createApiKey(db.store, ctx, {
      principalId: serviceAccount.id,
      type: "SERVICE",
      name: "k",
    });
    // A token manager at the root: a service account with the built-in role, and a token of it.
    const manager = await createServiceAccount(db.store, ctx, { spaceId: root.id, name: "manager" });
    await createRoleBinding(db.store, ctx, {
      subject: { kind: "principal", principalId: manager.serviceAccount.id },
      roleId: "token-manager",
      spaceId: root.id,
    });
    const managerKey = await createApiKey(db.store, ctx, {
      principalId: manager.serviceAccount.id,
      type: "SERVICE",
      name: "m",
    });
    const managerToken = await createToken(db.store, ctx, { apiKeyId: managerKey.apiKey.id, name: "m" });
    // An organization whose tokens 20 mandatory save policies judge (one global set).
    const governed = await bootstrapOrganization(db.store, {
      organizationName: "governed",
      adminName: "admin",
    });
    const governedCtx = {
      organizationId: governed.organization.id,
      actor: { principalId: governed.admin.id, via: "system" },
    };
    const governedBot = await createServiceAccount(db.store, governedCtx, {
      spaceId: governed.rootSpace.id,
      name: "bot",
    });
    const governedKey = await createApiKey(db.store, governedCtx, {
      principalId: governedBot.serviceAccount.id,
      type: "SERVICE",
      name: "k",
    });
    const policyIds = [];
    for (let i = 0; i < 20; i++) {
      const policy = await createPolicy(db.store, governedCtx, {
        name: `p${i}`,
        enforcementLevel: "mandatory",
      });
      await uploadPolicySource(
        db.store,
        governedCtx,
        policy.id,
        `package p${i}\nimport rego.v1\n\ndeny contains msg if {\n  startswith(input.token.name, "forbidden-${i}-")\n  msg := "reserved"\n}\n`,
      );
      policyIds.push(policy.id);
    }
    await createPolicySet(db.store, governedCtx, {
      name: "all",
      global: true,
      entityTypes: ["token"],
      policyIds,
    });
    const callers = {
      admin: { bearer: org.tokenValue, keyId: apiKey.id },
      "token manager": { bearer: managerToken.value, keyId: apiKey.id },
      "admin, 20 mandatory save policies in one set": {
        bearer: governed.tokenValue,
        keyId: governedKey.apiKey.id,
      },
    };
    const out = {};
    for (const [who, { bearer, keyId }] of Object.entries(callers)) {
      const create = (name) =>
        app.inject({
          method: "POST",
          url: `/api/v2/api-keys/${keyId}/tokens`,
          headers: { authorization: `Bearer ${bearer}`, "content-type": "application/vnd.api+json" },
          payload: JSON.stringify({ data: { type: "tokens", attributes: { name } } }),
        });
      const revoke = (id) =>
        app.inject({
          method: "POST",
          url: `/api/v2/tokens/${id}/actions/revoke`,
          headers: { authorization: `Bearer ${bearer}` },
        });
      // Warm: the caller's token, access and the organization's policy snapshot are cached, as on a
      // running server; then one of each is counted.
      const warm = await create("warm");
      if (warm.statusCode !== 201)
        throw new Error(`token creation answered ${warm.statusCode}: ${warm.body}`);
      await revoke(warm.json().data.id);
      let created;
      const createSql = await counting(db.store.db, async () => {
        created = await create("counted");
      });
      if (created.statusCode !== 201) throw new Error(`token creation answered ${created.statusCode}`);
      let revoked;
      const revokeSql = await counting(db.store.db, async () => {
        revoked = await revoke(created.json().data.id);
      });
      if (revoked.statusCode !== 200)
        throw new Error(`revocation answered ${revoked.statusCode}: ${revoked.body}`);
      out[who] = { createSql, revokeSql };
    }
    return out;
  } finally {
    await app.close();
    await db.dispose();
  }
}

const summary = (sqls) => sqls.map((s) => s.replace(/\s+/g, " ").slice(0, 60)).join(" | ");

/** Runs the count on both dialects; resolves to the lines to print. */
export async function runTokenWriteStatements() {
  const out = [];
  for (const dialect of ["sqlite", "postgres"]) {
    for (const [who, { createSql, revokeSql }] of Object.entries(await countFor(dialect))) {
      // Each applicable policy set may add 2 statements (the evaluation and its record).
      const goal = who.includes("policies") ? GOAL + 2 : GOAL;
      out.push(
        `${dialect}, ${who}: token creation ${createSql.length} SQL statements (goal <= ${goal}, BEGIN/COMMIT not counted: ${verdict(createSql.length <= goal)}); revocation ${revokeSql.length} (goal <= ${GOAL}: ${verdict(revokeSql.length <= GOAL)})`,
      );
      if (dialect === "postgres") {
        out.push(
          `  round trips to PostgreSQL (socket writes, BEGIN and COMMIT included): creation ${createSql.writes}, revocation ${revokeSql.writes}`,
        );
      }
      if (process.env.KEYGATE_BENCH_SQL === "1") {
        out.push(`  create: ${summary(createSql)}`);
        out.push(`  revoke: ${summary(revokeSql)}`);
      }
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const l of await runTokenWriteStatements()) console.log(l);
}
