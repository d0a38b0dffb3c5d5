// Benchmarks: the Rego engine against hand-written JS, against itself at 10 vs 1,000 rules,
// and against Cedar's WebAssembly build on an equivalent role check. All in one run.

import { readFileSync } from "node:fs";
import { Engine } from "@keygate/rego";
import { measurePair, pairLine } from "./harness.js";

// The seed policies are read from ../shared/seeds at run time, unchanged, through the server's
// extraction of the documents' code blocks (built by `npm run build`).
const seeds = await import("../packages/server/dist/domain/governance/seed-policies.js");

// Seed 000 (Harness): the three deny policies the issue names.
const SEED_000 = seeds.governanceSeedsPresent()
  ? ["block-user-tokens", "valid-to-limit", "scheduled-expire-limit"].map((n) => seeds.seed000Source(n))
  : undefined;

function seed000Js(input) {
  const t = input.token ?? {};
  const out = new Set();
  if (typeof t.apiKeyType === "string" && t.apiKeyType.includes("USER")) {
    out.add(`Token APIKeyType ${t.apiKeyType} contains 'USER'`);
  }
  if (typeof t.validTo === "number" && t.validTo > 1779647400000) {
    out.add(`For CreateToken, Token APIKeyType ValidTo ${t.validTo} greater than X date`);
  }
  if (typeof t.scheduledExpireTime === "number" && t.scheduledExpireTime > 1771957800000) {
    out.add(
      `For RotateToken, Token APIKeyType ScheduledExpireTime ${t.scheduledExpireTime} greater than X date`,
    );
  }
  return [...out].sort();
}

// Seed 003 (Spacelift): the time-window and IP-range login policies, in one package.
const SEED_003 = seeds.governanceSeedsPresent()
  ? ["conditional-api-key-access", "ip-restricted-api-keys"].map((n) => seeds.seed003Source(n))
  : undefined;

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** A dotted IPv4 address as a number, or undefined when malformed. */
function ipv4(s) {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      if (part > 255) return undefined;
      digits++;
    } else return undefined;
  }
  return dots === 3 && digits > 0 ? n * 256 + part : undefined;
}

// As a hand-written check would: the constant networks parsed once, the address per request.
const SECURE_NETWORKS = ["10.0.0.0/8", "192.168.100.0/24"].map((cidr) => {
  const [base, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  return { start: Math.floor(ipv4(base) / size) * size, size };
});

/**
 * The whole package `data.spacelift`, as the Rego query returns it: `allow`, `roles` and the two
 * helper rules (a package evaluates every rule, whatever the key's name).
 */
function seed003Js(input) {
  const s = input.session ?? {};
  const r = input.request ?? {};
  const out = {};
  if (s.member !== undefined && s.member !== false) out.allow = true;
  if (typeof r.timestamp_ns === "number") {
    const d = new Date(Math.floor(r.timestamp_ns / 1e6));
    const weekday = WEEKDAYS[d.getUTCDay()];
    const hour = d.getUTCHours();
    if ((weekday === "Tuesday" || weekday === "Thursday") && hour >= 2 && hour <= 4)
      out.is_deployment_window = true;
  }
  const ip = typeof r.remote_ip === "string" ? ipv4(r.remote_ip) : undefined;
  if (ip !== undefined && SECURE_NETWORKS.some((n) => ip >= n.start && ip < n.start + n.size)) {
    out.is_secure_network = true;
  }
  const production = {};
  if (s.login === "scheduled-deployment" && out.is_deployment_window)
    production["time-limited-role-id"] = true;
  if ((s.login === "production-deploy" || s.login === "critical-automation") && out.is_secure_network) {
    production["secure-deployer-role-id"] = true;
  }
  out.roles = { production };
  return out;
}

/** A login policy with `n` rules granting one role each, selected by key name. */
function generatedLoginPolicy(n) {
  const rules = [];
  for (let i = 0; i < n; i++) {
    rules.push(`roles["space-${i % 10}"]["role-${i}"] if input.session.login == "key-${i}"`);
  }
  return `package keygate.login\n\nimport rego.v1\n\n${rules.join("\n")}\n`;
}

function cedarPolicies(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(
      `permit(principal == ApiKey::"key-${i}", action == Action::"assumeRole", resource == Role::"space-${i % 10}/role-${i}");`,
    );
  }
  return out.join("\n");
}

