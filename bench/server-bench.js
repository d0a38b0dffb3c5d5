// Benchmarks: Keygate's read path as users run it. This process seeds SQLite stores with tokens,
// then starts the real `keygate serve` (packages/cli/dist/main.js, default settings plus a raised
// failed-auth limit) and, in its own process, a bare Fastify route answering the same bytes. The
// load generator (autocannon) runs in a child process too; where `taskset` exists the servers are
// pinned to CPU 0 and the load generator to CPU 1, so they do not compete for a core. Each round
// reads the server's CPU time (/proc/<pid>/stat utime+stime) before and after, so the figures
// include server CPU per request, which holds far better than throughput on a shared machine.
// Rows (issue 14): the authenticated read with a service-account token and with a user token
// (1M-token store); the same with a 100-rule login policy evaluated on every request; 1M stored
// tokens against 1k with the load spread over 10,000 distinct tokens (1,000 on the small store,
// which has no more); the first request after each start. Then the token-write statement counts.
// Run on its own with `node bench/server-bench.js [--quick] [rows]` (after `npm run build`), rows
// among read, policy, scale, writes (default: all), or from bench/run.js. `--quick`: 4 rounds of
// 1.5 s instead of 6 of 2 s. `KEYGATE_BENCH_TOKENS` sets the large store's size (default
// 1,000,000; kept seeded under ~/.cache/keygate/bench); `KEYGATE_BENCH_ACCESS_LOG=1` also measures
// the server with one access log line per request.

import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { formatRatio, verdict } from "./harness.js";
import { canPin, cpuSecondsOf, freePort, pinned, waitReady } from "./pinned-process.js";
import { activeTokenRow } from "./token-rows.js";
import { runTokenWriteStatements } from "./token-write-statements.js";

const TOKEN_COUNT_LARGE = Number(process.env.KEYGATE_BENCH_TOKENS ?? 1_000_000);
const TOKEN_COUNT_SMALL = 1000;
/** Distinct tokens the load spreads over on the large store. */
const HOT_TOKENS = 10_000;
/** Rules of the login policy of the `policy` row. */
const POLICY_RULES = 100;
const CONNECTIONS = 64;
const FULL = { rounds: 6, seconds: 2 };
const QUICK = { rounds: 4, seconds: 1.5 };
/** The rows, in the order they run. */
export const ROWS = ["read", "policy", "scale", "writes"];
const HERE = dirname(fileURLToPath(import.meta.url));
const KEYGATE_MAIN = join(HERE, "..", "packages", "cli", "dist", "main.js");

/** The store's schema as a short digest (the compiled migrations), naming cached seeded stores. */
function schemaDigest() {
  const migrations = join(HERE, "..", "packages", "server", "dist", "store", "migrations");
  const digest = createHash("sha256").update("seed-format-1");
  for (const file of readdirSync(migrations).filter((f) => f.endsWith(".js")).sort()) {
    digest.update(file).update(readFileSync(join(migrations, file)));
  }
  return digest.digest("hex").slice(0, 16);
}

/**
 * Seeds a SQLite store in `dir`: an organization (its admin's token), a service account's key
 * with `count` tokens in all, of which `hot` have known secrets (the load spreads over them).
 * Rows go straight through the store, 1,000 per statement and 50,000 per transaction.
 */
