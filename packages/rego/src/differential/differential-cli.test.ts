import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { differentialMain } from "./differential-cli.js";

// The cached opa of scripts/install-opa.sh (tests never build it: that takes minutes).
const OPA = process.env.KEYGATE_OPA ?? join(homedir(), ".cache/keygate/opa/v1.20.2/opa");
const haveOpa = existsSync(OPA);
const haveCli = existsSync(new URL("../../../cli/dist/policy/policy-eval.js", import.meta.url));

async function run(args: string[]): Promise<{ code: number; text: string }> {
  let text = "";
  const code = await differentialMain(args, (s) => {
    text += s;
  });
  return { code, text };
}

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "differential-test-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const emptyKnown = () => folder({ "known.json": JSON.stringify({ mismatches: [] }) });

describe("differentialMain", () => {
  it("says `skipped: no opa` and succeeds when there is no opa", async () => {
    const { code, text } = await run(["--opa", "/nonexistent/opa", "--only", "generated"]);
    expect(code).toBe(0);
    expect(text).toMatch(/skipped: no opa \(\/nonexistent\/opa: no such file\)/);
  });

  it("refuses bad options with the usage", async () => {
    expect((await run(["--only", "everything"])).code).toBe(2);
    expect((await run(["--cases", "many"])).code).toBe(2);
    expect((await run(["--only", "tests"])).text).toContain("--only tests needs --tests <dir>");
  });

  it.skipIf(!haveOpa)("refuses a known-mismatch file it cannot read, saying which", async () => {
    const { code, text } = await run([
      "--opa",
      OPA,
      "--only",
      "generated",
      "--known",
      "/nonexistent/known.json",
    ]);
    expect(code).toBe(2);
    expect(text).toContain("/nonexistent/known.json: cannot read the known mismatches");
  });

  const policies = {
    "authz.rego": 'package authz\n\nallow if input.user == "admin"\n\nhas_probe(c) if c.probe\n',
    "authz_test.rego":
      'package authz_test\n\nimport data.authz\n\ntest_admin if authz.allow with input as {"user": "admin"}\n\n' +
      'test_other if not authz.allow with input as {"user": "bob"}\n\ntodo_test_later if false\n',
  };

  it.skipIf(!haveOpa || !haveCli)("runs a policy folder's tests with both runners and agrees", async () => {
    const dir = folder(policies);
    const { code, text } = await run([
      "--opa",
      OPA,
      "--only",
      "tests",
      "--tests",
      dir,
      "--known",
      join(emptyKnown(), "known.json"),
    ]);
    expect(text).toMatch(/tests\s+3 compared\s+3 agree\s+0 mismatch/);
    expect(code).toBe(0);
  });

  it.skipIf(!haveOpa || !haveCli)(
    "fails on a disagreement no entry covers, printing the repro, and passes once an entry covers it",
    async () => {
      // A known engine gap (the known list's number class): OPA keeps a number key as written
      // (`1e3`), so the test passes there and fails here. When the engine closes that gap, pick
      // another standing disagreement from the known list.
      const dir = folder({
        ...policies,
        "probe.rego": "package probe\n\nk := {1e3: 1}\n",
        "probe_test.rego": 'package probe_test\n\ntest_key if json.marshal(data.probe.k) == "{\\"1e3\\":1}"\n',
      });
      const bare = await run([
        "--opa",
        OPA,
        "--only",
        "tests",
        "--tests",
        dir,
        "--known",
        join(emptyKnown(), "known.json"),
      ]);
      expect(bare.code).toBe(1);
      expect(bare.text).toContain("MISMATCH NEW [tests] data.probe_test.test_key: opa pass, ours fail");
      expect(bare.text).toContain("test_key if json.marshal(data.probe.k)");

      const known = folder({
        "known.json": JSON.stringify({
          mismatches: [
            {
              corpus: "tests",
              case: "data.probe_test.test_key",
              reason: "number keys keep their text in OPA",
            },
            { corpus: "tests", case: "data.nothing.test_gone", reason: "fixed long ago" },
          ],
        }),
      });
      const covered = await run([
        "--opa",
        OPA,
        "--only",
        "tests",
        "--tests",
        dir,
        "--known",
        join(known, "known.json"),
      ]);
      expect(covered.text).toMatch(/1 mismatch \(1 known, 0 new\)/);
      expect(covered.code).toBe(0);
    },
  );

  it.skipIf(!haveOpa || !haveCli)(
    "compares conformance cases: answers, policy eval bytes and policy check",
    async () => {
      const dir = folder({
        "v1/sample/cases.yaml": [
          "cases:",
          "  - note: sample/sum",
          "    modules:",
          "      - |",
          "        package sample",
          "        total := sum(input.xs)",
          "    input: {xs: [1, 2, 3.5]}",
          "    query: data.sample.total = x",
          "    want_result: [{x: 6.5}]",
          "  - note: sample/conflict",
          "    modules:",
          "      - |",
          "        package sample",
          "        p := 1",
          "        p := 2",
          "    query: data.sample.p = x",
          "    want_error_code: eval_conflict_error",
        ].join("\n"),
      });
      const { text } = await run([
        "--opa",
        OPA,
        "--only",
        "conformance",
        "--dir",
        dir,
        "--known",
        join(emptyKnown(), "known.json"),
      ]);
      expect(text).toMatch(/conformance\s+2 compared\s+2 agree/);
      expect(text).toMatch(/eval-bytes\s+2 compared/);
      expect(text).toMatch(/check\s+2 compared\s+2 agree/);
    },
  );

  it.skipIf(!haveOpa || !haveCli)("compares generated cases from a seed", async () => {
    const { text } = await run(["--opa", OPA, "--only", "generated", "--cases", "4", "--random", "0"]);
    expect(text).toMatch(/4 cases with seed 13/);
    expect(text).toMatch(/generated\s+4 compared/);
  });
});
