// Benchmarks: token writes as users run them. For SQLite and for PostgreSQL this process fills a
// store (an organization with a service account's API key and tokens to revoke; a second
// organization with 20 mandatory save policies), then starts the real `keygate serve`
// (packages/cli/dist/main.js, default settings plus a failed-auth limit no run reaches) and drives
// it with autocannon in a child process, 64 connections: token creation
// (POST /api/v2/api-keys/:id/tokens) and revocation (POST /api/v2/tokens/:id/actions/revoke, each
// request a different token). Where `taskset` exists the server is pinned to CPU 0 and the load
// generator to CPU 1. Each round reads the server's CPU time from /proc, so every figure comes with
// server CPU per request, which holds far better than throughput on a shared machine. Then: SQL
// statements per create and per revoke (token-write-statements.js), and how long a revocation
// answered by one instance takes to be refused by another on the same PostgreSQL database.
// Run on its own with `node bench/token-write-bench.js` (after `npm run build`), or from bench/run.js.
// `KEYGATE_BENCH_MAIN` runs another build's main.js (e.g. a baseline), `KEYGATE_BENCH_NODE_ARGS`
// adds node flags to the server (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`),
// `KEYGATE_BENCH_ONLY=sqlite|postgres|propagation|statements` runs one part.

import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { verdict } from "./harness.js";
import { canPin, cpuSecondsOf, freePort, pinned, waitReady } from "./pinned-process.js";
import { activeTokenRow } from "./token-rows.js";
import { savePolicy } from "./save-policies.js";
import { runTokenWriteStatements } from "./token-write-statements.js";

const CONNECTIONS = 64;
const DURATION_SECONDS = 3;
const ROUNDS = Number(process.env.KEYGATE_BENCH_ROUNDS ?? 3);
const SAVE_POLICIES = 20;
const PROPAGATION_SAMPLES = 15;
const HERE = dirname(fileURLToPath(import.meta.url));
const THIS_BUILD = join(HERE, "..", "packages", "cli", "dist", "main.js");
const KEYGATE_MAIN = process.env.KEYGATE_BENCH_MAIN ?? THIS_BUILD;
/** Another build's main.js measured beside this one, round by round (e.g. the branch point), for ratios. */
const BASELINE_MAIN = process.env.KEYGATE_BENCH_BASELINE_MAIN;
const POSTGRES_ADMIN_URL = process.env.KEYGATE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const GOALS = {
  sqlite: { rps: 2500, p99: 50 },
  postgres: { rps: 1500 },
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function adminSql(text) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A fresh store location: a SQLite data directory, or a new PostgreSQL database with the server's defaults. */
export async function freshLocation(dialect) {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "keygate-write-bench-"));
    return {
      dialect,
      storeOptions: { dataDir: dir },
      args: ["--data-dir", dir],
      env: { KEYGATE_DATABASE_URL: "" },
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `kg_write_bench_${randomBytes(5).toString("hex")}`;
  await adminSql(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    dialect,
    storeOptions: { databaseUrl: url.toString() },
    args: [],
    env: { KEYGATE_DATABASE_URL: url.toString() },
    dispose: async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await adminSql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          return;
        } catch (error) {
          if (attempt >= 20) throw error;
          await sleep(200);
        }
      }
    },
  };
}

/** Tokens inserted directly (not through the API) for the revocation rounds; returns their ids. */
async function bulkTokens(store, organizationId, apiKeyId, createdBy, count) {
  const now = Date.now();
  const ids = [];
  for (let batch = 0; batch < count; batch += 1000) {
    const rows = [];
    for (let i = batch; i < Math.min(batch + 1000, count); i++) {
      const id = `tok-wbench${String(i).padStart(10, "0")}`;
      ids.push(id);
      rows.push(
        activeTokenRow({
          id,
          organizationId,
          apiKeyId,
          publicId: `W${String(i).padStart(11, "0")}`,
          secretHash: createHash("sha256").update(randomBytes(32)).digest("hex"),
          name: `revocable-${i}`,
          createdBy,
          now,
        }),
      );
    }
    await store.transaction((tx) => tx.db.insertInto("tokens").values(rows).execute());
  }
  return ids;
}

