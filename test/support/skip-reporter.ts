// Test support: a Vitest reporter that ends every run with how many tests were skipped, in which
// files, and whether the shared data they depend on (`../shared`: seeds and OPA's conformance
// cases) was there, so a green run that skipped what it could not check says so.
import { existsSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Reporter, TestModule } from "vitest/node";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SHARED = fileURLToPath(new URL("../../../shared/", import.meta.url));

/** Prints the skipped tests per file and the presence of `../shared` after every run. */
export default class SkipReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skippedByFile = new Map<string, number>();
    for (const module of testModules) {
      let skipped = 0;
      for (const test of module.children.allTests()) {
        if (test.result().state === "skipped") skipped++;
      }
      if (skipped > 0) skippedByFile.set(relative(REPO_ROOT, module.moduleId), skipped);
    }
    const total = [...skippedByFile.values()].reduce((a, b) => a + b, 0);
    const shared = [
      `seeds ${existsSync(`${SHARED}seeds`) ? "present" : "ABSENT"}`,
      `conformance ${existsSync(`${SHARED}conformance`) ? "present" : "ABSENT"}`,
    ].join(", ");
    const lines = [`skipped: ${total} test(s); ../shared: ${shared}`];
    for (const [file, count] of [...skippedByFile].sort((a, b) => b[1] - a[1])) lines.push(`  ${count}\t${file}`);
    process.stdout.write(`\n${lines.join("\n")}\n`);
  }
}
