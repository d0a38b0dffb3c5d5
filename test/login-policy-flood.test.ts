// End-to-end: issue 11 part 1, the login-policy half, through a real `keygate serve` process. One
// organization's 64 concurrent callers present tokens its hostile login policy judges; every 10 ms
// a monitor calls /healthz and another organization's authenticated route. Login policies have a
// budget of their own and each organization a CPU share per second (503 with Retry-After past it),
// so the monitor never waits long. The test prints the longest wait and asserts a margin CI noise
// cannot reach (under 1 s); the 100 ms goal is the bench's to check.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./support/api-session.js";
import { REPO_ROOT } from "./support/keygate-build.js";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";

const CALLERS = 64;
const ATTACK_MS = 4000;
const MONITOR_EVERY_MS = 10;

/** Hostile login policies the engine's budget stops today: rules that burn steps until it runs out. */
const BURNING_POLICIES: Readonly<Record<string, string>> = {
  "nested-generators": `package nested_generators
import rego.v1
deny contains "never" if {
  input.session.login == "ATTACKER"
  some i in numbers.range(1, 100000)
  some j in numbers.range(1, 100000)
  i * j < 0
}`,
  "set-comprehension-3000-squared": `package set_comprehension
import rego.v1
deny contains "never" if {
  input.session.login == "ATTACKER"
  count({x | some i in numbers.range(1, 3000); some j in numbers.range(1, 3000); x := i * j}) < 0
}`,
};

/**
 * Hostile login policies that only the hardened engine stops (it refuses huge ranges up front and
 * charges every enumerated element): today `numbers.range(1, 1e9)` aborts V8 and a 10^6-element
 * set comprehension runs for seconds. Run when the engine in this tree is the hardened one.
 */
const ENGINE_DEPENDENT_POLICIES: Readonly<Record<string, string>> = {
  "range-1e9": `package range_huge
import rego.v1
deny contains "never" if {
  input.session.login == "ATTACKER"
  count(numbers.range(1, 1000000000)) > 0
}`,
  "set-comprehension-1e6": `package set_comprehension_huge
import rego.v1
deny contains "never" if {
  input.session.login == "ATTACKER"
  count({x | some x in numbers.range(1, 1000000)}) < 0
}`,
};

/**
 * True when the built engine ends both engine-dependent shapes (refusing, or charging them to the
 * budget) within a second each. Probed in a child process with a small heap: an engine that is not
 * hardened may abort V8, which must not take the test runner with it.
 */
function engineStopsHugeEnumerations(): boolean {
  const probe = `
import { Engine } from "./packages/rego/dist/index.js";
const shapes = ["count(numbers.range(1, 1000000000)) > 0", "count({x | some x in numbers.range(1, 1000000)}) < 0"];
for (const shape of shapes) {
  const engine = new Engine({ budget: { timeoutMs: 25, maxSteps: 1000000 } });
  engine.addModule("p.rego", "package p\\nimport rego.v1\\nx if { " + shape + " }");
  const started = Date.now();
  try { engine.prepare("data.p.x").evaluate({}); } catch {}
  if (Date.now() - started > 1000) process.exit(4);
}
process.exit(0);`;
  const result = spawnSync(
    process.execPath,
    ["--max-old-space-size=256", "--input-type=module", "-e", probe],
    {
      cwd: REPO_ROOT,
      timeout: 20_000,
      stdio: "ignore",
    },
  );
  return result.status === 0;
}

interface FloodResult {
  readonly longestWaitMs: number;
  readonly monitorCalls: number;
  readonly statuses: ReadonlyMap<number, number>;
  readonly retryAfter: readonly string[];
}