/** Fills the store: organization `bench` (key, tokens to revoke) and `governed` (20 mandatory save policies). */
export async function fillStore(location, revocable) {
  const server = await import("@keygate/server");
  const store = await server.openStore(location.storeOptions);
  try {
    const make = async (name) => {
      const org = await server.bootstrapOrganization(store, { organizationName: name, adminName: "admin" });
      const ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "system" } };
      const { serviceAccount } = await server.createServiceAccount(store, ctx, {
        spaceId: org.rootSpace.id,
        name: "bench-bot",
      });
      const { apiKey } = await server.createApiKey(store, ctx, {
        principalId: serviceAccount.id,
        type: "SERVICE",
        name: "bench",
      });
      return { org, ctx, apiKeyId: apiKey.id };
    };
    const plain = await make("bench");
    const governed = await make("governed");
    const policyIds = [];
    for (let i = 0; i < SAVE_POLICIES; i++) {
      const policy = await server.createPolicy(store, governed.ctx, {
        name: `bench-${i}`,
        enforcementLevel: "mandatory",
      });
      await server.uploadPolicySource(store, governed.ctx, policy.id, savePolicy(i));
      policyIds.push(policy.id);
    }
    await server.createPolicySet(store, governed.ctx, {
      name: "bench",
      global: true,
      entityTypes: ["token"],
      policyIds,
    });
    const revocableIds = await bulkTokens(
      store,
      plain.org.organization.id,
      plain.apiKeyId,
      plain.org.admin.id,
      revocable,
    );
    return {
      admin: plain.org.tokenValue,
      apiKeyId: plain.apiKeyId,
      governedAdmin: governed.org.tokenValue,
      governedApiKeyId: governed.apiKeyId,
      revocableIds,
    };
  } finally {
    await store.close();
  }
}

/** Starts `keygate serve` pinned to CPU 0; resolves once /readyz answers. */
export async function startKeygate(location, env = {}, cpu = 0, main = KEYGATE_MAIN) {
  const port = await freePort();
  const [cmd, args] = pinned(cpu, process.execPath, [
    ...(process.env.KEYGATE_BENCH_NODE_ARGS ? process.env.KEYGATE_BENCH_NODE_ARGS.split(" ") : []),
    main,
    "serve",
    ...location.args,
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
  ]);
  const child = spawn(cmd, args, {
    env: { ...process.env, ...location.env, KEYGATE_AUTH_FAILURE_LIMIT: "1000000", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  try {
    await waitReady(`http://127.0.0.1:${port}/readyz`, child);
  } catch (error) {
    child.kill();
    throw new Error(`${error.message}\n${stderr}`);
  }
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((resolve) => child.on("close", resolve));
      }
    },
  };
}

/** Child side: autocannon, warm-up (unless told not to), "warm", wait for "go", the run, its result. */
async function loadChild(specFile) {
  const spec = JSON.parse(readFileSync(specFile, "utf8"));
  const { default: autocannon } = await import("autocannon");
  const options = {
    url: spec.url,
    method: spec.method,
    headers: spec.headers,
    connections: CONNECTIONS,
  };
  if (spec.body !== undefined) options.body = spec.body;
  if (spec.paths !== undefined) {
    // Each request revokes a token of its own, taken in order.
    let next = spec.offset ?? 0;
    options.requests = [
      {
        method: spec.method,
        setupRequest: (request) => {
          request.path = spec.paths[next++ % spec.paths.length];
          return request;
        },
      },
    ];
  }
  if (spec.warm) await autocannon({ ...options, duration: 1 });
  process.stdout.write("warm\n");
  await new Promise((resolve) => process.stdin.once("data", resolve));
  const r = await autocannon({ ...options, duration: DURATION_SECONDS });
  process.stdout.write(
    `${JSON.stringify({
      rps: r.requests.average,
      total: r.requests.total,
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
      errors: r.non2xx + r.errors + r.timeouts,
      statuses: Object.fromEntries(
        Object.entries(r.statusCodeStats ?? {}).filter(([code]) => !code.startsWith("2")).map(([code, s]) => [code, s.count]),
      ),
    })}\n`,
  );
  process.exit(0);
}

