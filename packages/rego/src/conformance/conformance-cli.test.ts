import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { conformanceMain } from "./conformance-cli.js";

const root = mkdtempSync(join(tmpdir(), "keygate-conformance-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const p = join(root, rel);
  mkdirSync(join(p, ".."), { recursive: true });
  writeFileSync(p, text);
  return p;
}

const MODULE = "        - |\n          package test\n\n          p := 2\n";
write(
  "opa/v1/demo/test-demo.yaml",
  `cases:
    - note: demo/passes
      query: data.test.p = x
      modules:
${MODULE}      want_result:
        - x: 2
    - note: demo/fails
      query: data.test.p = x
      modules:
${MODULE}      want_result:
        - x: 3
`,
);
const dir = join(root, "opa");

async function run(argv: readonly string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await conformanceMain(argv, (s) => {
    out += s;
  });
  return { code, out };
}

describe("conformanceMain", () => {
  it("prints passed and failed per folder and in total", async () => {
    const r = await run(["--in-process", "--dir", dir]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/v1\/demo\s+1 passed\s+1 failed/);
    expect(r.out).toContain("TOTAL  1 passed, 1 failed (0 known, 1 new) of 2 cases (50.0%)");
  });

  it("with --verbose prints each failure's reason; a filter runs only matching cases", async () => {
    const r = await run(["--in-process", "--dir", dir, "-v", "demo/fails"]);
    expect(r.out).toContain(
      'FAIL v1/demo | demo/fails\n     [wrong-result] missing {"x":3}; unexpected {"x":2}',
    );
    expect(r.out).toContain("of 1 cases");
  });

  it("with --check-floor exits 1 below the floor and prints both numbers", async () => {
    const floor = write("floor-high.json", JSON.stringify({ passing: 2, total: 2 }));
    const below = await run(["--in-process", "--dir", dir, "--check-floor", "--floor-file", floor]);
    expect(below.code).toBe(1);
    expect(below.out).toContain("floor check: 1 passing, floor 2: BELOW THE FLOOR");
    const ok = write("floor-ok.json", JSON.stringify({ passing: 1, total: 2 }));
    expect((await run(["--in-process", "--dir", dir, "--check-floor", "--floor-file", ok])).code).toBe(0);
  });

  it("with --update-floor only ever raises the floor", async () => {
    const floor = write("floor-update.json", JSON.stringify({ passing: 0, total: 0 }));
    await run(["--in-process", "--dir", dir, "--update-floor", "--floor-file", floor]);
    expect(JSON.parse(readFileSync(floor, "utf8"))).toMatchObject({ passing: 1, total: 2 });
    writeFileSync(floor, JSON.stringify({ passing: 5, total: 9 }));
    const r = await run(["--in-process", "--dir", dir, "--update-floor", "--floor-file", floor]);
    expect(r.out).toContain("floor kept at 5 (this run: 1)");
    expect(JSON.parse(readFileSync(floor, "utf8"))).toEqual({ passing: 5, total: 9 });
  });

  it("is a setup error when the data folder is missing, and a usage error for bad options", async () => {
    expect((await run(["--dir", join(root, "nowhere")])).code).toBe(2);
    expect((await run(["--timeout-ms", "soon"])).code).toBe(2);
    expect((await run(["--no-such-option"])).code).toBe(2);
  });
});