/** Runs the flood against a fresh server with `policy` as the hostile organization's login policy. */
async function flood(
  server: KeygateServer,
  hostileAdmin: string,
  victimAdmin: string,
  name: string,
  template: string,
): Promise<FloodResult> {
  const url = server.url;
  // A fresh second: the previous case's callers may have spent this organization's share of the last one.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  // Each case judges its own key name: earlier cases' samples must not hold one this policy breaks.
  const login = `attacker-${name}`;
  const policy = template.replace("ATTACKER", login);
  const created = await api(url, hostileAdmin, "POST", "/organizations/hostile/policies", {
    data: { type: "policies", attributes: { name, kind: "opa", "enforcement-level": "mandatory" } },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const upload = await fetch(`${url}/api/v2/policies/${created.body.data.id}/upload`, {
    method: "PUT",
    headers: { authorization: `Bearer ${hostileAdmin}`, "content-type": "application/octet-stream" },
    body: policy,
  });
  expect(upload.status, await upload.text()).toBe(200);
  const set = await api(url, hostileAdmin, "POST", "/organizations/hostile/policy-sets", {
    data: {
      type: "policy-sets",
      attributes: { name: `login-${name}`, global: true, "entity-types": ["login"] },
      relationships: { policies: { data: [{ id: created.body.data.id, type: "policies" }] } },
    },
  });
  expect(set.status, JSON.stringify(set.body)).toBe(201);
  const attackers = await attackerTokens(url, hostileAdmin, login);

  // Warm-up: each token once, one after the other (first lookups, compiled policies, JIT), so that
  // what is measured is the sustained flood, not a cold start.
  for (const token of attackers) {
    const response = await fetch(`${url}/api/v2/account/details`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await response.arrayBuffer();
  }
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
  // The hostile callers run in a process of their own, so that their load does not delay the
  // monitor's own event loop (the monitor measures the server, not this test process).
  const callers = startCallers(url, attackers);
  let longestWaitMs = 0;
  let monitorCalls = 0;
  const started = Date.now();
  while (Date.now() - started < ATTACK_MS) {
    for (const [path, token] of [
      ["/healthz", undefined],
      ["/api/v2/organizations/victim/service-accounts", victimAdmin],
    ] as const) {
      const t = performance.now();
      const response = await fetch(
        `${url}${path}`,
        token ? { headers: { authorization: `Bearer ${token}` } } : {},
      );
      await response.arrayBuffer();
      longestWaitMs = Math.max(longestWaitMs, performance.now() - t);
      monitorCalls++;
      expect(response.status, path).toBe(200);
    }
    await new Promise((resolve) => setTimeout(resolve, MONITOR_EVERY_MS));
  }
  const { statuses, retryAfter } = await callers;
  expect((await api(url, hostileAdmin, "DELETE", `/policy-sets/${set.body.data.id}`)).status).toBe(204);
  return { longestWaitMs, monitorCalls, statuses, retryAfter };
}

const CALLERS_SCRIPT = `
const [url, tokensJson, count, durationMs] = process.argv.slice(1);
const tokens = JSON.parse(tokensJson);
const statuses = {};
const retryAfter = [];
const until = Date.now() + Number(durationMs);
await Promise.all(Array.from({ length: Number(count) }, async (_, i) => {
  const token = tokens[i % tokens.length];
  while (Date.now() < until) {
    const response = await fetch(url + "/api/v2/account/details", { headers: { authorization: "Bearer " + token } });
    await response.arrayBuffer();
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    const retry = response.headers.get("retry-after");
    if (response.status === 503 && retry !== null && retryAfter.length < 5) retryAfter.push(retry);
  }
}));
process.stdout.write(JSON.stringify({ statuses, retryAfter }));
`;

/** Runs the hostile callers in a child process for ATTACK_MS; resolves to what they were answered. */
function startCallers(
  url: string,
  tokens: readonly string[],
): Promise<{ statuses: Map<number, number>; retryAfter: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        CALLERS_SCRIPT,
        url,
        JSON.stringify(tokens),
        String(CALLERS),
        String(ATTACK_MS),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`the hostile callers exited with ${code}`));
      const parsed = JSON.parse(out) as { statuses: Record<string, number>; retryAfter: string[] };
      resolve({
        statuses: new Map(Object.entries(parsed.statuses).map(([s, n]) => [Number(s), n])),
        retryAfter: parsed.retryAfter,
      });
    });
  });
}