/** The seed policies against the same logic hand-written in JS. */
function seedBench(seed000, seed003) {
  const lines = [];
  // 1. Seed 000 deny policies vs hand-written JS.
  const e0 = new Engine();
  for (const [i, src] of seed000.entries()) e0.addModule(`seed000-${i}.rego`, src);
  const q0 = e0.prepare("data.opapolicy.deny");
  const input0 = { token: { apiKeyType: "SERVICE", validTo: 1779647400001, name: "ci", identifier: "ci" } };
  check("seed 000", q0.evaluate({ input: input0 })[0]?.expressions[0]?.value, seed000Js(input0));
  const p0 = measurePair(
    "seed 000 deny (Rego)",
    () => q0.evaluate({ input: input0 }),
    "same logic in JS",
    () => seed000Js(input0),
  );
  lines.push(pairLine(p0, { text: "within 10x", maxRatio: 10 }));

  // 2. Seed 003 login policies (time window, CIDR) vs hand-written JS.
  const e3 = new Engine();
  for (const [i, src] of seed003.entries()) e3.addModule(`seed003-${i}.rego`, src);
  const q3 = e3.prepare("data.spacelift");
  const tuesday3am = Date.UTC(2026, 10, 24, 3, 15) * 1e6;
  const input3 = {
    session: { login: "scheduled-deployment", member: true },
    request: { timestamp_ns: tuesday3am, remote_ip: "10.1.2.3" },
  };
  check("seed 003", q3.evaluate({ input: input3 })[0]?.expressions[0]?.value, seed003Js(input3));
  const p3 = measurePair(
    "seed 003 login (Rego)",
    () => q3.evaluate({ input: input3 }),
    "same logic in JS",
    () => seed003Js(input3),
  );
  lines.push(pairLine(p3, { text: "within 10x", maxRatio: 10 }));

  // 3. The framework policy (bench/framework: an admission framework of ~1,000 lines) next to
  // the seed 003 login policy, per evaluation.
  const fw = frameworkPolicy();
  check("framework policy", fw.evaluate().allow, true);
  const pf = measurePair(
    `framework policy, ${fw.lines} lines (Rego)`,
    fw.evaluate,
    "seed 003 login (Rego)",
    () => q3.evaluate({ input: input3 }),
  );
  lines.push(pairLine(pf, "none; for context, regorus 69 µs and OPA 89 µs on a policy of that kind"));

  return lines;
}

/** The framework benchmark policy with its data, and a function deciding its known input. */
function frameworkPolicy() {
  const read = (name) => readFileSync(new URL(`./framework/${name}`, import.meta.url), "utf8");
  const source = read("policy.rego");
  const engine = new Engine();
  engine.addModule("policy.rego", source);
  engine.setData(JSON.parse(read("data.json")));
  const query = engine.prepare("data.admission.framework.decision");
  const input = JSON.parse(read("input.json"));
  return {
    lines: source.split("\n").length,
    evaluate: () => query.evaluate({ input })[0]?.expressions[0]?.value,
  };
}

/** Runs the Rego benchmarks and returns printable lines. */
export async function runRegoBench() {
  const lines = [];

  if (!SEED_000 || !SEED_003) {
    lines.push("seed policies: skipped (../shared/seeds is not beside the repository)");
  } else {
    lines.push(...seedBench(SEED_000, SEED_003));
  }

  // 3. 1,000 rules vs 10 rules.
  const e10 = new Engine();
  e10.addModule("login10.rego", generatedLoginPolicy(10));
  const e1000 = new Engine();
  e1000.addModule("login1000.rego", generatedLoginPolicy(1000));
  const q10 = e10.prepare("data.keygate.login.roles");
  const q1000 = e1000.prepare("data.keygate.login.roles");
  const inputN = { session: { login: "key-7" } };
  check("10 rules", q10.evaluate({ input: inputN })[0]?.expressions[0]?.value, {
    "space-7": { "role-7": true },
  });
  check("1000 rules", q1000.evaluate({ input: inputN })[0]?.expressions[0]?.value, {
    "space-7": { "role-7": true },
  });
  const pN = measurePair(
    "1,000-rule login policy",
    () => q1000.evaluate({ input: inputN }),
    "10-rule login policy",
    () => q10.evaluate({ input: inputN }),
  );
  lines.push(pairLine(pN, { text: "within 3x", maxRatio: 3 }));

  // 4. Role check: Rego vs Cedar (wasm), 10 policies each, same question.
  const cedar = await import("@cedar-policy/cedar-wasm/nodejs");
  const parsed = cedar.preparsePolicySet("bench", { staticPolicies: cedarPolicies(10) });
  if (parsed.type !== "success") throw new Error(`cedar policies did not parse: ${JSON.stringify(parsed)}`);
  const cedarCall = {
    principal: { type: "ApiKey", id: "key-7" },
    action: { type: "Action", id: "assumeRole" },
    resource: { type: "Role", id: "space-7/role-7" },
    context: {},
    preparsedPolicySetId: "bench",
    entities: [],
  };
  const cedarAllow = () => {
    const a = cedar.statefulIsAuthorized(cedarCall);
    return a.type === "success" && a.response.decision === "allow";
  };
  check("cedar", cedarAllow(), true);
  const qRole = e10.prepare(`data.keygate.login.roles["space-7"]["role-7"]`);
  const regoAllow = () => qRole.evaluate({ input: inputN })[0]?.expressions[0]?.value === true;
  check("rego role check", regoAllow(), true);
  const pc = measurePair("role check (Rego)", regoAllow, "role check (Cedar wasm)", cedarAllow);
  lines.push(pairLine(pc, { text: "below 1x (faster than Cedar)", maxRatio: 1 }));
  return lines;
}

/**
 * Fails when the two sides of a benchmark disagree. Empty objects are pruned first: OPA keeps
 * the path of a rule whose body is false as an empty object (`roles["space-0"]` is `{}` when no
 * rule under it holds), which the hand-written side leaves out.
 */
function check(what, got, want) {
  if (JSON.stringify(pruneEmpty(got)) !== JSON.stringify(pruneEmpty(want))) {
    throw new Error(
      `${what}: the benchmark's two sides disagree: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`,
    );
  }
}

function pruneEmpty(v) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    const p = pruneEmpty(x);
    if (p !== null && typeof p === "object" && !Array.isArray(p) && Object.keys(p).length === 0) continue;
    out[k] = p;
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await runRegoBench()) console.log(line);
}
