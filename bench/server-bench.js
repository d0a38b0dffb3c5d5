// Benchmarks: Keygate's hot path as users run it. This process fills a SQLite store with tokens,
// then starts the real `keygate serve` (packages/cli/dist/main.js, default settings plus a raised
// failed-auth limit) and, in its own process, a bare Fastify route answering the same bytes. The
// load generator (autocannon) runs in a child process too; where `taskset` exists the servers are
// pinned to CPU 0 and the load generator to CPU 1, so they do not compete for a core. Each round
// reads the server's CPU time (/proc/<pid>/stat utime+stime) before and after, so the figures
// include server CPU per request, which holds far better than throughput on a shared machine.
// Run on its own with `node bench/server-bench.js` (after `npm run build`), or from bench/run.js.
// `KEYGATE_BENCH_TOKENS` sets the store size (default 100,000); `KEYGATE_BENCH_ACCESS_LOG=1` also
// measures the server with one access log line per request.

import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { formatRatio, verdict } from "./harness.js";
import { runTokenWriteStatements } from "./token-write-statements.js";

const TOKEN_COUNT = Number(process.env.KEYGATE_BENCH_TOKENS ?? 100_000);
const CONNECTIONS = 64;
const DURATION_SECONDS = 2;
const ROUNDS = 6;
const HERE = dirname(fileURLToPath(import.meta.url));
const KEYGATE_MAIN = join(HERE, "..", "packages", "cli", "dist", "main.js");
const CLOCK_TICKS = 100;

/** `taskset -c <cpu>` before a command where the machine has it and two CPUs or more. */
function pinned(cpu, command, args) {
  if (canPin()) return ["taskset", ["-c", String(cpu), command, ...args]];
  return [command, args];
}

function canPin() {
  return availableParallelism() >= 2 && hasTaskset();
}

let tasksetKnown;
function hasTaskset() {
  if (tasksetKnown === undefined) {
    try {
      execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
      tasksetKnown = true;
    } catch {
      tasksetKnown = false;
    }
  }
  return tasksetKnown;
}

/** CPU seconds (user + system) the process has used so far. */
function cpuSecondsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url, child) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before it was ready`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} not ready within 60 s`);
}

/** Fills a SQLite store in `dir`: an organization, a service account's token and `count` tokens in all. */
async function fillStore(dir, count) {
  const { bootstrapOrganization, createApiKey, createServiceAccount, createToken, getRootSpace, openStore } =
    await import("@keygate/server");
  const store = await openStore({ dataDir: dir });
  const org = await bootstrapOrganization(store, { organizationName: "bench", adminName: "admin" });
  const ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "system" } };
  const root = await getRootSpace(store, org.organization.id);
  const { serviceAccount } = await createServiceAccount(store, ctx, { spaceId: root.id, name: "bench-bot" });
  const { apiKey } = await createApiKey(store, ctx, {
    principalId: serviceAccount.id,
    type: "SERVICE",
    name: "bench",
  });
  const issued = await createToken(store, ctx, { apiKeyId: apiKey.id, name: "the-one" });
  const started = Date.now();
  const now = Date.now();
  const existing = await store.db
    .selectFrom("tokens")
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirstOrThrow();
  const bulk = count - Number(existing.n);
  for (let batch = 0; batch < bulk; batch += 1000) {
    const rows = [];
    for (let i = batch; i < Math.min(batch + 1000, bulk); i++) {
      rows.push({
        id: `tok-bench${String(i).padStart(11, "0")}`,
        organization_id: org.organization.id,
        api_key_id: apiKey.id,
        public_id: `B${String(i).padStart(11, "0")}`,
        secret_hash: createHash("sha256").update(randomBytes(32)).digest("hex"),
        name: `bulk-${i}`,
        description: "",
        tags: "{}",
        valid_from: now,
        valid_to: null,
        scheduled_expire_time: null,
        revoked_at: null,
        rotated_from_id: null,
        rotated_to_id: null,
        created_at: now,
        updated_at: now,
        created_by: org.admin.id,
        last_used_at: null,
      });
    }
    // 18 columns x 1000 rows stays under SQLite's 32,766 bound parameters.
    await store.transaction((tx) => tx.db.insertInto("tokens").values(rows).execute());
  }
  const total = await store.db
    .selectFrom("tokens")
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirstOrThrow();
  await store.close();
  return {
    serviceToken: issued.value,
    userToken: org.tokenValue,
    tokens: Number(total.n),
    insertMs: Date.now() - started,
  };
}