let attackerCount = 0;

/** Four tokens of a fresh key named `login` (the policies judge the key's name). */
async function attackerTokens(url: string, admin: string, login: string): Promise<string[]> {
  const sa = await api(url, admin, "POST", "/organizations/hostile/service-accounts", {
    data: { type: "service-accounts", attributes: { name: `sa-${login}-${attackerCount++}` } },
  });
  expect(sa.status, JSON.stringify(sa.body)).toBe(201);
  const key = await api(url, admin, "POST", `/service-accounts/${sa.body.data.id}/api-keys`, {
    data: { type: "api-keys", attributes: { name: login } },
  });
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  const tokens: string[] = [];
  for (let i = 0; i < 4; i++) {
    const token = await api(url, admin, "POST", `/api-keys/${key.body.data.id}/tokens`, {
      data: { type: "tokens", attributes: { name: `attacker-${i}` } },
    });
    expect(token.status, JSON.stringify(token.body)).toBe(201);
    tokens.push(token.body.data.attributes.token as string);
  }
  return tokens;
}

function report(name: string, result: FloodResult): void {
  const statuses = [...result.statuses].map(([s, n]) => `${s}×${n}`).join(", ");
  console.log(
    `login-policy flood (${name}): ${CALLERS} hostile callers for ${ATTACK_MS} ms; longest monitor wait ` +
      `${result.longestWaitMs.toFixed(1)} ms over ${result.monitorCalls} calls; hostile answers ${statuses}`,
  );
}

describe("64 hostile callers of one organization do not stall the others (real keygate serve)", () => {
  let dataDir: string;
  let server: KeygateServer;
  let hostileAdmin: string;
  let victimAdmin: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "keygate-flood-"));
    const init = async (org: string) => {
      const run = await runKeygate(["init", "--org", org, "--data-dir", dataDir, "--json"]);
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { adminToken: string }).adminToken;
    };
    hostileAdmin = await init("hostile");
    victimAdmin = await init("victim");
    server = await startKeygate(["--data-dir", dataDir], { KEYGATE_LOG_LEVEL: "warn" });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const [name, policy] of Object.entries(BURNING_POLICIES)) {
    it(`with a login policy that burns steps to its budget (${name})`, async () => {
      const result = await flood(server, hostileAdmin, victimAdmin, name, policy);
      report(name, result);
      expect(result.longestWaitMs).toBeLessThan(1000);
      // The policy errors (budget), so its callers are refused; past the CPU share they get 503.
      expect(result.statuses.get(403) ?? 0).toBeGreaterThan(0);
      expect(result.statuses.get(503) ?? 0).toBeGreaterThan(0);
      expect(result.retryAfter.every((r) => /^[1-9]\d*$/.test(r))).toBe(true);
      expect([...result.statuses.keys()].every((s) => s === 403 || s === 503)).toBe(true);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    }, 120_000);
  }

  // Passes once the hardened engine (its own branch) is merged; skipped, saying so, before.
  const hardened = engineStopsHugeEnumerations();
  if (!hardened)
    console.warn(
      "login-policy flood: the engine does not stop huge enumerations yet; engine-dependent cases skipped",
    );
  for (const [name, policy] of Object.entries(ENGINE_DEPENDENT_POLICIES)) {
    it.skipIf(!hardened)(
      `with a login policy only the hardened engine stops (${name})`,
      async () => {
        const result = await flood(server, hostileAdmin, victimAdmin, name, policy);
        report(name, result);
        expect(result.longestWaitMs).toBeLessThan(1000);
        expect(result.statuses.get(503) ?? 0).toBeGreaterThan(0);
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      },
      120_000,
    );
  }
});
