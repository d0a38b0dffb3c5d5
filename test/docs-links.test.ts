// Docs: every relative link in README.md and docs/ points at a file that exists and, when it
// names an anchor, at a heading of that file (GitHub's anchors), and the README links the docs.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/keygate-build.js";

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith(".md") ? [path] : [];
  });
}

/** GitHub's anchor of a heading: lowercase, punctuation dropped, spaces to dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, "")
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsIn(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, "");
  return new Set([...withoutCode.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchorOf(m[1] ?? "")));
}

const PAGES = [join(REPO_ROOT, "README.md"), ...markdownFiles(join(REPO_ROOT, "docs"))];

describe("links in the docs", () => {
  it("the README links the docs index and every guide", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    for (const target of [
      "docs/README.md",
      "docs/operations.md",
      "docs/login-policies.md",
      "docs/migrating/from-spacelift.md",
      "docs/migrating/from-harness.md",
      "docs/migrating/from-hcp-terraform.md",
    ]) {
      expect(readme).toContain(`](${target}`);
    }
  });

  it("every page of docs/ is linked from the docs index", () => {
    const index = readFileSync(join(REPO_ROOT, "docs/README.md"), "utf8");
    for (const page of PAGES.filter(
      (p) => p.startsWith(join(REPO_ROOT, "docs")) && !p.endsWith("docs/README.md"),
    )) {
      expect(index, relative(REPO_ROOT, page)).toContain(`](${relative(join(REPO_ROOT, "docs"), page)}`);
    }
  });

  it.each(PAGES.map((p) => [relative(REPO_ROOT, p)]))(
    "%s: relative links resolve, anchors included",
    (page) => {
      const text = readFileSync(join(REPO_ROOT, page), "utf8").replace(/^```[\s\S]*?^```/gm, "");
      const broken: string[] = [];
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1] ?? "";
        if (/^[a-z]+:/i.test(target)) continue;
        const [path = "", anchor] = target.split("#");
        const file = path === "" ? join(REPO_ROOT, page) : join(dirname(join(REPO_ROOT, page)), path);
        if (!existsSync(file)) {
          broken.push(`${target}: no such file`);
          continue;
        }
        if (
          anchor !== undefined &&
          file.endsWith(".md") &&
          !anchorsIn(readFileSync(file, "utf8")).has(anchor)
        ) {
          broken.push(`${target}: no heading with that anchor`);
        }
      }
      expect(broken).toEqual([]);
    },
  );
});
