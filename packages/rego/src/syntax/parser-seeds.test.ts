// The v0 policies quoted in the seed documents (000_*, 003_*) must parse exactly as written.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseModule } from "./parser.js";

const SEEDS = new URL("../../../../../shared/seeds/", import.meta.url);

// A line that can continue a policy at brace depth 0: comments, package/import/default, a rule
// head (`name {`, `name[`, `name :=`, `name(`, `name if`), or a closing brace.
const REGO_LINE =
  /^\s*(#|package\b|import\b|default\b|\}|[A-Za-z_][A-Za-z0-9_.]*\s*(\[|\{|:=|=|\(|if\b|contains\b|else\b))/;

/** Cuts the Rego policies out of a seed document: from each `package` line to the first prose line. */
function extractPolicies(text: string): string[] {
  const lines = text.split("\n");
  const policies: string[] = [];
  let current: string[] | undefined;
  let depth = 0;
  for (const line of lines) {
    if (/^\s*package\s+[A-Za-z_]/.test(line)) {
      if (current !== undefined) policies.push(current.join("\n"));
      current = [line.trim()];
      depth = 0;
      continue;
    }
    if (current === undefined) continue;
    if (depth <= 0 && line.trim() !== "" && !REGO_LINE.test(line)) {
      policies.push(current.join("\n"));
      current = undefined;
      continue;
    }
    current.push(line);
    for (const ch of line.replace(/"(?:[^"\\]|\\.)*"/g, "").replace(/#.*/, "")) {
      if (ch === "{" || ch === "[" || ch === "(") depth++;
      else if (ch === "}" || ch === "]" || ch === ")") depth--;
    }
  }
  if (current !== undefined) policies.push(current.join("\n"));
  return policies;
}

const files = existsSync(SEEDS) ? readdirSync(SEEDS).filter((f) => /^(000|003)_.*\.txt$/.test(f)) : [];

describe.skipIf(files.length === 0)("seed policies", () => {
  for (const f of files) {
    it(`parses every policy in ${f} as v0`, () => {
      const policies = extractPolicies(readFileSync(new URL(f, SEEDS), "utf8"));
      expect(policies.length).toBeGreaterThan(0);
      for (const [i, src] of policies.entries()) {
        const m = parseModule(`${f}#${i}`, `${src}\n`);
        expect(m.regoVersion).toBe(0);
        expect(m.rules.length).toBeGreaterThan(0);
        // The same text must be refused as v1 (no `if`): it really is v0.
        expect(() => parseModule(`${f}#${i}`, `${src}\n`, { regoVersion: 1 })).toThrow(
          /`if` keyword is required/,
        );
      }
    });
  }
});
