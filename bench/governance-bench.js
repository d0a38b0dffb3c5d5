// Benchmarks: the cost of governance, each figure against the same operation without policies,
// in one run. (1) Creating a token with policies on save enforced: under a set of 20 OPA policies
// vs no policy (in-process domain calls on SQLite, the policy evaluation stored with the token).
// (2) An authenticated, authorised `GET /api/v2/account/details` whose caller is judged by a
// 100-rule login policy on every request vs an organization without login policies (a child
// process serves, this process drives it with autocannon on loopback).
// Run on its own with `node bench/governance-bench.js` (after `npm run build`), or from bench/run.js.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { loadUrl, verdict } from "./harness.js";
import { savePolicy } from "./save-policies.js";

const SAVE_POLICIES = 20;
const LOGIN_RULES = 100;
const SAVES_PER_ROUND = 300;
const SAVE_ROUNDS = 3;
const CONNECTIONS = 64;
const DURATION_SECONDS = 2;
const HTTP_ROUNDS = 5;

// What `allow` reads besides the session, per variant of the login policy.
const ALLOW = {
  // Session and address only: the decision is reused for the same caller and address.
  governed: "allow { input.session.member }",
  // The civil time of the request (a time window): the decision is reused within one second.
  clocked: 'allow { input.session.member; time.clock([input.request.timestamp_ns, "UTC"])[0] >= 0 }',
  // The raw timestamp: nothing can be reused, the policy is evaluated on every request.
  exact: "allow { input.session.member; input.request.timestamp_ns > 0 }",
};

/** A login policy of `rules` role rules in seed 003's style, one per key name, plus `allow`. */
function loginPolicy(rules, variant) {
  const allow = ALLOW[variant];
  const lines = ["package spacelift", "", allow, ""];
  for (let i = 0; i < rules; i++) {
    lines.push(`roles["production"]["role-${i}"] {`, `    input.session.login == "key-${i}"`, "}", "");
  }
  return lines.join("\n");
}

async function governedOrganization(server, store, name, admin) {
  const org = await server.bootstrapOrganization(store, { organizationName: name, adminName: admin });
  const ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "system" } };
  return { org, ctx };
}

/** Measures token creations per second (best of rounds) with the save guard of `actor`. */
async function measureSaves(server, store, ctx, apiKeyId, label) {
  let best = 0;
  let n = 0;
  for (let round = 0; round < SAVE_ROUNDS; round++) {
    const guard = server.createPolicySaveGuard(store, ctx.actor);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < SAVES_PER_ROUND; i++) {
      await server.createToken(store, { ...ctx, guard }, { apiKeyId, name: `${label}-${round}-${n++}` });
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.max(best, SAVES_PER_ROUND / seconds);
  }
  return best;
}

