// Values: prints a value the way OPA prints terms (`[1, "a"]`, `{"a": 1}`, `{1, 2}`, `set()`),
// as `sprintf("%v")` and `print` show composite values.

import { BigNumber } from "./big-number.js";
import { type RegoObject, RegoSet, type Value } from "./value.js";

/** Whether a code point is printed as itself by Go's strconv.Quote (printable, not a quote or backslash). */
function isPrintable(cp: number): boolean {
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp >= 0x80 && cp < 0xa0) return false;
  if (cp === 0xad || cp === 0xfeff || (cp >= 0x2028 && cp <= 0x2029) || (cp >= 0xfff9 && cp <= 0xfffb))
    return false;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  return true;
}

const ESCAPES: Readonly<Record<string, string>> = {
  "\u0007": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\u000b": "\\v",
  "\\": "\\\\",
  '"': '\\"',
};

/** Quotes a string as Go's strconv.Quote does (the form OPA uses for strings inside terms). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const esc = ESCAPES[ch];
    if (esc !== undefined) {
      out += esc;
      continue;
    }
    const cp = ch.codePointAt(0) ?? 0;
    if (isPrintable(cp)) out += ch;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return `${out}"`;
}

/** The text of a number as OPA prints it. */
export function formatNumber(n: number | BigNumber): string {
  if (typeof n === "number") return Object.is(n, -0) ? "0" : String(n);
  return n.toString();
}

/** Prints a value as an OPA term: strings quoted, composites in Rego literal syntax. */
export function formatValue(v: Value): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "number":
      return formatNumber(v);
    case "string":
      return goQuote(v);
    default:
      if (v instanceof BigNumber) return formatNumber(v);
      if (Array.isArray(v)) return `[${(v as readonly Value[]).map(formatValue).join(", ")}]`;
      if (v instanceof RegoSet) return v.size === 0 ? "set()" : `{${v.values().map(formatValue).join(", ")}}`;
      return `{${(v as RegoObject)
        .entries()
        .map((e) => `${formatValue(e.key)}: ${formatValue(e.value)}`)
        .join(", ")}}`;
  }
}
