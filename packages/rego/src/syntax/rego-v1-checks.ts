// Syntax stage, used by the module builder: the Rego v1 rules that OPA checks right after
// parsing (`if` before bodies, `contains` for multi-value rules, keywords as rule names,
// no rule without both value and body, no duplicate imports), with OPA's messages.

import type { RegoErrorDetail } from "../errors.js";
import type { Import } from "./ast.js";
import { isKeywordInVersion } from "./keywords.js";
import type { ParsedRule } from "./parsed-statement.js";
import { refToString } from "./term-facts.js";

/** The v1 errors of one rule and of each rule in its `else` chain (OPA: checkRegoV1Rule). */
export function checkRegoV1Rule(rule: ParsedRule): RegoErrorDetail[] {
  const errors: RegoErrorDetail[] = [];
  for (let r: ParsedRule | undefined = rule; r !== undefined; r = r.elseRule) {
    const h = r.head;
    const kind = h.args !== undefined ? "function" : "rule";
    const err = (message: string) => errors.push({ code: "rego_parse_error", message, location: r.location });
    const name = h.ref.head.type === "var" ? h.ref.head.name : undefined;
    if (name !== undefined && h.ref.path.length === 0 && isKeywordInVersion(name, 1)) {
      err(`${name} keyword cannot be used for rule name`);
    }
    if (r.generatedBody && h.generatedValue)
      err(`${kind} must have value assignment and/or body declaration`);
    if (!r.generatedBody && !h.usedIf && !r.isDefault) err(`\`if\` keyword is required before ${kind} body`);
    if (h.key !== undefined && !h.usedContains) err("`contains` keyword is required for partial set rules");
  }
  return errors;
}

/** OPA's name of an import: its alias, or the last part of its path. */
export function importName(imp: Import): string {
  if (imp.alias !== undefined) return imp.alias;
  const last = imp.path.path[imp.path.path.length - 1];
  if (last === undefined) return imp.path.head.type === "var" ? imp.path.head.name : refToString(imp.path);
  return last.type === "string" ? last.value : refToString(imp.path);
}

/** Imports that reuse an earlier import's name (OPA: checkDuplicateImports, a compile error). */
export function checkDuplicateImports(imports: readonly Import[]): RegoErrorDetail[] {
  const errors: RegoErrorDetail[] = [];
  const seen = new Map<string, Import>();
  for (const imp of imports) {
    const name = importName(imp);
    const first = seen.get(name);
    if (first === undefined) {
      seen.set(name, imp);
      continue;
    }
    errors.push({
      code: "rego_compile_error",
      message: `import must not shadow ${importToString(first)}`,
      location: imp.location,
    });
  }
  return errors;
}

/** An import as Rego source: `import data.a.b as c`. */
export function importToString(imp: Import): string {
  const alias = imp.alias !== undefined ? ` as ${imp.alias}` : "";
  return `import ${refToString(imp.path)}${alias}`;
}
