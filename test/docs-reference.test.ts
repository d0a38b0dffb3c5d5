// Docs: every generated reference page in docs/reference/ is exactly what `npm run docs` renders
// from the code now (the policy input builders, the permission catalogue and built-in roles, the
// metrics), so a change to any of them fails here until the pages are regenerated.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: the generator is plain JavaScript (scripts/docs/), run by node over the build
import { renderReferencePages } from "../scripts/docs/reference-pages.mjs";
import { ensureCliBuilt, REPO_ROOT } from "./support/keygate-build.js";

interface Page {
  readonly path: string;
  readonly text: string;
}

describe("generated reference pages", () => {
  it("are up to date (run `npm run docs` when this fails)", async () => {
    ensureCliBuilt();
    const pages = (await renderReferencePages()) as Page[];
    expect(pages.map((p) => p.path)).toEqual([
      "docs/reference/login-policy-input.md",
      "docs/reference/save-policy-input.md",
      "docs/reference/permissions-and-roles.md",
      "docs/reference/metrics.md",
      "docs/reference/cli.md",
    ]);
    const stale = pages.filter((page) => {
      try {
        return readFileSync(join(REPO_ROOT, page.path), "utf8") !== page.text;
      } catch {
        return true;
      }
    });
    expect(stale.map((p) => p.path)).toEqual([]);
  }, 60_000);

  it("render the same twice (nothing random or clock-dependent leaks into them)", async () => {
    const [a, b] = [(await renderReferencePages()) as Page[], (await renderReferencePages()) as Page[]];
    expect(a.map((p) => p.text)).toEqual(b.map((p) => p.text));
  }, 60_000);
});
