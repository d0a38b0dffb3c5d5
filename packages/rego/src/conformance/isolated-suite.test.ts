import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runSuite } from "./conformance-suite.js";

// The worker thread runs compiled JavaScript, so this test uses the build (npm test builds first).
const built = new URL("../../dist/conformance/isolated-suite.js", import.meta.url);

const root = mkdtempSync(join(tmpdir(), "keygate-isolated-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, "v1", "demo"), { recursive: true });
writeFileSync(
  join(root, "v1", "demo", "test-demo.yaml"),
  `cases:
  - note: demo/one
    query: x = 1 + 1
    want_result: [{x: 2}]
  - note: demo/two
    query: x = count([1, 2])
    want_result: [{x: 3}]
  - note: demo/three
    query: x = "a"
    want_result: [{x: "a"}]
`,
);

describe.skipIf(!existsSync(built))("runSuiteIsolated", () => {
  it("gives the same report as an in-process run", async () => {
    const { runSuiteIsolated } = (await import(built.href)) as typeof import("./isolated-suite.js");
    const isolated = await runSuiteIsolated({ dir: root });
    const inProcess = runSuite({ dir: root });
    expect(isolated.records.map((r) => [r.note, r.outcome.kind])).toEqual([
      ["demo/one", "pass"],
      ["demo/two", "fail"],
      ["demo/three", "pass"],
    ]);
    expect(isolated.records.map((r) => r.outcome)).toEqual(inProcess.records.map((r) => r.outcome));
  });
});
