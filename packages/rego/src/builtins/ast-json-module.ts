// Builtins, used by `rego.parse_module`: a parsed module as the value OPA's builtin returns, its
// ast.Module marshalled with the default JSON options (no locations) and read back as a term.
// Shape (OPA's v1/ast/policy.go): `package` ({path}), `imports` ({path, alias?}), `rules`
// ({head, body, default?, else?}) and `comments` ({Text: base64, Location}, the one node whose
// location OPA always writes); empty lists are left out. Annotations are absent: OPA's
// builtin parses without processing METADATA blocks, which stay plain comments.

import type { Comment, Import, Package } from "../syntax/ast.js";
import type { ParsedRule, Statement } from "../syntax/parsed-statement.js";
import { ruleFromBody } from "../syntax/rule-from-body.js";
import type { Value } from "../value/value.js";
import { elseHeadFields, type HeadFields, headFields, headJson, type RuleSyntax } from "./ast-json-head.js";
import { type AstJsonContext, bodyJson, record, termJson } from "./ast-json-terms.js";

/** A module's statements as the statement parser gave them, with its comments. */
export interface ModuleStatements {
  readonly statements: readonly Statement[];
  readonly comments: readonly Comment[];
}

/**
 * The module's value. The statements must form a valid module (checked beforehand): a
 * package first, then imports, rules and top-level bodies that read as rules.
 */
export function moduleJson(m: ModuleStatements, cx: AstJsonContext): Value {
  let pkg: Package | undefined;
  const imports: Import[] = [];
  const rules: Value[] = [];
  for (const stmt of m.statements) {
    switch (stmt.type) {
      case "package":
        pkg ??= stmt.pkg;
        break;
      case "import":
        imports.push(stmt.imp);
        break;
      case "rules":
        for (const r of stmt.rules) rules.push(ruleJson(r, "rule", cx));
        break;
      case "body": {
        const converted = ruleFromBody(stmt.body);
        if (converted.ok) rules.push(ruleJson(converted.rule, "constant", cx));
        break;
      }
      default: {
        const never: never = stmt;
        return never;
      }
    }
  }
  const out: Record<string, Value> = {
    package: record({ path: pkg === undefined ? [] : refParts(pkg.path, cx) }),
  };
  if (imports.length > 0) out.imports = imports.map((i) => importJson(i, cx));
  if (rules.length > 0) out.rules = rules;
  if (m.comments.length > 0) out.comments = m.comments.map(commentJson);
  return record(out);
}

/** `{head, body}`, plus `default: true` and `else` when present (OPA's Rule.MarshalJSON). */
function ruleJson(rule: ParsedRule, syntax: RuleSyntax, cx: AstJsonContext): Value {
  const head = headFields(rule, syntax);
  return ruleWithHead(rule, head, head, cx);
}

function ruleWithHead(rule: ParsedRule, head: HeadFields, main: HeadFields, cx: AstJsonContext): Value {
  const out: Record<string, Value> = { head: headJson(head, cx), body: bodyJson(rule.body, cx) };
  if (rule.isDefault) out.default = true;
  const branch = rule.elseRule;
  // Every branch of an `else` chain copies the head of the rule it starts from.
  if (branch !== undefined) out.else = ruleWithHead(branch, elseHeadFields(main, branch.head), main, cx);
  return record(out);
}

function importJson(imp: Import, cx: AstJsonContext): Value {
  const out: Record<string, Value> = { path: termJson(imp.path, cx) };
  if (imp.alias !== undefined && imp.alias !== "") out.alias = imp.alias;
  return record(out);
}

/** A package path is OPA's Ref, marshalled as the list of its terms (`data` first). */
function refParts(path: Package["path"], cx: AstJsonContext): Value {
  return [termJson(path.head, cx), ...path.path.map((p) => termJson(p, cx))];
}

/** OPA's Comment has no JSON tags: `Text` is its bytes (base64), `Location` always present. */
function commentJson(c: Comment): Value {
  return record({
    Text: Buffer.from(c.text, "utf8").toString("base64"),
    Location: record({ file: c.location.file, row: c.location.row, col: c.location.col }),
  });
}