async function seedStore(dir, count, hot) {
  const {
    bootstrapOrganization,
    createApiKey,
    createServiceAccount,
    createToken,
    formatToken,
    getRootSpace,
    newPublicId,
    newSecret,
    openStore,
  } = await import("@keygate/server");
  const started = Date.now();
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
  const now = Date.now();
  const existing = await store.db
    .selectFrom("tokens")
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirstOrThrow();
  const bulk = count - Number(existing.n);
  const hotTokens = [];
  const STATEMENT_ROWS = 1000; // 18 columns x 1,000 rows stays under SQLite's 32,766 bound parameters
  const TRANSACTION_ROWS = 50_000;
  for (let first = 0; first < bulk; first += TRANSACTION_ROWS) {
    await store.transaction(async (tx) => {
      for (let batch = first; batch < Math.min(first + TRANSACTION_ROWS, bulk); batch += STATEMENT_ROWS) {
        const end = Math.min(batch + STATEMENT_ROWS, bulk);
        // Tokens nobody presents get a random hash (no secret to keep).
        const random = randomBytes(32 * (end - batch));
        const rows = [];
        for (let i = batch; i < end; i++) {
          let publicId = `B${String(i).padStart(11, "0")}`;
          let secretHash = random.toString("hex", 32 * (i - batch), 32 * (i - batch + 1));
          if (i < hot) {
            const parts = { kind: "service", publicId: newPublicId(), secret: newSecret() };
            publicId = parts.publicId;
            secretHash = createHash("sha256").update(parts.secret, "utf8").digest("hex");
            hotTokens.push(formatToken(parts));
          }
          rows.push(
            activeTokenRow({
              id: `tok-bench${String(i).padStart(11, "0")}`,
              organizationId: org.organization.id,
              apiKeyId: apiKey.id,
              publicId,
              secretHash,
              name: `bulk-${i}`,
              createdBy: org.admin.id,
              now,
            }),
          );
        }
        await tx.db.insertInto("tokens").values(rows).execute();
      }
    });
  }
  const total = await store.db
    .selectFrom("tokens")
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirstOrThrow();
  await store.close();
  return {
    serviceToken: issued.value,
    userToken: org.tokenValue,
    hotTokens,
    tokens: Number(total.n),
    seedMs: Date.now() - started,
  };
}

/**
 * A seeded store in `dir` (see seedStore). Large ones are kept seeded under
 * ~/.cache/keygate/bench (named by token count and schema digest) and copied from there: seeding a
 * million tokens takes longer than copying the file. `KEYGATE_BENCH_NO_CACHE=1` always seeds.
 */
async function preparedStore(dir, count, hot) {
  if (count < 100_000 || process.env.KEYGATE_BENCH_NO_CACHE === "1") {
    return { ...(await seedStore(dir, count, hot)), source: "seeded" };
  }
  const cached = join(homedir(), ".cache", "keygate", "bench", `tokens-${count}-${hot}-${schemaDigest()}`);
  const meta = join(cached, "seed.json");
  if (!existsSync(meta)) {
    const building = `${cached}.building-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    mkdirSync(building, { recursive: true });
    const seeded = await seedStore(join(building, "data"), count, hot);
    // The admin and bench tokens of this throwaway store sit next to it (mode 0600), for reuse.
    writeFileSync(join(building, "seed.json"), JSON.stringify(seeded), { mode: 0o600 });
    rmSync(cached, { recursive: true, force: true });
    renameSync(building, cached);
    const copied = Date.now();
    cpSync(join(cached, "data"), dir, { recursive: true });
    return { ...seeded, source: `seeded ${seeded.seedMs} ms and kept in ${cached}; copied ${Date.now() - copied} ms` };
  }
  const copied = Date.now();
  cpSync(join(cached, "data"), dir, { recursive: true });
  const seeded = JSON.parse(readFileSync(meta, "utf8"));
  return { ...seeded, source: `copied from ${cached} in ${Date.now() - copied} ms (seeding took ${seeded.seedMs} ms)` };
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

/**
 * Child side: autocannon against one URL: warm-up, "warm", wait for "go", the run, its result.
 * With `tokensFile` (one token a line) each request presents the next token in turn.
 */
async function loadChild(spec) {
  const { url, headers, tokensFile, seconds, warmAll } = JSON.parse(spec);
  const { default: autocannon } = await import("autocannon");
  const options = { url, headers, connections: CONNECTIONS };
  let tokens = [];
  if (tokensFile !== undefined) {
    tokens = readFileSync(tokensFile, "utf8").split("\n").filter(Boolean);
    let next = 0;
    options.requests = [
      {
        setupRequest: (request) => {
          request.headers = { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` };
          return request;
        },
      },
    ];
  }
  if (warmAll) {
    // Every token presented twice before any round: a steady state of this many tokens in use is
    // measured, not the first sight of each (a store lookup and its first last-used-at write).
    const warm = await autocannon({ ...options, amount: 2 * tokens.length });
    process.stdout.write(
      `${JSON.stringify({ total: warm.requests.total, errors: warm.non2xx + warm.errors + warm.timeouts })}\n`,
    );
    process.exit(0);
  }
  await autocannon({ ...options, duration: 1 });
  process.stdout.write("warm\n");
  await new Promise((resolve) => process.stdin.once("data", resolve));
  const r = await autocannon({ ...options, duration: seconds });
  process.stdout.write(
    `${JSON.stringify({ rps: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors + r.timeouts })}\n`,
  );
  process.exit(0);
}