/** Starts `keygate serve` on the data directory, pinned to CPU 0; resolves once /readyz answers. */
async function startKeygate(dir, env = {}) {
  const port = await freePort();
  const [cmd, args] = pinned(0, process.execPath, [
    ...(process.env.KEYGATE_BENCH_NODE_ARGS ? process.env.KEYGATE_BENCH_NODE_ARGS.split(" ") : []),
    KEYGATE_MAIN,
    "serve",
    "--data-dir",
    dir,
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
  ]);
  const child = spawn(cmd, args, {
    // Default settings, plus a failed-auth limit no bench run reaches.
    env: { ...process.env, KEYGATE_AUTH_FAILURE_LIMIT: "1000000", ...env },
    // Its log (a line per request when on) goes where a user's would: not to a terminal.
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const started = Date.now();
  try {
    await waitReady(`http://127.0.0.1:${port}/readyz`, child);
  } catch (error) {
    child.kill();
    throw new Error(`${error.message}\n${stderr}`);
  }
  return { child, port, startMs: Date.now() - started };
}

/** Starts the bare Fastify route (its own process, CPU 0) answering `body` with `contentType`. */
async function startBare(body, contentType) {
  const port = await freePort();
  const [cmd, args] = pinned(0, process.execPath, [
    fileURLToPath(import.meta.url),
    "--bare",
    String(port),
    contentType,
  ]);
  const child = spawn(cmd, args, { stdio: ["pipe", "inherit", "inherit"] });
  child.stdin.end(body);
  await waitReady(`http://127.0.0.1:${port}/bare`, child);
  return { child, port };
}

/** Child side: a bare Fastify route answering the bytes read from stdin. */
async function serveBare(port, contentType) {
  const { default: Fastify } = await import("fastify");
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const body = Buffer.concat(chunks).toString("utf8");
  const app = Fastify({ logger: false });
  app.get("/bare", async (_request, reply) => reply.type(contentType).send(body));
  await app.listen({ port, host: "127.0.0.1" });
}

/** Child side: autocannon against one URL: warm-up, "warm", wait for "go", the run, its result. */
async function loadChild(spec) {
  const { url, headers } = JSON.parse(spec);
  const { default: autocannon } = await import("autocannon");
  await autocannon({ url, headers, connections: CONNECTIONS, duration: 1 });
  process.stdout.write("warm\n");
  await new Promise((resolve) => process.stdin.once("data", resolve));
  const r = await autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION_SECONDS });
  process.stdout.write(
    `${JSON.stringify({ rps: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors + r.timeouts })}\n`,
  );
  process.exit(0);
}

/** Drives one round against `url` from a child on CPU 1, measuring `serverPid`'s CPU during it. */
async function round(url, headers, serverPid) {
  const [cmd, args] = pinned(1, process.execPath, [
    fileURLToPath(import.meta.url),
    "--load",
    JSON.stringify({ url, headers }),
  ]);
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
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Alternates rounds of the subject and the bare route (A B B A ...); per side the median round,
 * and the ratios as medians of the per-round ratios.
 */
async function compare(subject, bare) {
  const s = [];
  const b = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      s.push(await round(subject.url, subject.headers, subject.pid));
      b.push(await round(bare.url, {}, bare.pid));
    } else {
      b.push(await round(bare.url, {}, bare.pid));
      s.push(await round(subject.url, subject.headers, subject.pid));
    }
  }
  const summary = (rs) => ({
    rps: median(rs.map((x) => x.rps)),
    p50: median(rs.map((x) => x.p50)),
    p99: median(rs.map((x) => x.p99)),
    cpu: median(rs.map((x) => x.cpuUsPerRequest)),
    errors: rs.reduce((n, x) => n + x.errors, 0),
  });
  return {
    subject: summary(s),
    bare: summary(b),
    throughput: median(s.map((x, i) => x.rps / b[i].rps)),
    cpu: median(s.map((x, i) => x.cpuUsPerRequest / b[i].cpuUsPerRequest)),
    p99: median(s.map((x, i) => x.p99 / Math.max(1, b[i].p99))),
  };
}

function line(name, m) {
  return `${name}: ${Math.round(m.rps).toLocaleString("en-US")} req/s, ${m.cpu.toFixed(1)} µs server CPU/request, p50 ${m.p50} ms, p99 ${m.p99} ms${m.errors ? ` (${m.errors} errors/non-2xx!)` : ""}`;
}

