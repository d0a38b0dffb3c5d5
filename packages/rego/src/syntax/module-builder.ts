// Syntax stage, after the statement parser: assembles a module from its statements (one
// `package` first, then imports and rules; top-level bodies become rules), applies the
// Rego v1 checks and attaches the METADATA blocks to their package or rules, as OPA's
// parseModule does.

import type { RegoErrorDetail } from "../errors.js";
import { type AnnotatableStatement, attachAnnotations, ruleAnnotations } from "./annotations.js";
import type { Comment, Import, Module, Package, RegoVersion, Rule } from "./ast.js";
import type { Location } from "./location.js";
import type { MetadataBlock } from "./metadata-block.js";
import type { ParsedRule, Statement } from "./parsed-statement.js";
import { toRule } from "./parsed-statement.js";
import { checkDuplicateImports, checkRegoV1Rule } from "./rego-v1-checks.js";
import { ruleFromBody } from "./rule-from-body.js";

/** What the statements of one module need to become a module. */
export interface ModuleParts {
  readonly file: string;
  readonly version: RegoVersion;
  readonly statements: readonly Statement[];
  readonly comments: readonly Comment[];
  /** The METADATA blocks found among the comments. */
  readonly metadata: readonly MetadataBlock[];
  /** `import rego.v1` was seen: a v0 module must also follow the v1 rules. */
  readonly regoV1Imported: boolean;
}

/** A built module, or every error found while building it. */
export type BuiltModule =
  | { readonly ok: true; readonly module: Module }
  | {
      readonly ok: false;
      readonly errors: readonly RegoErrorDetail[];
      /** Only METADATA blocks were wrong: the statements themselves are well-formed. */
      readonly annotationsOnly?: boolean;
    };

/** Builds a module from its statements (OPA: parseModule). */
export function buildModule(parts: ModuleParts): BuiltModule {
  const { file, statements } = parts;
  const first = statements[0];
  if (first === undefined) {
    return fail([{ code: "rego_parse_error", message: "empty module", location: fileStart(file) }]);
  }
  const errors: RegoErrorDetail[] = [];
  // Every statement in source order, for attaching METADATA blocks.
  const annotatable: AnnotatableStatement[] = [];
  let pkg: Package | undefined;
  if (first.type === "package") {
    pkg = first.pkg;
    annotatable.push({ type: "package", row: first.pkg.location.row });
  } else
    errors.push({
      code: "rego_parse_error",
      message: "package expected",
      location: statementLocation(first, file),
    });

  const imports: Import[] = [];
  const parsedRules: ParsedRule[] = [];
  for (let i = 1; i < statements.length; i++) {
    const stmt = statements[i] as Statement;
    switch (stmt.type) {
      case "package":
        errors.push({ code: "rego_parse_error", message: "unexpected package", location: stmt.pkg.location });
        break;
      case "import":
        imports.push(stmt.imp);
        annotatable.push({ type: "import", row: stmt.imp.location.row });
        break;
      case "rules":
        for (const r of stmt.rules) {
          annotatable.push({ type: "rule", row: r.location.row, ruleIndex: parsedRules.length });
          parsedRules.push(r);
        }
        break;
      case "body": {
        const converted = ruleFromBody(stmt.body);
        if (converted.ok) {
          annotatable.push({ type: "rule", row: converted.rule.location.row, ruleIndex: parsedRules.length });
          parsedRules.push(converted.rule);
        } else {
          const location = stmt.body[0]?.location ?? stmt.location;
          errors.push({ code: "rego_parse_error", message: converted.message, location });
        }
        break;
      }
    }
  }

  const v1Rules = parts.version === 1 || parts.regoV1Imported;
  if (v1Rules) {
    for (const r of parsedRules) errors.push(...checkRegoV1Rule(r));
  }
  if (errors.length > 0 || pkg === undefined) return fail(errors);
  if (v1Rules) {
    const dup = checkDuplicateImports(imports);
    if (dup.length > 0) return fail(dup);
  }

  const attached = attachAnnotations(parts.metadata, annotatable);
  if (!attached.ok) return { ok: false, errors: attached.errors, annotationsOnly: true };
  const perRule = ruleAnnotations(pkg, parsedRules, attached.annotations);
  const rules: Rule[] = parsedRules.map((r, i) => toRule(r, perRule[i]));
  return {
    ok: true,
    module: {
      type: "module",
      file,
      regoVersion: parts.version,
      package: pkg,
      imports,
      rules,
      comments: parts.comments,
      annotations: attached.annotations,
    },
  };
}

function statementLocation(stmt: Statement, file: string): Location {
  switch (stmt.type) {
    case "package":
      return stmt.pkg.location;
    case "import":
      return stmt.imp.location;
    case "rules":
      return stmt.rules[0]?.location ?? fileStart(file);
    case "body":
      return stmt.body[0]?.location ?? stmt.location;
  }
}

function fileStart(file: string): Location {
  return { file, row: 1, col: 1, offset: 0 };
}

function fail(errors: readonly RegoErrorDetail[]): BuiltModule {
  return { ok: false, errors };
}
