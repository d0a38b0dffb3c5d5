// Docs: docs/operations.md names every `KEYGATE_*` setting the server and CLI read, and names no
// setting they do not read, so the operations page cannot drift from the configuration code.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/keygate-build.js";

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

// Read by tests and test support only, never by a deployment.
const TEST_ONLY = new Set([
  "KEYGATE_SEEDS_DIR",
  "KEYGATE_TEST_HOLD_AFTER_COMMIT",
  "KEYGATE_TEST_POSTGRES_URL",
]);

function settingsIn(text: string): Set<string> {
  // Whole names only: `KEYGATE_POLICY_*` in a comment is a family, not a setting.
  return new Set([...text.matchAll(/\bKEYGATE_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => m[0]));
}

describe("docs/operations.md", () => {
  const code = new Set<string>();
  for (const dir of ["packages/server/src", "packages/cli/src"]) {
    for (const file of sources(join(REPO_ROOT, dir))) {
      for (const name of settingsIn(readFileSync(file, "utf8"))) if (!TEST_ONLY.has(name)) code.add(name);
    }
  }
  const page = settingsIn(readFileSync(join(REPO_ROOT, "docs/operations.md"), "utf8"));

  it("names every setting the code reads", () => {
    expect(code.size).toBeGreaterThan(15);
    expect([...code].filter((name) => !page.has(name)).sort()).toEqual([]);
  });

  it("names no setting the code does not read", () => {
    expect([...page].filter((name) => !code.has(name)).sort()).toEqual([]);
  });
});