/** One round from a child on CPU 1, measuring the server's CPU during it. */
export async function round(spec, serverPid) {
  const file = join(tmpdir(), `keygate-write-bench-${process.pid}-${randomBytes(4).toString("hex")}.json`);
  writeFileSync(file, JSON.stringify(spec));
  try {
    const [cmd, args] = pinned(1, process.execPath, [fileURLToPath(import.meta.url), "--load", file]);
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout });
    const next = () => new Promise((resolve) => lines.once("line", resolve));
    await next();
    const cpu0 = cpuSecondsOf(serverPid);
    child.stdin.write("go\n");
    const result = JSON.parse(await next());
    const cpu1 = cpuSecondsOf(serverPid);
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on("close", resolve)));
    return { ...result, cpuUsPerRequest: ((cpu1 - cpu0) * 1e6) / Math.max(1, result.total) };
  } finally {
    rmSync(file, { force: true });
  }
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function summary(rs) {
  return {
    rps: median(rs.map((x) => x.rps)),
    p50: median(rs.map((x) => x.p50)),
    p99: median(rs.map((x) => x.p99)),
    worstP99: Math.max(...rs.map((x) => x.p99)),
    max: Math.max(...rs.map((x) => x.max)),
    cpu: median(rs.map((x) => x.cpuUsPerRequest)),
    total: rs.reduce((n, x) => n + x.total, 0),
    errors: rs.reduce((n, x) => n + x.errors, 0),
    statuses: rs.reduce((all, x) => {
      for (const [code, n] of Object.entries(x.statuses ?? {})) all[code] = (all[code] ?? 0) + n;
      return all;
    }, {}),
  };
}

/**
 * Rounds of each target (`{ specOf(round), pid }`), alternating between them (A B B A ...) so that
 * each sees the same machine: per target the median round's figures, the worst p99 and max, and
 * every error; with two targets, medians of the per-round ratios of the first to the second.
 */
async function measure(...targets) {
  const rounds = targets.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? targets.map((_, i) => i) : targets.map((_, i) => i).reverse();
    for (const i of order) rounds[i].push(await round(targets[i].specOf(r), targets[i].pid));
  }
  const out = rounds.map(summary);
  if (targets.length === 2) {
    const [a, b] = rounds;
    out.ratios = {
      rps: median(a.map((x, i) => x.rps / b[i].rps)),
      cpu: median(a.map((x, i) => x.cpuUsPerRequest / b[i].cpuUsPerRequest)),
      p99: median(a.map((x, i) => x.p99 / Math.max(1, b[i].p99))),
    };
  }
  return out;
}

function figures(m) {
  return (
    `${Math.round(m.rps).toLocaleString("en-US")} req/s, ${m.cpu.toFixed(0)} µs server CPU/request, ` +
    `p50 ${m.p50} ms, p99 ${m.p99} ms (worst round ${m.worstP99} ms, max ${m.max} ms)` +
    (m.errors ? `, ${m.errors} errors/non-2xx of ${m.total} (statuses ${JSON.stringify(m.statuses)})!` : "")
  );
}

function goalText(m, goal) {
  const clean = m.errors === 0;
  const why = clean ? "" : " (errors or non-2xx responses)";
  const parts = [`>= ${goal.rps.toLocaleString("en-US")} req/s: ${verdict(clean && m.rps >= goal.rps)}${why}`];
  if (goal.p99 !== undefined) parts.push(`p99 < ${goal.p99} ms: ${verdict(clean && m.p99 < goal.p99)}${why}`);
  return `goal ${parts.join("; ")}`;
}