/** Presents each of a target's tokens twice (from CPU 1); resolves to the count and the errors. */
async function warmTokens(target) {
  const [cmd, args] = pinned(1, process.execPath, [
    fileURLToPath(import.meta.url),
    "--load",
    JSON.stringify({ url: target.url, headers: target.headers ?? {}, tokensFile: target.tokensFile, warmAll: true }),
  ]);
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise((resolve) => createInterface({ input: child.stdout }).once("line", resolve));
  await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on("close", resolve)));
  return JSON.parse(line);
}

/** Drives one round against a target from a child on CPU 1, measuring the target server's CPU during it. */
async function round(target, settings) {
  const [cmd, args] = pinned(1, process.execPath, [
    fileURLToPath(import.meta.url),
    "--load",
    JSON.stringify({
      url: target.url,
      headers: target.headers ?? {},
      tokensFile: target.tokensFile,
      seconds: settings.seconds,
    }),
  ]);
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const next = () => new Promise((resolve) => lines.once("line", resolve));
  await next();
  const cpu0 = cpuSecondsOf(target.pid);
  child.stdin.write("go\n");
  const result = JSON.parse(await next());
  const cpu1 = cpuSecondsOf(target.pid);
  await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on("close", resolve)));
  return { ...result, cpuUsPerRequest: ((cpu1 - cpu0) * 1e6) / Math.max(1, result.total) };
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Alternates rounds of the subject and the baseline (A B B A ...); per side the median round,
 * and the ratios as medians of the per-round ratios.
 */
