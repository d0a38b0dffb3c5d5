// Builtins: `rego.parse_module(filename, source)`, OPA's builtin that parses a Rego module and
// returns its AST as a value (OPA's v1/topdown/parse.go: ast.ParseModule, then the module
// marshalled to JSON and read back as a term). As in OPA:
// - the module is parsed as Rego v1, the parser's default whatever version the calling policy
//   uses (`import rego.v1` and `future.keywords` imports are accepted and kept);
// - METADATA comments are not processed (ast.ParseModule does not ask for it): they stay
//   comments, the result has no `annotations`, and a malformed block is no error;
// - locations are left out (the default JSON options), except on comments;
// - the result is the parsed module, not the compiled one: no rewriting, `some x in xs` is the
//   call `internal.member_2(x, xs)`, `:=` the call `assign`, as OPA's parser produces them;
// - a module that does not parse is a builtin error (`eval_builtin_error`, so undefined
//   unless builtin errors are strict) whose message is OPA's text of the parse errors.
// Both operands are checked as operand 1, as OPA's implementation does.

import type { RegoErrorDetail } from "../errors.js";
import { lex } from "../syntax/lexer.js";
import { buildModule } from "../syntax/module-builder.js";
import { StatementParser } from "../syntax/statement-parser.js";
import { typeName, type Value } from "../value/value.js";
import { moduleJson } from "./ast-json-module.js";
import { wildcardRenamer } from "./ast-json-wildcards.js";
import { BuiltinError, operandError } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { arg } from "./operands.js";
import { parseErrorsText, parseErrorText } from "./parse-error-text.js";
import { T_ANY, T_STR, tObject } from "./type-specs.js";

/** Parses `source` as a Rego v1 module named `file`; throws OPA's builtin error if it does not parse. */
export function parseModuleValue(file: string, source: string): Value {
  const bytes = new TextEncoder().encode(source);
  const { tokens, comments } = lex(file, source);
  const parsed = new StatementParser(tokens, 1).parse("module");
  if (parsed.errors.length > 0) {
    const entries = parsed.errors.map((error) => ({ error, withSourceLine: true }));
    throw new BuiltinError("builtin", parseErrorsText(entries, bytes));
  }
  if (parsed.statements.length === 0) {
    // OPA's one ast.Error (not a list) at row 0 of the file.
    const error: RegoErrorDetail = {
      code: "rego_parse_error",
      message: "empty module",
      location: { file, row: 0, col: 0, offset: 0 },
    };
    throw new BuiltinError("builtin", parseErrorText({ error, withSourceLine: false }, bytes));
  }
  const built = buildModule({
    file,
    version: 1,
    statements: parsed.statements,
    comments,
    metadata: [],
    regoV1Imported: parsed.regoV1Imported,
  });
  // Duplicate imports are a compile error to OPA, which its parser does not report.
  if (!built.ok && built.errors.some((e) => e.code !== "rego_compile_error")) {
    const entries = built.errors.map((error) => ({ error, withSourceLine: false }));
    throw new BuiltinError("builtin", parseErrorsText(entries, bytes));
  }
  return moduleJson(
    { statements: parsed.statements, comments },
    { source: bytes, varName: wildcardRenamer(parsed.statements) },
  );
}

/** OPA's StringOperand check, which this builtin makes with position 1 for both operands. */
function stringOperand(args: readonly Value[], index: number): string {
  const v = arg(args, index);
  if (typeof v !== "string") throw operandError(1, "string", typeName(v));
  return v;
}

/** The `rego.parse_module` builtin. */
export const REGO_PARSE_MODULE_BUILTINS = defineBuiltins(
  {
    "rego.parse_module": { args: [T_STR, T_STR], result: tObject(T_STR, T_ANY) },
  },
  {
    "rego.parse_module": (args) => parseModuleValue(stringOperand(args, 0), stringOperand(args, 1)),
  },
);
