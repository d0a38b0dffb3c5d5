// Builtins, used by `rego.parse_module`: the text of OPA's parse errors, which that builtin
// puts in its own error. OPA's ast.Errors prints `1 error occurred: <error>` or
// `N errors occurred:\n<error>\n...`; each error is `file:row: code: message` (`row:col` when
// the file name is empty) and a syntax error is followed by its source line and a caret
// (ParserErrorDetail in v1/ast/parser_ext.go). Only syntax errors carry that detail: the
// checks run on the assembled module (e.g. "`if` keyword is required") do not.

import type { RegoErrorDetail } from "../errors.js";

/** A parse error, and whether OPA's parser attached the source line to it. */
export interface ParseErrorEntry {
  readonly error: RegoErrorDetail;
  readonly withSourceLine: boolean;
}

/** The text of OPA's ast.Errors for these errors (`source` is the module's UTF-8 text). */
export function parseErrorsText(entries: readonly ParseErrorEntry[], source: Uint8Array): string {
  const lines = entries.map((e) => parseErrorText(e, source));
  if (lines.length === 1) return `1 error occurred: ${lines[0]}`;
  return `${lines.length} errors occurred:\n${lines.join("\n")}`;
}

/** The text of one ast.Error: location prefix, code, message and the source line if any. */
export function parseErrorText(entry: ParseErrorEntry, source: Uint8Array): string {
  const { error, withSourceLine } = entry;
  const loc = error.location;
  let prefix = "";
  if (loc !== undefined) prefix = loc.file !== "" ? `${loc.file}:${loc.row}: ` : `${loc.row}:${loc.col}: `;
  let text = `${prefix}${error.code}: ${error.message}`;
  if (withSourceLine && loc !== undefined && source.length > 0) {
    for (const line of sourceLineDetail(source, loc.offset)) text += `\n\t${line}`;
  }
  return text;
}

/**
 * OPA's ParserErrorDetail lines: the source line holding `offset` (moved back over white
 * space first) without its leading tabs, then a caret under the offending byte.
 */
function sourceLineDetail(bs: Uint8Array, at: number): [string, string] {
  let offset = Math.max(0, Math.min(at, bs.length - 1));
  while (offset > 0 && isSpace(bs[offset] as number)) offset--;
  let begin = offset;
  while (begin > 0 && !isNewline(bs[begin] as number)) begin--;
  if (isNewline(bs[begin] as number)) begin++;
  let end = offset;
  while (end < bs.length && !isNewline(bs[end] as number)) end++;
  if (begin > end) begin = end;
  const line = bs.subarray(begin, end);
  let tabs = 0;
  while (tabs < line.length && line[tabs] === 0x09) tabs++;
  const indent = Math.max(0, offset - begin - tabs);
  return [new TextDecoder().decode(line.subarray(tabs)), `${" ".repeat(indent)}^`];
}

// Go's unicode.IsSpace on a single byte, as OPA applies it.
function isSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d) || b === 0x85 || b === 0xa0;
}

function isNewline(b: number): boolean {
  return b === 0x0a || b === 0x0d;
}