async function compare(subject, baseline, settings) {
  const s = [];
  const b = [];
  for (let r = 0; r < settings.rounds; r++) {
    if (r % 2 === 0) {
      s.push(await round(subject, settings));
      b.push(await round(baseline, settings));
    } else {
      b.push(await round(baseline, settings));
      s.push(await round(subject, settings));
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

function goalLines(name, c, goals, baseline = "bare") {
  const clean = c.subject.errors === 0 && c.bare.errors === 0;
  const why = clean ? "" : " (errors or non-2xx responses during the run)";
  const out = [
    line(`  ${name}`, c.subject),
    `  ratios vs ${baseline} (median of per-round ratios): throughput ${formatRatio(c.throughput)}, server CPU/request ${formatRatio(c.cpu)}, p99 ${formatRatio(c.p99)}`,
  ];
  out.push(
    `  goal: throughput >= ${goals.throughput}x ${baseline}: ${verdict(clean && c.throughput >= goals.throughput)}${why}`,
  );
  if (goals.cpu !== undefined)
    out.push(
      `  goal: server CPU/request <= ${goals.cpu}x ${baseline}: ${verdict(clean && c.cpu <= goals.cpu)}${why}`,
    );
  if (goals.p99 !== undefined)
    out.push(
      `  goal: p99 <= ${goals.p99}x ${baseline} (whole ms, ${baseline} counted as >= 1 ms): ${verdict(clean && c.p99 <= goals.p99)}${why}`,
    );
  return out;
}

/**
 * A login policy of `rules` deny rules of four everyday kinds (a blocked address range, a blocked
 * login, a team kept off DELETE, a cut-off date). It reads the request's timestamp as a number, so
 * no decision can be reused: it is evaluated on every request. None of its rules denies the bench.
 */
export function loginPolicyText(rules) {
  const lines = ["package bench.login", "import rego.v1", ""];
  for (let i = 0; i < rules; i++) {
    switch (i % 4) {
      case 0:
        lines.push(`deny contains "blocked range ${i}" if net.cidr_contains("10.${i % 256}.0.0/16", input.request.remote_ip)`);
        break;
      case 1:
        lines.push(`deny contains "blocked login ${i}" if input.session.login == "retired-${i}"`);
        break;
      case 2:
        lines.push(`deny contains "team ${i} may not delete" if {`, `  "team-${i}" in input.session.teams`, `  input.request.method == "DELETE"`, "}");
        break;
      default:
        lines.push(`deny contains "before cut-off ${i}" if input.request.timestamp_ns < ${1_500_000_000 + i}000000000`);
    }
  }
  return `${lines.join("\n")}\n`;
}

async function api(base, token, method, path, body, contentType = "application/vnd.api+json") {
  const response = await fetch(`${base}/api/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": contentType } : {}) },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text === "" ? undefined : JSON.parse(text);
}

/**
 * Attaches the login policy to the organization "bench" through the API, as a user would;
 * resolves to the ms each of the three calls took.
 */
async function attachLoginPolicy(base, adminToken, rules) {
  const times = [];
  let at = performance.now();
  const lap = () => {
    const now = performance.now();
    times.push(Math.round(now - at));
    at = now;
  };
  const policy = await api(base, adminToken, "POST", "/organizations/bench/policies", {
    data: { type: "policies", attributes: { name: "bench-login", kind: "opa", "enforcement-level": "mandatory" } },
  });
  lap();
  await api(base, adminToken, "PUT", `/policies/${policy.data.id}/upload`, loginPolicyText(rules), "application/octet-stream");
  lap();
  await api(base, adminToken, "POST", "/organizations/bench/policy-sets", {
    data: {
      type: "policy-sets",
      attributes: { name: "bench-login", global: true, "entity-types": ["login"] },
      relationships: { policies: { data: [{ id: policy.data.id, type: "policies" }] } },
    },
  });
  lap();
  return times;
}

/** CPU ms the main thread of `pid` has run (/proc/<pid>/task/<pid>/schedstat, ns); undefined where missing. */
function mainThreadCpuMs(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
  } catch {
    return undefined;
  }
}

/** GET /account/details with a token: ms to the whole answer, the server's main-thread CPU ms meanwhile, and the answer. */
async function timedDetails(base, token, pid) {
  // From a client of its own on CPU 1, warmed on /readyz over the connection it then times the
  // request on: the figure is the server's first authenticated request, not this process's state
  // (a collection of the seeding's garbage, a first fetch) nor a connection set up.
  const [cmd, args] = pinned(1, process.execPath, [fileURLToPath(import.meta.url), "--first-request", base]);
  // The token goes by environment, not on the command line (which any local user can list).
  const child = spawn(cmd, args, {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, KEYGATE_BENCH_TOKEN: token },
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ready = await lines.next();
  if (ready.value !== "warm") throw new Error(`first-request client: ${ready.value ?? "exited"}`);
  const cpu0 = pid === undefined ? undefined : mainThreadCpuMs(pid);
  child.stdin.write("go\n");
  const answer = JSON.parse((await lines.next()).value);
  const cpu1 = pid === undefined ? undefined : mainThreadCpuMs(pid);
  child.stdin.end();
  const cpuMs = cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0;
  if (answer.status !== 200) throw new Error(`GET /api/v2/account/details answered ${answer.status}: ${answer.body}`);
  return { ms: answer.ms, cpuMs, body: answer.body, contentType: answer.contentType ?? "application/json" };
}

/** Child side: GET /readyz twice, "warm", wait for "go", then one timed authenticated GET on the same connection. */
async function firstRequestChild(base, token) {
  const http = await import("node:http");
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path, headers) =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      http
        .get(`${base}${path}`, { agent, headers }, (response) => {
          const chunks = [];
          response.on("data", (chunk) => chunks.push(chunk));
          response.on("end", () =>
            resolve({
              ms: performance.now() - started,
              status: response.statusCode,
              contentType: response.headers["content-type"],
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
        })
        .on("error", reject);
    });
  await get("/readyz", {});
  await get("/readyz", {});
  process.stdout.write("warm\n");
  await new Promise((resolve) => process.stdin.once("data", resolve));
  const answer = await get("/api/v2/account/details", { authorization: `Bearer ${token}` });
  process.stdout.write(`${JSON.stringify(answer)}\n`);
  agent.destroy();
}

function firstRequestLine(name, keygate, first) {
  const cpu = first.cpuMs === undefined ? "" : `, of which the server's main thread ran ${first.cpuMs.toFixed(1)} ms`;
  return `${name}: startup to /readyz ${keygate.startMs} ms; first authenticated request after ready: ${first.ms.toFixed(1)} ms${cpu} (goal <= 20 ms: ${verdict(first.ms <= 20)})`;
}

/**
 * Runs the benchmark; resolves to the lines to print.
 * @param {{ quick?: boolean, rows?: readonly string[] }} [options] rows among ROWS (default all)
 */
export async function runServerBench(options = {}) {
  const settings = options.quick ? QUICK : FULL;
  const rows = new Set(options.rows?.length ? options.rows : ROWS);
  for (const row of rows) if (!ROWS.includes(row)) throw new Error(`unknown row ${row} (rows: ${ROWS.join(", ")})`);
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "keygate-bench-"));
  const children = [];
  const track = (child) => {
    children.push(child);
    return child;
  };
  const exited = (child) => child.exitCode !== null || child.signalCode !== null;
  const stop = async (child) => {
    if (exited(child)) return;
    const closed = new Promise((resolve) => child.once("close", resolve));
    child.kill("SIGTERM");
    await closed;
  };
  const pin = canPin();
  const out = [
    `real \`keygate serve\` (defaults, failed-auth limit raised) against a bare Fastify route in its own process answering the same bytes; ${CONNECTIONS} connections, ${settings.seconds} s rounds, ${settings.rounds} alternating rounds (figures: median round; ratios: median of per-round ratios); ${pin ? "servers on CPU 0, autocannon on CPU 1 (taskset)" : "no CPU pinning (taskset or a second CPU missing)"}`,
  ];
  try {
    const needLarge = rows.has("read") || rows.has("scale");
    const needSmall = rows.has("policy") || rows.has("scale");
    const large = needLarge ? await preparedStore(join(dir, "large"), TOKEN_COUNT_LARGE, HOT_TOKENS) : undefined;
    if (large) out.push(`large store: SQLite with ${large.tokens.toLocaleString("en-US")} tokens (${large.source})`);
    const small = needSmall ? await preparedStore(join(dir, "small"), TOKEN_COUNT_SMALL, TOKEN_COUNT_SMALL) : undefined;
    if (small) out.push(`small store: SQLite with ${small.tokens.toLocaleString("en-US")} tokens (${small.source})`);

    let bare;
    const bareFor = async (body, contentType) => {
      if (bare === undefined) {
        const started = await startBare(body, contentType);
        track(started.child);
        bare = { url: `http://127.0.0.1:${started.port}/bare`, pid: started.child.pid, bytes: body.length };
      }
      return bare;
    };

    let largeServer;
    if (large) {
      largeServer = await startKeygate(join(dir, "large"));
      track(largeServer.child);
      largeServer.base = `http://127.0.0.1:${largeServer.port}`;
      const first = await timedDetails(largeServer.base, large.serviceToken, largeServer.child.pid);
      out.push(firstRequestLine("large store", largeServer, first));
      await bareFor(first.body, first.contentType);
    }
    const detailsOn = (server, token) => ({
      url: `${server.base}/api/v2/account/details`,
      headers: { authorization: `Bearer ${token}` },
      pid: server.child.pid,
    });

    if (rows.has("read") && large && largeServer) {
      out.push(`bare Fastify route (baseline) answering the same ${bare.bytes} bytes`);
      const service = await compare(detailsOn(largeServer, large.serviceToken), bare, settings);
      out.push(line("  bare route", service.bare));
      out.push("authenticated GET /api/v2/account/details, service-account token:");
      out.push(...goalLines("keygate serve", service, { throughput: 0.7, cpu: 1.6, p99: 1.5 }));
      const user = await compare(detailsOn(largeServer, large.userToken), bare, settings);
      out.push("authenticated GET /api/v2/account/details, user token (the admin's):");
      out.push(...goalLines("keygate serve", user, { throughput: 0.7, cpu: 1.6, p99: 1.5 }));
      if (process.env.KEYGATE_BENCH_ACCESS_LOG === "1") {
        const logged = await startKeygate(join(dir, "large"), { KEYGATE_ACCESS_LOG: "1" });
        track(logged.child);
        logged.base = `http://127.0.0.1:${logged.port}`;
        const withLog = await compare(detailsOn(logged, large.serviceToken), bare, settings);
        out.push("the same with KEYGATE_ACCESS_LOG=1 (one log line per request, to /dev/null):");
        out.push(...goalLines("keygate serve + access log", withLog, { throughput: 0.7 }));
        out.push(
          `  access log cost: ${(withLog.subject.cpu - service.subject.cpu).toFixed(1)} µs server CPU/request (${service.subject.cpu.toFixed(1)} -> ${withLog.subject.cpu.toFixed(1)})`,
        );
        await stop(logged.child);
      }
    }

    let smallServer;
    if (small) {
      smallServer = await startKeygate(join(dir, "small"));
      track(smallServer.child);
      smallServer.base = `http://127.0.0.1:${smallServer.port}`;
      const first = await timedDetails(smallServer.base, small.serviceToken, smallServer.child.pid);
      out.push(firstRequestLine("small store", smallServer, first));
      await bareFor(first.body, first.contentType);
    }

    if (rows.has("scale") && large && largeServer && small && smallServer) {
      const hotFile = (name, tokens) => {
        const file = join(dir, `${name}-tokens.txt`);
        writeFileSync(file, tokens.join("\n"), { mode: 0o600 });
        return file;
      };
      const onLarge = { ...detailsOn(largeServer, large.serviceToken), tokensFile: hotFile("large", large.hotTokens) };
      const onSmall = { ...detailsOn(smallServer, small.serviceToken), tokensFile: hotFile("small", small.hotTokens) };
      const warmed = [await warmTokens(onLarge), await warmTokens(onSmall)];
      const scale = await compare(onLarge, onSmall, settings);
      scale.subject.errors += warmed[0].errors;
      scale.bare.errors += warmed[1].errors;
      out.push(
        `${large.tokens.toLocaleString("en-US")} stored tokens, load spread over ${large.hotTokens.length.toLocaleString("en-US")} distinct tokens, against ${small.tokens.toLocaleString("en-US")} stored tokens, load spread over all ${small.hotTokens.length.toLocaleString("en-US")} (the same route and principal; each token presented twice before the rounds):`,
      );
      out.push(line("  1k-token store", scale.bare));
      out.push(...goalLines("1M-token store", scale, { throughput: 0.9 }, "1k-token store"));
    }

    if (largeServer) await stop(largeServer.child);

    if (rows.has("policy") && small && smallServer) {
      // Each organization's login policies get 50 ms of CPU a second by default (fairness between
      // tenants), which caps this one organization near 1,000 evaluations a second whatever their
      // speed: the row measures the evaluations on a server that lets one organization use the core.
      await stop(smallServer.child);
      smallServer = await startKeygate(join(dir, "small"), { KEYGATE_LOGIN_POLICY_CPU_MS_PER_SECOND: "1000" });
      track(smallServer.child);
      smallServer.base = `http://127.0.0.1:${smallServer.port}`;
      const attach = await attachLoginPolicy(smallServer.base, small.userToken, POLICY_RULES);
      // The policy holds before the rows are measured: the bench's own requests are judged by it.
      const judged = await timedDetails(smallServer.base, small.serviceToken);
      const withPolicy = await compare(detailsOn(smallServer, small.serviceToken), await bareFor(judged.body, judged.contentType), settings);
      out.push(
        `authenticated GET /api/v2/account/details, service-account token, with a ${POLICY_RULES}-rule login policy evaluated on every request (attached through the API: policy ${attach[0]} ms, upload ${attach[1]} ms, set ${attach[2]} ms; KEYGATE_LOGIN_POLICY_CPU_MS_PER_SECOND=1000, the default 50 would refuse most requests with 503):`,
      );
      out.push(...goalLines("keygate serve", withPolicy, { throughput: 0.6 }));
    }
    if (smallServer) await stop(smallServer.child);

    if (rows.has("writes")) {
      out.push("token writes through the HTTP API (statements counted in process):");
      for (const l of await runTokenWriteStatements()) out.push(`  ${l}`);
    }
    out.push(`server bench took ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return out;
  } finally {
    await Promise.all(children.map(stop));
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--bare") {
  await serveBare(Number(process.argv[3]), process.argv[4]);
} else if (process.argv[2] === "--load") {
  await loadChild(process.argv[3]);
} else if (process.argv[2] === "--first-request") {
  await firstRequestChild(process.argv[3], process.env.KEYGATE_BENCH_TOKEN ?? "");
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const lines = await runServerBench({ quick: args.includes("--quick"), rows: args.filter((a) => !a.startsWith("--")) });
  for (const l of lines) console.log(l);
}