/** In-process: token creation with no policy vs under 20 policies. */
async function benchSaves() {
  const server = await import("@keygate/server");
  const dir = mkdtempSync(join(tmpdir(), "keygate-gov-bench-"));
  const store = await server.openStore({ dataDir: dir });
  try {
    const make = async (name) => {
      const { org, ctx } = await governedOrganization(server, store, name, "admin");
      const { serviceAccount } = await server.createServiceAccount(store, ctx, { spaceId: org.rootSpace.id, name: "bench-bot" });
      const { apiKey } = await server.createApiKey(store, ctx, { principalId: serviceAccount.id, type: "SERVICE", name: "bench" });
      return { ctx, apiKeyId: apiKey.id };
    };
    const plain = await make("plain");
    const governed = await make("governed");
    const policyIds = [];
    for (let i = 0; i < SAVE_POLICIES; i++) {
      const policy = await server.createPolicy(store, governed.ctx, { name: `bench-${i}`, enforcementLevel: "mandatory" });
      await server.uploadPolicySource(store, governed.ctx, policy.id, savePolicy(i));
      policyIds.push(policy.id);
    }
    await server.createPolicySet(store, governed.ctx, { name: "bench", global: true, entityTypes: ["token"], policyIds });
    // Alternate so that neither side gets the warmer JIT or the emptier database.
    let none = 0;
    let twenty = 0;
    for (let round = 0; round < 2; round++) {
      none = Math.max(none, await measureSaves(server, store, plain.ctx, plain.apiKeyId, "plain"));
      twenty = Math.max(twenty, await measureSaves(server, store, governed.ctx, governed.apiKeyId, "governed"));
    }
    const evaluations = await server.listPolicyEvaluations(store, governed.ctx.organizationId, { page: { pageNumber: 1, pageSize: 1 } });
    return { none, twenty, evaluations: evaluations.total };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Child side: one app, two organizations (no login policy; a 100-rule one), prints ports and tokens. */
async function serveForBench() {
  const server = await import("@keygate/server");
  const dir = mkdtempSync(join(tmpdir(), "keygate-gov-bench-"));
  const store = await server.openStore({ dataDir: dir });
  const tokens = {};
  for (const name of ["plain", "governed", "clocked", "exact"]) {
    const { org, ctx } = await governedOrganization(server, store, name, "admin");
    const space = await server.createSpace(store, ctx, { parentId: org.rootSpace.id, name: "production" });
    const { serviceAccount } = await server.createServiceAccount(store, ctx, { spaceId: org.rootSpace.id, name: "bench-bot" });
    await server.createRoleBinding(store, ctx, {
      subject: { kind: "principal", principalId: serviceAccount.id },
      roleId: "viewer",
      spaceId: org.rootSpace.id,
    });
    const { apiKey } = await server.createApiKey(store, ctx, { principalId: serviceAccount.id, type: "SERVICE", name: "key-42" });
    const issued = await server.createToken(store, ctx, { apiKeyId: apiKey.id, name: "bench" });
    tokens[name] = issued.value;
    if (name !== "plain") {
      await server.createRole(store, ctx, { name: "role-42", permissions: ["spaces.read"] });
      const policy = await server.createPolicy(store, ctx, { name: "login-100" });
      await server.uploadPolicySource(store, ctx, policy.id, loginPolicy(LOGIN_RULES, name));
      await server.createPolicySet(store, ctx, { name: "login", global: true, entityTypes: ["login"], policyIds: [policy.id] });
      tokens[`${name}Space`] = space.id;
    }
  }
  const app = await server.buildApp({ store, logger: false, authFailureLimit: 1_000_000 });
  await app.listen({ port: 0, host: "127.0.0.1" });
  process.stdout.write(`${JSON.stringify({ port: app.server.address().port, ...tokens })}\n`);
  process.stdin.resume();
  process.stdin.on("end", async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
}

function load(url, headers) {
  return loadUrl(url, headers, { connections: CONNECTIONS, durationSeconds: DURATION_SECONDS });
}

async function benchLogins() {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--serve"], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const setup = await new Promise((resolve) => lines.once("line", (l) => resolve(JSON.parse(l))));
  const base = `http://127.0.0.1:${setup.port}/api/v2`;
  // The login policies' role really is in force: each governed key may read its production space.
  let roleInForce = true;
  for (const name of ["governed", "clocked", "exact"]) {
    const check = await fetch(`${base}/spaces/${setup[`${name}Space`]}`, { headers: { authorization: `Bearer ${setup[name]}` } });
    roleInForce &&= check.status === 200;
  }
  const best = (a, b) => (a === undefined || b.rps > a.rps ? b : a);
  // Each round measures the four organizations back to back, in an order that rotates from round
  // to round; a variant's cost is the median over rounds of its throughput against the baseline of
  // the same round, which holds when the machine's speed drifts between rounds.
  const names = ["plain", "governed", "clocked", "exact"];
  const results = {};
  const ratios = { governed: [], clocked: [], exact: [] };
  let errors = 0;
  for (let round = 0; round < HTTP_ROUNDS; round++) {
    const measured = {};
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      measured[name] = await load(`${base}/account/details`, { authorization: `Bearer ${setup[name]}` });
      results[name] = best(results[name], measured[name]);
      errors += measured[name].errors;
    }
    for (const name of Object.keys(ratios)) ratios[name].push(measured[name].rps / measured.plain.rps);
  }
  child.stdin.end();
  await new Promise((resolve) => child.on("close", resolve));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ratio = Object.fromEntries(Object.entries(ratios).map(([name, xs]) => [name, median(xs)]));
  return { ...results, ratio, roleInForce, clean: errors === 0 };
}

function httpLine(name, m) {
  return `${name}: ${Math.round(m.rps).toLocaleString("en-US")} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms${m.errors ? ` (${m.errors} errors/non-2xx!)` : ""}`;
}

/** Runs both governance benchmarks; resolves to the lines to print. */
export async function runGovernanceBench() {
  const out = [];
  const saves = await benchSaves();
  out.push(`token creation, no policy (baseline): ${Math.round(saves.none).toLocaleString("en-US")} saves/s`);
  out.push(
    `token creation under ${SAVE_POLICIES} mandatory OPA policies (evaluation stored): ${Math.round(saves.twenty).toLocaleString("en-US")} saves/s`,
  );
  out.push(
    `ratio 20 policies/none: throughput ${(saves.twenty / saves.none).toFixed(2)}x (time per save ${(saves.none / saves.twenty).toFixed(2)}x); ${saves.evaluations} evaluations stored`,
  );
  const logins = await benchLogins();
  out.push(
    `${CONNECTIONS} connections, ${DURATION_SECONDS} s each, ${HTTP_ROUNDS} rounds in rotating order (best round shown; ratios: median of per-round ratios), loopback`,
  );
  out.push(httpLine("authenticated GET /api/v2/account/details, no login policy (baseline)", logins.plain));
  out.push(httpLine(`same request under a ${LOGIN_RULES}-rule login policy (session and address only: decision reused)`, logins.governed));
  out.push(
    httpLine(`same request under a ${LOGIN_RULES}-rule login policy reading the civil time (decision reused within the second)`, logins.clocked),
  );
  out.push(
    httpLine(`same request under a ${LOGIN_RULES}-rule login policy reading the raw timestamp (evaluated every request)`, logins.exact),
  );
  for (const [what, r] of [
    ["reused", logins.ratio.governed],
    ["time window, reused per second", logins.ratio.clocked],
    ["every request", logins.ratio.exact],
  ]) {
    out.push(
      `ratio login policy (${what})/none: throughput ${r.toFixed(2)}x, cost ${((1 - r) * 100).toFixed(1)}% of throughput (goal: at most 25%: ${verdict(1 - r <= 0.25 && logins.clean)})`,
    );
  }
  out.push(`roles from the login policies in force during the run: ${logins.roleInForce ? "yes" : "NO"}`);
  return out;
}

if (process.argv.includes("--serve")) {
  await serveForBench();
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const l of await runGovernanceBench()) console.log(l);
}
