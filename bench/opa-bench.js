// Benchmarks: the engine against OPA itself, in the same run on the same machine. OPA's side is
// `opa bench --format json` (a prepared query evaluated in a Go benchmark loop, input parsed
// once, the result not rendered); ours is the engine's prepared evaluation. Each row first
// checks that both answer the same, then prints ns/op for both and the ratio OPA time / ours
// (above 1x: we are faster). opa comes from scripts/install-opa.sh; without it the rows print
// `skipped: no opa`.

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Engine } from "@keygate/rego";

const BENCH = fileURLToPath(new URL(".", import.meta.url));
const INSTALL_SCRIPT = fileURLToPath(new URL("../scripts/install-opa.sh", import.meta.url));

/** The framework-scale policy (the engine issue's ≥ 800 lines, bench/framework). */
const FRAMEWORK = {
  policy: join(BENCH, "framework", "policy.rego"),
  input: join(BENCH, "framework", "input.json"),
  data: join(BENCH, "framework", "data.json"),
  query: "data.admission.framework.decision",
};

/** Finds opa as the differential tool does: $KEYGATE_OPA, else the install script's answer. */
function locateOpa() {
  if (process.env.KEYGATE_OPA)
    return existsSync(process.env.KEYGATE_OPA) ? process.env.KEYGATE_OPA : undefined;
  try {
    const out = execFileSync("bash", [INSTALL_SCRIPT], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    return out.trim().split("\n").pop() || undefined;
  } catch {
    return undefined;
  }
}

/** A login policy with `n` rules granting one role each (the same text as the Rego bench's). */
function generatedLoginPolicy(n) {
  const rules = [];
  for (let i = 0; i < n; i++) {
    rules.push(`roles["space-${i % 10}"]["role-${i}"] if input.session.login == "key-${i}"`);
  }
  return `package keygate.login\n\nimport rego.v1\n\n${rules.join("\n")}\n`;
}

/** ns/op of `fn`: calibrated batches of about 60 ms, the best of 15. */
function measure(fn) {
  let batch = 1;
  let sink = 0;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) sink ^= fn() ? 1 : 0;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= 15 || batch >= 1 << 24) {
      batch = Math.max(1, Math.round((batch * 60) / Math.max(ms, 0.001)));
      break;
    }
    batch *= 2;
  }
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 15; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) sink ^= fn() ? 1 : 0;
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / batch);
  }
  if (sink === 42) console.log("");
  return best;
}

/** Runs `opa bench` on the files; returns ns/op, allocations and bytes per op. */
function opaBench(opa, files, query) {
  const args = ["bench", "--format", "json", "--metrics=false", "--benchmem", ...files.versionFlags];
  for (const f of files.modules) args.push("-d", f);
  if (files.data) args.push("-d", files.data);
  args.push("-i", files.input, query);
  const out = JSON.parse(execFileSync(opa, args, { encoding: "utf8", maxBuffer: 1 << 26 }));
  return {
    nsPerOp: out.T / out.N,
    allocsPerOp: out.MemAllocs / out.N,
    bytesPerOp: out.MemBytes / out.N,
  };
}

/** OPA's answer to the query (to check that both sides compute the same before timing them). */
function opaAnswer(opa, files, query) {
  const args = ["eval", "--format", "json", ...files.versionFlags];
  for (const f of files.modules) args.push("-d", f);
  if (files.data) args.push("-d", files.data);
  args.push("-i", files.input, query);
  const out = JSON.parse(execFileSync(opa, args, { encoding: "utf8", maxBuffer: 1 << 26 }));
  return out.result?.[0]?.expressions[0]?.value;
}

