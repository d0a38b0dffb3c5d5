// End-to-end tests, support: makes sure the built CLI exists (builds it with tsc -b once if not).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The built CLI entry point. */
export const CLI_MAIN = fileURLToPath(new URL("../../packages/cli/dist/main.js", import.meta.url));

/** Builds the CLI (and what it depends on) when its entry point is missing. */
export function ensureCliBuilt(): void {
  if (existsSync(CLI_MAIN)) return;
  try {
    execFileSync("npx", ["tsc", "-b", "packages/cli"], { cwd: REPO_ROOT, stdio: "pipe" });
  } catch {
    // tsc emits even with type errors elsewhere in the tree; only a missing entry point is fatal.
  }
  if (!existsSync(CLI_MAIN))
    throw new Error(`building the CLI did not produce ${CLI_MAIN}; run npm run build`);
}