const JSON_API = "application/vnd.api+json";

export function createSpec(url, token, apiKeyId, warm) {
  return {
    url: `${url}/api/v2/api-keys/${apiKeyId}/tokens`,
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": JSON_API },
    body: JSON.stringify({ data: { type: "tokens", attributes: { name: "bench-token" } } }),
    warm,
  };
}

/** A filled store and `keygate serve` of `main` on it. */
async function servedStore(dialect, main) {
  const location = await freshLocation(dialect);
  try {
    const setup = await fillStore(location, dialect === "sqlite" ? 40_000 : 20_000);
    const server = await startKeygate(location, {}, 0, main);
    return {
      setup,
      server,
      dispose: async () => {
        await server.stop();
        await location.dispose();
      },
    };
  } catch (error) {
    await location.dispose();
    throw error;
  }
}

function revokeSpec(served, r) {
  // Every request a token never revoked before (the rounds take consecutive slices).
  const ids = served.setup.revocableIds;
  const perRound = Math.floor(ids.length / ROUNDS);
  return {
    url: `${served.server.url}/api/v2/tokens/x/actions/revoke`,
    method: "POST",
    headers: { authorization: `Bearer ${served.setup.admin}` },
    paths: ids.slice(r * perRound, (r + 1) * perRound).map((id) => `/api/v2/tokens/${id}/actions/revoke`),
    warm: false,
  };
}

function ratioText(ratios) {
  return ratios === undefined
    ? ""
    : `    vs the baseline build, median of per-round ratios: throughput ${ratios.rps.toFixed(2)}x, server CPU/request ${ratios.cpu.toFixed(2)}x, p99 ${ratios.p99.toFixed(2)}x`;
}

/** Token create and revoke rounds on one dialect (beside the baseline build when given); resolves to the lines to print. */
async function benchDialect(dialect) {
  const served = [];
  try {
    served.push(await servedStore(dialect, KEYGATE_MAIN));
    if (BASELINE_MAIN !== undefined) served.push(await servedStore(dialect, BASELINE_MAIN));
    const out = [];
    const rows = [
      {
        name: "token create",
        specOf: (x) => (r) => createSpec(x.server.url, x.setup.admin, x.setup.apiKeyId, r === 0),
        goal: GOALS[dialect],
      },
      {
        name: "token revoke",
        specOf: (x) => (r) => revokeSpec(x, r),
        goal: GOALS[dialect],
        note: " (the issue's goal for creation, applied to revocation)",
      },
      {
        name: `token create under ${SAVE_POLICIES} mandatory save policies (one global set)`,
        specOf: (x) => (r) => createSpec(x.server.url, x.setup.governedAdmin, x.setup.governedApiKeyId, r === 0),
      },
    ];
    let plainCreate;
    for (const row of rows) {
      const results = await measure(...served.map((x) => ({ specOf: row.specOf(x), pid: x.server.child.pid })));
      const [m, base] = results;
      out.push(`  ${row.name}: ${figures(m)}`);
      if (row.goal !== undefined) out.push(`    ${goalText(m, row.goal)}${row.note ?? ""}`);
      else
        out.push(
          `    ${(m.rps / plainCreate.rps).toFixed(2)}x the throughput and ${(m.cpu / plainCreate.cpu).toFixed(1)}x the server CPU/request of creation without policies (no goal: the figure is stated)${m.errors ? "; NOT met: errors/non-2xx" : ""}`,
        );
      if (base !== undefined) {
        out.push(`    baseline build: ${figures(base)}`);
        out.push(ratioText(results.ratios));
      }
      plainCreate ??= m;
    }
    return out;
  } finally {
    for (const x of served) await x.dispose();
  }
}

