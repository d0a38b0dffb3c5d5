import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { policyCheck } from "./policy-check.js";
import { policyEval } from "./policy-eval.js";
import { PolicyFileError } from "./policy-files.js";
import { policyTest } from "./policy-test.js";

const root = mkdtempSync(join(tmpdir(), "keygate-policy-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const p = join(root, rel);
  mkdirSync(join(p, ".."), { recursive: true });
  writeFileSync(p, text);
  return p;
}

/** Runs a command and keeps what it printed. */
function run(
  command: (argv: readonly string[], out: (s: string) => void, err: (s: string) => void) => number,
  argv: readonly string[],
) {
  let stdout = "";
  let stderr = "";
  const code = command(
    argv,
    (s) => {
      stdout += s;
    },
    (s) => {
      stderr += s;
    },
  );
  return { code, stdout, stderr };
}

const AUTHZ = `package authz

import rego.v1

default allow := false

allow if input.role in data.config.admin_roles

deny contains msg if {
  some g in input.groups
  not g in data.config.known_groups
  msg := sprintf("unknown group %s", [g])
}
`;

const policyDir = join(root, "policies");
write("policies/authz.rego", AUTHZ);
write("policies/config/data.json", JSON.stringify({ admin_roles: ["admin"], known_groups: ["ops"] }));
const inputFile = write("input.json", JSON.stringify({ role: "admin", groups: ["ops", "x"] }));

describe("keygate policy eval", () => {
  it("prints the result set as opa eval --format json does, without empty bindings", () => {
    const r = run(policyEval, ["-d", policyDir, "-i", inputFile, "data.authz.allow"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      result: [{ expressions: [{ value: true, text: "data.authz.allow", location: { row: 1, col: 1 } }] }],
    });
  });

  it("prints bindings of query variables, and sets as sorted arrays", () => {
    const r = run(policyEval, ["-d", policyDir, "-i", inputFile, "msgs := data.authz.deny"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).result).toEqual([
      {
        expressions: [{ value: true, text: "msgs := data.authz.deny", location: { row: 1, col: 1 } }],
        bindings: { msgs: ["unknown group x"] },
      },
    ]);
  });

  it("prints big integers exactly, as opa eval does", () => {
    const big = write(
      "big/big.rego",
      "package big\n\nn := 98765432109876543211\nk := {98765432109876543211: 1.5}\n",
    );
    const r = run(policyEval, ["-d", big, "x := data.big"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"n": 98765432109876543211');
    expect(r.stdout).toContain('"98765432109876543211": 1.5');
    expect(r.stdout).not.toContain("98765432109876540000");
  });

  it("prints {} for an undefined result", () => {
    const r = run(policyEval, ["-d", policyDir, "data.authz.nothing"]);
    expect(r).toMatchObject({ code: 0, stdout: "{}\n" });
  });

  it("prints errors with code, message and location, exit 1", () => {
    const bad = write("bad/bad.rego", "package bad\n\np if {\n  x == 1\n}\n");
    const r = run(policyEval, ["-d", bad, "data.bad.p"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      errors: [
        {
          code: "rego_unsafe_var_error",
          message: expect.stringContaining("x"),
          location: { file: bad, row: 4, col: expect.any(Number) },
        },
      ],
    });
  });

  it("rejects a missing query or an unknown format with a usage error", () => {
    expect(run(policyEval, ["-d", policyDir]).code).toBe(2);
    expect(run(policyEval, ["-f", "pretty", "1 == 1"]).code).toBe(2);
  });

  it("stops an evaluation at --timeout with eval_cancel_error, and rejects a timeout that is not a duration", () => {
    const slow = write(
      "slow/slow.rego",
      "package slow\n\nxs := numbers.range(1, 3000)\n\np := count({[a, b, c] | some a in xs; some b in xs; some c in xs})\n",
    );
    const started = performance.now();
    const r = run(policyEval, ["--timeout", "300ms", "-d", slow, "data.slow.p"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).errors[0]).toMatchObject({
      code: "eval_cancel_error",
      message: "evaluation exceeded its time limit of 300 ms",
    });
    expect(performance.now() - started).toBeLessThan(300 + 1000);
    const usage = run(policyEval, ["--timeout", "soon", "-d", slow, "data.slow.p"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--timeout "soon" is not a duration');
  });

  it("names the file when a data file is not valid", () => {
    const broken = write("broken/data.json", "{");
    expect(() => run(policyEval, ["-d", broken, "data"])).toThrow(PolicyFileError);
    expect(() => run(policyEval, ["-d", broken, "data"])).toThrow(/broken\/data.json: not valid JSON/);
  });
});

describe("keygate policy test", () => {
  const tests = write(
    "policies/authz_test.rego",
    `package authz_test

import rego.v1
import data.authz

test_admin if authz.allow with input as {"role": "admin"}

test_guest_denied if not authz.allow with input as {"role": "guest"}

test_wrong if authz.allow with input as {"role": "guest"}

todo_test_later if false
`,
  );

  it("prints failures under their file and the counts; exit 2 when a test fails", () => {
    const r = run(policyTest, [policyDir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`${tests}:\n`);
    expect(r.stdout).toMatch(/data\.authz_test\.test_wrong: FAIL \(/);
    expect(r.stdout).toContain("data.authz_test.todo_test_later: SKIPPED\n");
    expect(r.stdout).not.toContain("test_admin");
    expect(r.stdout).toContain(`${"-".repeat(80)}\nPASS: 2/4\nFAIL: 1/4\nSKIPPED: 1/4\n`);
  });

  it("with -v prints every test; with -r runs only matching tests; exit 0 when all pass", () => {
    const r = run(policyTest, ["-v", "-r", "admin|guest_denied", policyDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/data\.authz_test\.test_admin: PASS \(/);
    expect(r.stdout).toMatch(/data\.authz_test\.test_guest_denied: PASS \(/);
    expect(r.stdout).toContain("PASS: 2/2\n");
  });

  it("draws a progress bar on stderr when it is a terminal, erased before the results", () => {
    let stderr = "";
    let stdout = "";
    const code = policyTest(
      [policyDir],
      (s) => {
        stdout += s;
      },
      (s) => {
        stderr += s;
      },
      true,
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/parsing \[#+\.*\] \d+\/\d+/);
    expect(stderr).toMatch(/testing \[#{24}\] 4\/4/);
    expect(stderr.endsWith("\r\x1b[K")).toBe(true);
    expect(stdout).toContain("PASS: 2/4\n");
    // Not a terminal: nothing but results.
    expect(run(policyTest, [policyDir]).stderr).toBe("");
  });

  it("prints opa test's JSON with --format json", () => {
    const r = run(policyTest, ["--format", "json", policyDir]);
    expect(r.code).toBe(2);
    const results = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(results.map((t) => t.name)).toEqual([
      "test_admin",
      "test_guest_denied",
      "test_wrong",
      "todo_test_later",
    ]);
    expect(results.find((t) => t.name === "test_wrong")).toMatchObject({
      package: "data.authz_test",
      fail: true,
    });
    expect(results.find((t) => t.name === "todo_test_later")).toMatchObject({ skip: true });
    expect(run(policyTest, ["--format", "xml", policyDir]).code).toBe(2);
  });

  it("answers --help with exit 0, and a mistyped option with the closest one", () => {
    for (const command of [policyTest, policyCheck, policyEval]) {
      const help = run(command, ["--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^usage: keygate policy (test|check|eval) /);
      expect(help.stdout).toMatch(/\nexamples?:\n {2}keygate policy /);
    }
    const typo = run(policyTest, ["--verbos", policyDir]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown option --verbos; did you mean --verbose\?/);
  });

  it("reports an evaluation error as ERROR", () => {
    const dir = join(root, "erroring");
    write("erroring/e_test.rego", "package e\n\nx := 1 if true\nx := 2 if true\n\ntest_conflict if x == 1\n");
    const r = run(policyTest, [dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /data\.e\.test_conflict: ERROR \(.*\)\n {2}.*e_test\.rego:\d+:\d+: eval_conflict_error: /,
    );
    expect(r.stdout).toContain("ERROR: 1/1\n");
  });

  it("prints compile errors as file:row:col: code: message, exit 1", () => {
    const bad = write("badtest/b_test.rego", "package b\n\ntest_x if {\n");
    const r = run(policyTest, [bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${escapeRegExp(bad)}:\\d+:\\d+: rego_parse_error: `));
  });
});

describe("keygate policy check", () => {
  it("exit 0 and a short note when every module compiles", () => {
    const r = run(policyCheck, [join(root, "policies", "authz.rego")]);
    expect(r).toMatchObject({ code: 0, stdout: "1 module checked, no errors\n" });
  });

  it("prints every parse error of every file as file:row:col: code: message", () => {
    const a = write("check/a.rego", "package a\n\np if {\n");
    const b = write("check/b.rego", "package b\n\nq := [1,\n");
    const r = run(policyCheck, [join(root, "check")]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines.some((l) => l.startsWith(`${a}:`) && l.includes(": rego_parse_error: "))).toBe(true);
    expect(lines.some((l) => l.startsWith(`${b}:`) && l.includes(": rego_parse_error: "))).toBe(true);
    for (const l of lines) expect(l).toMatch(/^.+:\d+:\d+: rego_[a-z_]+: .+/);
  });

  it("prints compile errors found across modules", () => {
    write("check2/a.rego", "package a\n\nimport rego.v1\n\np if q\n");
    const b = write("check2/b.rego", "package a\n\nq if {\n  y > 1\n}\n");
    const r = run(policyCheck, [join(root, "check2")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${escapeRegExp(b)}:4:\\d+: rego_unsafe_var_error: `));
  });

  it("is a usage error without paths", () => {
    expect(run(policyCheck, []).code).toBe(2);
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