function goalLines(name, c, goals) {
  const clean = c.subject.errors === 0 && c.bare.errors === 0;
  const why = clean ? "" : " (errors or non-2xx responses during the run)";
  const out = [
    line(`  ${name}`, c.subject),
    `  ratios vs bare (median of per-round ratios): throughput ${formatRatio(c.throughput)}, server CPU/request ${formatRatio(c.cpu)}, p99 ${formatRatio(c.p99)}`,
  ];
  out.push(
    `  goal: throughput >= ${goals.throughput}x bare: ${verdict(clean && c.throughput >= goals.throughput)}${why}`,
  );
  if (goals.cpu !== undefined)
    out.push(
      `  goal: server CPU/request <= ${goals.cpu}x bare: ${verdict(clean && c.cpu <= goals.cpu)}${why}`,
    );
  if (goals.p99 !== undefined)
    out.push(
      `  goal: p99 <= ${goals.p99}x bare (whole ms, bare counted as >= 1 ms): ${verdict(clean && c.p99 <= goals.p99)}${why}`,
    );
  return out;
}

/** Runs the benchmark; resolves to the lines to print. */
export async function runServerBench() {
  const dir = mkdtempSync(join(tmpdir(), "keygate-bench-"));
  const children = [];
  try {
    const setup = await fillStore(dir, TOKEN_COUNT);
    const keygate = await startKeygate(dir);
    children.push(keygate.child);
    const detailsUrl = `http://127.0.0.1:${keygate.port}/api/v2/account/details`;
    const first = performance.now();
    const sample = await fetch(detailsUrl, { headers: { authorization: `Bearer ${setup.serviceToken}` } });
    const firstMs = performance.now() - first;
    const body = await sample.text();
    if (!sample.ok) throw new Error(`GET /api/v2/account/details answered ${sample.status}: ${body}`);
    const bare = await startBare(body, sample.headers.get("content-type") ?? "application/json");
    children.push(bare.child);
    const pin = canPin();
    const out = [
      `store: SQLite with ${setup.tokens.toLocaleString("en-US")} tokens (bulk insert ${setup.insertMs} ms); real \`keygate serve\` (defaults, failed-auth limit raised) vs a bare Fastify route in its own process answering the same ${body.length} bytes; ${CONNECTIONS} connections, ${DURATION_SECONDS} s rounds, ${ROUNDS} alternating rounds (figures: median round; ratios: median of per-round ratios); ${pin ? "servers on CPU 0, autocannon on CPU 1 (taskset)" : "no CPU pinning (taskset or a second CPU missing)"}`,
      `startup to /readyz: ${keygate.startMs} ms; first authenticated request after ready: ${firstMs.toFixed(1)} ms (goal <= 20 ms: ${verdict(firstMs <= 20)})`,
    ];
    const bareTarget = { url: `http://127.0.0.1:${bare.port}/bare`, pid: bare.child.pid };
    const service = await compare(
      { url: detailsUrl, headers: { authorization: `Bearer ${setup.serviceToken}` }, pid: keygate.child.pid },
      bareTarget,
    );
    out.push(line("bare Fastify route (baseline)", service.bare));
    out.push("authenticated GET /api/v2/account/details, service-account token:");
    out.push(...goalLines("keygate serve", service, { throughput: 0.7, cpu: 1.6, p99: 1.5 }));
    const user = await compare(
      { url: detailsUrl, headers: { authorization: `Bearer ${setup.userToken}` }, pid: keygate.child.pid },
      bareTarget,
    );
    out.push("authenticated GET /api/v2/account/details, user token (the admin's):");
    out.push(...goalLines("keygate serve", user, { throughput: 0.7, cpu: 1.6, p99: 1.5 }));
    keygate.child.kill("SIGTERM");
    await new Promise((resolve) => keygate.child.on("close", resolve));
    if (process.env.KEYGATE_BENCH_ACCESS_LOG === "1") {
      const logged = await startKeygate(dir, { KEYGATE_ACCESS_LOG: "1" });
      children.push(logged.child);
      const withLog = await compare(
        {
          url: detailsUrl.replace(String(keygate.port), String(logged.port)),
          headers: { authorization: `Bearer ${setup.serviceToken}` },
          pid: logged.child.pid,
        },
        bareTarget,
      );
      out.push("the same with KEYGATE_ACCESS_LOG=1 (one log line per request, to /dev/null):");
      out.push(...goalLines("keygate serve + access log", withLog, { throughput: 0.7 }));
      out.push(
        `  access log cost: ${(withLog.subject.cpu - service.subject.cpu).toFixed(1)} µs server CPU/request (${service.subject.cpu.toFixed(1)} -> ${withLog.subject.cpu.toFixed(1)})`,
      );
    }
    out.push("token writes through the HTTP API (statements counted in process):");
    for (const l of await runTokenWriteStatements()) out.push(`  ${l}`);
    return out;
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.all(
      children.map((c) =>
        c.exitCode !== null ? undefined : new Promise((resolve) => c.on("close", resolve)),
      ),
    );
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--bare") {
  await serveBare(Number(process.argv[3]), process.argv[4]);
} else if (process.argv[2] === "--load") {
  await loadChild(process.argv[3]);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const l of await runServerBench()) console.log(l);
}
