import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFORMANCE_DIR, OWN_CASES_DIR, OWN_CASES_PREFIX } from "./case-files.js";
import { readFloor } from "./conformance-floor.js";
import { runSuite } from "./conformance-suite.js";

// OPA's own cases, read from ../shared/conformance (never copied here), with Keygate's own cases
// (packages/rego/conformance-cases); skipped when OPA's are absent.
describe.skipIf(!existsSync(DEFAULT_CONFORMANCE_DIR))("OPA conformance cases", () => {
  it("pass at least as often as the floor recorded in packages/rego/conformance-floor.json", () => {
    const report = runSuite({
      dir: DEFAULT_CONFORMANCE_DIR,
      extraDirs: [{ dir: OWN_CASES_DIR, prefix: OWN_CASES_PREFIX }],
    });
    const floor = readFloor();
    const newFailures = report.records
      .filter((r) => r.outcome.kind === "fail" && !r.known)
      .map((r) => r.note);
    expect(report.total).toBeGreaterThan(0);
    expect(
      report.passed,
      `${report.passed} of ${report.total} cases pass, below the floor of ${floor.passing}; failures not in known-failures.ts: ${newFailures.join(", ")}`,
    ).toBeGreaterThanOrEqual(floor.passing);
  }, 120_000);
});