/** One row: writes the policy, data and input as files for opa, checks both answers agree, times both. */
function row(opa, name, { modules, data, input, query, regoVersion }) {
  const dir = mkdtempSync(join(tmpdir(), "keygate-opa-bench-"));
  try {
    const files = {
      // The engine detects a v0 module by itself; opa must be told.
      versionFlags: regoVersion === 0 ? ["--v0-compatible"] : [],
      modules: modules.map((m, i) => {
        const p = join(dir, `policy-${i}.rego`);
        writeFileSync(p, m.source);
        return p;
      }),
      data: data === undefined ? undefined : join(dir, "data.json"),
      input: join(dir, "input.json"),
    };
    if (data !== undefined) writeFileSync(files.data, JSON.stringify(data));
    writeFileSync(files.input, JSON.stringify(input));

    const engine = new Engine();
    engine.addModules(modules);
    if (data !== undefined) engine.setData(data);
    const prepared = engine.prepare(query);
    const ours = prepared.evaluate({ input })[0]?.expressions[0]?.value;
    const theirs = opaAnswer(opa, files, query);
    if (canonical(ours) !== canonical(theirs)) {
      return `${name}: NOT TIMED, the answers differ: opa ${clip(canonical(theirs))} | ours ${clip(canonical(ours))}`;
    }
    const o = opaBench(opa, files, query);
    const ns = measure(() => prepared.evaluate({ input }));
    const ratio = o.nsPerOp / ns;
    return (
      `${name}: opa ${fmt(o.nsPerOp)}/op (${Math.round(o.allocsPerOp)} allocs/op, ${fmtBytes(o.bytesPerOp)}/op) | ` +
      `ours ${fmt(ns)}/op (allocations: not counted by V8) | ratio opa/ours ${ratio.toFixed(2)}x` +
      `${ratio < 1 ? " (OPA is faster)" : ""}`
    );
  } catch (e) {
    return `${name}: FAILED: ${clip(String(e.message ?? e).split("\n")[0])}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the OPA side-by-side rows and returns printable lines. */
export async function runOpaBench() {
  const opa = locateOpa();
  if (opa === undefined) return ["opa side by side: skipped: no opa (see scripts/install-opa.sh)"];
  const version = /^Version:\s*(\S+)/m.exec(execFileSync(opa, ["version"], { encoding: "utf8" }))?.[1];
  const lines = [
    `opa ${version} (opa bench --metrics=false), ours: prepared evaluation; ratio = OPA time / ours`,
  ];

  // (a) Seed 003's login policy, read from ../shared/seeds as the Rego bench does.
  const seeds = await import("../packages/server/dist/domain/governance/seed-policies.js");
  if (!seeds.governanceSeedsPresent()) {
    lines.push("seed 003 login policy: skipped (../shared/seeds is not beside the repository)");
  } else {
    const modules = ["conditional-api-key-access", "ip-restricted-api-keys"].map((n, i) => ({
      file: `seed003-${i}.rego`,
      source: seeds.seed003Source(n),
    }));
    const input = {
      session: { login: "scheduled-deployment", member: true },
      request: { timestamp_ns: Date.UTC(2026, 10, 24, 3, 15) * 1e6, remote_ip: "10.1.2.3" },
    };
    // The seed's policies are written in Rego v0 (rules without `if`).
    lines.push(
      row(opa, "seed 003 login policy", { modules, input, query: "data.spacelift", regoVersion: 0 }),
    );
  }

  // (b) The 1,000-rule login policy of the Rego bench.
  lines.push(
    row(opa, "1,000-rule login policy", {
      modules: [{ file: "login1000.rego", source: generatedLoginPolicy(1000) }],
      input: { session: { login: "key-7" } },
      query: "data.keygate.login.roles",
    }),
  );

  // (c) The framework-scale policy, when bench/ has it.
  if (!existsSync(FRAMEWORK.policy) || !existsSync(FRAMEWORK.input)) {
    lines.push(
      "framework-scale policy: skipped (no bench/framework/policy.rego with its input.json)",
    );
  } else {
    lines.push(
      row(opa, "framework-scale policy", {
        modules: [{ file: "framework/policy.rego", source: readFileSync(FRAMEWORK.policy, "utf8") }],
        data: existsSync(FRAMEWORK.data) ? JSON.parse(readFileSync(FRAMEWORK.data, "utf8")) : undefined,
        input: JSON.parse(readFileSync(FRAMEWORK.input, "utf8")),
        query: FRAMEWORK.query,
      }),
    );
  }

  // (d) A Gatekeeper-style admission policy over a Deployment's AdmissionReview.
  lines.push(
    row(opa, "gatekeeper-style admission policy", {
      modules: [
        { file: "admission-policy.rego", source: readFileSync(join(BENCH, "admission-policy.rego"), "utf8") },
      ],
      data: JSON.parse(readFileSync(join(BENCH, "admission-data.json"), "utf8")),
      input: JSON.parse(readFileSync(join(BENCH, "admission-input.json"), "utf8")),
      query: "data.k8s.admission.decision",
    }),
  );
  return lines;
}

function canonical(v) {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
    .join(",")}}`;
}

function clip(s, max = 200) {
  return s.length <= max ? s : `${s.slice(0, max)}…`;
}

function fmt(ns) {
  return ns < 1000
    ? `${ns.toFixed(0)} ns`
    : ns < 1e6
      ? `${(ns / 1000).toFixed(2)} µs`
      : `${(ns / 1e6).toFixed(2)} ms`;
}

function fmtBytes(b) {
  return b < 1024 ? `${Math.round(b)} B` : `${(b / 1024).toFixed(1)} KiB`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await runOpaBench()) console.log(line);
}