/** Two instances on one PostgreSQL database: from sending a revocation to A until B refuses the token. */
async function benchPropagation() {
  const location = await freshLocation("postgres");
  const servers = [];
  try {
    const setup = await fillStore(location, 0);
    // The two instances share CPU 0; the driver (this process) polls from CPU 1.
    servers.push(await startKeygate(location, {}, 0));
    servers.push(await startKeygate(location, {}, 0));
    const [a, b] = servers;
    const samples = [];
    const answered = [];
    let failures = 0;
    for (let i = 0; i < PROPAGATION_SAMPLES; i++) {
      const created = await fetch(`${a.url}/api/v2/api-keys/${setup.apiKeyId}/tokens`, {
        method: "POST",
        headers: { authorization: `Bearer ${setup.admin}`, "content-type": JSON_API },
        body: JSON.stringify({ data: { type: "tokens", attributes: { name: `propagation-${i}` } } }),
      });
      const token = (await created.json()).data;
      const use = () =>
        fetch(`${b.url}/api/v2/account/details`, { headers: { authorization: `Bearer ${token.attributes.token}` } });
      // Used on B until B serves it from its cache.
      for (let k = 0; k < 3; k++) if ((await use()).status !== 200) failures++;
      const t0 = performance.now();
      const revoked = fetch(`${a.url}/api/v2/tokens/${token.id}/actions/revoke`, {
        method: "POST",
        headers: { authorization: `Bearer ${setup.admin}` },
      }).then((r) => {
        answered.push(performance.now() - t0);
        return r.status;
      });
      let refusedAt;
      while (performance.now() - t0 < 5000) {
        const status = (await use()).status;
        if (status === 401) {
          refusedAt = performance.now() - t0;
          break;
        }
      }
      if ((await revoked) !== 200) failures++;
      if (refusedAt === undefined) failures++;
      else samples.push(refusedAt);
    }
    const m = median(samples);
    return [
      `  revocation sent to instance A until instance B refuses the token (B had it cached), ${samples.length} samples: median ${m.toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms; A answered after median ${median(answered).toFixed(1)} ms (it waits for B's receipt)`,
      `    goal median < 50 ms: ${verdict(failures === 0 && m < 50)}${failures ? ` (${failures} failures)` : ""}`,
    ];
  } finally {
    for (const s of servers) await s.stop();
    await location.dispose();
  }
}

/** Runs the benchmark; resolves to the lines to print. */
export async function runTokenWriteBench() {
  const only = process.env.KEYGATE_BENCH_ONLY;
  const out = [
    `real \`keygate serve\` (${KEYGATE_MAIN === THIS_BUILD ? "this build" : KEYGATE_MAIN}${BASELINE_MAIN === undefined ? "" : `, alternating round by round with the baseline build ${BASELINE_MAIN}`}; defaults, failed-auth limit raised), ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_SECONDS} s per figure (median round; worst round's p99 beside it); ${canPin() ? "server on CPU 0, autocannon on CPU 1 (taskset)" : "no CPU pinning (taskset or a second CPU missing)"}`,
  ];
  for (const dialect of ["sqlite", "postgres"]) {
    if (only !== undefined && only !== dialect) continue;
    out.push(`${dialect === "sqlite" ? "SQLite (WAL, the default store)" : "PostgreSQL (server defaults)"}:`);
    out.push(...(await benchDialect(dialect)));
  }
  if (only === undefined || only === "statements") {
    out.push("SQL statements per token write through the HTTP API (counted in process):");
    for (const l of await runTokenWriteStatements()) out.push(`  ${l}`);
  }
  if (only === undefined || only === "propagation") {
    out.push("revocation propagation, two instances on one PostgreSQL database:");
    out.push(...(await benchPropagation()));
  }
  return out;
}

if (process.argv[2] === "--load") {
  await loadChild(process.argv[3]);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const l of await runTokenWriteBench()) console.log(l);
}
