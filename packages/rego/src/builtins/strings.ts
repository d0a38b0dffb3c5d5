// Builtins: string functions (`concat`, `contains`, `split`, `trim*`, `sprintf`, `strings.*`, ...),
// working on Unicode code points where OPA works on runes.

import { type BuiltinContext, type BuiltinDecl, BuiltinError, type BuiltinImpl } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { type GoArg, fitsInt64, goSprintf } from "./go-format.js";
import {
  arg,
  arrayArg,
  numberArg,
  objectArg,
  operandElementError,
  operandOneOfError,
  smallIntegerArg,
  stringArg,
} from "./operands.js";
import { T_ANY, T_BOOL, T_NUM, T_STR, tArray, tObject, tOneOf, tSet } from "./type-specs.js";
import { BigNumber } from "../value/big-number.js";
import { formatNumber, formatValue } from "../value/format-value.js";
import { RegoObject, RegoSet, type Value, typeName } from "../value/value.js";

const STR2: BuiltinDecl = { args: [T_STR, T_STR], result: T_STR };
const STR2_BOOL: BuiltinDecl = { args: [T_STR, T_STR], result: T_BOOL };
const STR1: BuiltinDecl = { args: [T_STR], result: T_STR };
const STRINGS = tOneOf(T_STR, tArray(T_STR), tSet(T_STR));

function runes(s: string): string[] {
  return [...s];
}

/** Code-point index of a UTF-16 offset in `s`. */
function runeIndex(s: string, utf16Offset: number): number {
  let n = 0;
  for (let i = 0; i < utf16Offset; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

/** The strings of a string, array-of-strings or set-of-strings operand. */
function stringsArg(args: readonly Value[], index: number): string[] {
  const v = arg(args, index);
  if (typeof v === "string") return [v];
  let items: readonly Value[];
  if (Array.isArray(v)) items = v as readonly Value[];
  else if (v instanceof RegoSet) items = v.values();
  else throw operandOneOfError(index + 1, ["string", "set", "array"], typeName(v));
  return items.map((x) => {
    if (typeof x !== "string") throw operandElementError(index + 1, v, "string", x);
    return x;
  });
}

const GO_SPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005,
  0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

function trimRunes(s: string, drop: (ch: string) => boolean, left: boolean, right: boolean): string {
  const rs = runes(s);
  let start = 0;
  let end = rs.length;
  if (left) while (start < end && drop(rs[start] as string)) start++;
  if (right) while (end > start && drop(rs[end - 1] as string)) end--;
  return rs.slice(start, end).join("");
}

function cutsetTrim(left: boolean, right: boolean): BuiltinImpl {
  return (args) => {
    const s = stringArg(args, 0);
    const cutset = new Set(runes(stringArg(args, 1)));
    return trimRunes(s, (ch) => cutset.has(ch), left, right);
  };
}

/** Go's strings.Split: an empty separator splits into code points. */
function goSplit(s: string, sep: string, limit: number): string[] {
  if (limit === 0) return [];
  if (sep === "") {
    const rs = runes(s);
    if (limit < 0 || limit >= rs.length) return rs;
    return [...rs.slice(0, limit - 1), rs.slice(limit - 1).join("")];
  }
  const parts = s.split(sep);
  if (limit < 0 || parts.length <= limit) return parts;
  return [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(sep)];
}

function indexesOf(s: string, search: string): number[] {
  const out: number[] = [];
  let from = 0;
  for (;;) {
    const i = s.indexOf(search, from);
    if (i < 0) return out;
    out.push(runeIndex(s, i));
    from = i + 1;
  }
}

// Characters a growing result may add before they are charged to the budget.
const CHARGE_CHUNK = 4096;

/** The characters `sprintf`'s widths and precisions (`%08d`, `%.3f`) may add, summed. */
function paddingOf(format: string): number {
  let total = 0;
  for (let i = format.indexOf("%"); i >= 0; i = format.indexOf("%", i)) {
    let c = format.charCodeAt(++i);
    // Flags: - + # space 0.
    while (c === 45 || c === 43 || c === 35 || c === 32 || c === 48) c = format.charCodeAt(++i);
    let n = 0;
    for (; c >= 48 && c <= 57; c = format.charCodeAt(++i)) n = n * 10 + (c - 48);
    total += n;
    if (c !== 46) continue;
    n = 0;
    for (c = format.charCodeAt(++i); c >= 48 && c <= 57; c = format.charCodeAt(++i)) n = n * 10 + (c - 48);
    total += n;
  }
  return total;
}

/** OPA's `strings.replace_n`: patterns tried in key order at each position, no overlaps. */
function replaceN(patterns: RegoObject, s: string, ctx: BuiltinContext): string {
  const pairs: [string, string][] = [];
  for (const e of patterns.entries()) {
    if (typeof e.key !== "string")
      throw new BuiltinError("type", "operand 1 non-string key found in pattern object");
    if (typeof e.value !== "string") {
      throw new BuiltinError("type", "operand 1 non-string value found in pattern object");
    }
    pairs.push([e.key, e.value]);
  }
  let out = "";
  let charged = 0;
  let i = 0;
  while (i <= s.length) {
    // The result grows by replacements longer than what they replace: charged as it grows.
    if (out.length - charged > CHARGE_CHUNK) {
      ctx.allocate?.(0, out.length - charged);
      charged = out.length;
    }
    const hit = pairs.find(([old]) => s.startsWith(old, i));
    if (hit && hit[0] !== "") {
      out += hit[1];
      i += hit[0].length;
      continue;
    }
    if (hit) out += hit[1];
    if (i < s.length) {
      const cp = s.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      out += ch;
      i += ch.length;
    } else break;
  }
  return out;
}

/** Converts a `sprintf` argument the way OPA does before handing it to Go's fmt. */
function toGoArg(v: Value): GoArg {
  if (typeof v === "string") return { kind: "string", value: v };
  if (typeof v === "number" || v instanceof BigNumber) {
    const i = typeof v === "number" ? (Number.isInteger(v) ? BigInt(v) : undefined) : v.toBigInt();
    if (i !== undefined) return fitsInt64(i) ? { kind: "int", value: i } : { kind: "bigint", value: i };
    const d = typeof v === "number" ? v : v.toNumber();
    return Number.isFinite(d) ? { kind: "float", value: d } : { kind: "string", value: formatNumber(v) };
  }
  return { kind: "string", value: formatValue(v) };
}

/** Text of a template value as Go's text/template prints it (numbers arrive as float64). */
function templateText(v: Value): string {
  if (typeof v === "string") return v;
  if (v === null) return "<nil>";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number" || v instanceof BigNumber) {
    const d = typeof v === "number" ? v : v.toNumber();
    return goSprintf("%v", [{ kind: "float", value: d }]);
  }
  if (Array.isArray(v)) return `[${(v as readonly Value[]).map(templateText).join(" ")}]`;
  if (v instanceof RegoSet) return `[${v.values().map(templateText).join(" ")}]`;
  const entries = (v as RegoObject).entries().map((e) => `${templateText(e.key)}:${templateText(e.value)}`);
  return `map[${entries.join(" ")}]`;
}

/** 1-based line and 0-based byte column of a UTF-16 offset, as Go's template errors give them. */
function templatePosition(template: string, offset: number): string {
  const before = template.slice(0, offset);
  const line = before.split("\n").length;
  const lineStart = before.lastIndexOf("\n") + 1;
  return `${line}:${new TextEncoder().encode(template.slice(lineStart, offset)).length}`;
}

/**
 * `strings.render_template` for the field-substitution subset of Go templates (`{{.a.b}}`,
 * `{{- .x -}}`, comments), with Go's missingkey=error behaviour.
 */
function renderTemplate(template: string, vars: RegoObject): string {
  let out = "";
  let i = 0;
  for (;;) {
    const open = template.indexOf("{{", i);
    if (open < 0) return out + template.slice(i);
    const close = template.indexOf("}}", open + 2);
    if (close < 0)
      throw new BuiltinError(
        "builtin",
        `template: template:${templatePosition(template, open)}: unclosed action`,
      );
    let inner = template.slice(open + 2, close);
    let text = template.slice(i, open);
    const trimLeft = /^-\s/.test(inner);
    const trimRight = /\s-$/.test(inner);
    if (trimLeft) {
      text = text.replace(/\s+$/, "");
      inner = inner.slice(1);
    }
    if (trimRight) inner = inner.slice(0, -1);
    out += text;
    i = close + 2;
    if (trimRight) while (i < template.length && /\s/.test(template[i] as string)) i++;
    const body = inner.trim();
    const bodyOffset = open + 2 + template.slice(open + 2, close).indexOf(body);
    if (body.startsWith("/*") && body.endsWith("*/")) continue;
    if (!/^\.[\w.]*$/.test(body)) {
      throw new BuiltinError(
        "builtin",
        `template: template:${templatePosition(template, bodyOffset)}: unsupported action {{${body}}}`,
      );
    }
    let cur: Value = vars;
    for (const field of body.split(".").filter((f) => f !== "")) {
      const next: Value | undefined = cur instanceof RegoObject ? cur.get(field) : undefined;
      if (next === undefined) {
        const where = `template: template:${templatePosition(template, bodyOffset)}: executing "template" at <${body}>`;
        throw new BuiltinError("builtin", `${where}: map has no entry for key "${field}"`);
      }
      cur = next;
    }
    out += templateText(cur);
  }
}

/** String builtins. */
export const STRING_BUILTINS = defineBuiltins(
  {
    concat: { args: [T_STR, tOneOf(tArray(T_STR), tSet(T_STR))], result: T_STR },
    contains: STR2_BOOL,
    endswith: STR2_BOOL,
    startswith: STR2_BOOL,
    format_int: { args: [T_NUM, T_NUM], result: T_STR },
    indexof: { args: [T_STR, T_STR], result: T_NUM },
    indexof_n: { args: [T_STR, T_STR], result: tArray(T_NUM) },
    lower: STR1,
    upper: STR1,
    replace: { args: [T_STR, T_STR, T_STR], result: T_STR },
    split: { args: [T_STR, T_STR], result: tArray(T_STR) },
    substring: { args: [T_STR, T_NUM, T_NUM], result: T_STR },
    trim: STR2,
    trim_left: STR2,
    trim_prefix: STR2,
    trim_right: STR2,
    trim_suffix: STR2,
    trim_space: STR1,
    "strings.any_prefix_match": { args: [STRINGS, STRINGS], result: T_BOOL },
    "strings.any_suffix_match": { args: [STRINGS, STRINGS], result: T_BOOL },
    "strings.count": { args: [T_STR, T_STR], result: T_NUM },
    "strings.render_template": { args: [T_STR, tObject(T_STR, T_ANY)], result: T_STR },
    "strings.replace_n": { args: [tObject(T_STR, T_STR), T_STR], result: T_STR },
    "strings.reverse": STR1,
    "strings.split_n": { args: [T_STR, T_STR, T_NUM], result: tArray(T_STR) },
    sprintf: { args: [T_STR, tArray(T_ANY)], result: T_STR },
  } satisfies Record<string, BuiltinDecl>,
  {
    concat: (args, ctx) => {
      const sep = stringArg(args, 0);
      const coll = arg(args, 1);
      let items: readonly Value[];
      if (Array.isArray(coll)) items = coll as readonly Value[];
      else if (coll instanceof RegoSet) items = coll.values();
      else throw operandOneOfError(2, ["set", "array"], typeName(coll));
      let length = items.length > 0 ? sep.length * (items.length - 1) : 0;
      for (const x of items) {
        if (typeof x !== "string") throw operandElementError(2, coll, "string", x);
        length += x.length;
      }
      ctx.allocate?.(0, length);
      return (items as readonly string[]).join(sep);
    },
    contains: (args) => stringArg(args, 0).includes(stringArg(args, 1)),
    endswith: (args) => stringArg(args, 0).endsWith(stringArg(args, 1)),
    startswith: (args) => stringArg(args, 0).startsWith(stringArg(args, 1)),
    format_int: (args) => {
      const n = numberArg(args, 0);
      const base = smallIntegerArg(args, 1);
      if (base !== 2 && base !== 8 && base !== 10 && base !== 16) {
        throw new BuiltinError("type", "operand 2 must be one of {2, 8, 10, 16}");
      }
      const i =
        typeof n === "number"
          ? BigInt(Math.trunc(n))
          : (n.toBigInt() ?? n.mantissa / 10n ** BigInt(-n.exponent));
      return i.toString(base);
    },
    indexof: (args) => {
      const s = stringArg(args, 0);
      const search = stringArg(args, 1);
      if (search === "") throw new BuiltinError("builtin", "empty search character");
      const i = s.indexOf(search);
      return i < 0 ? -1 : runeIndex(s, i);
    },
    indexof_n: (args) => {
      const s = stringArg(args, 0);
      const search = stringArg(args, 1);
      if (search === "") throw new BuiltinError("builtin", "empty search character");
      return indexesOf(s, search);
    },
    lower: (args) => stringArg(args, 0).toLowerCase(),
    upper: (args) => stringArg(args, 0).toUpperCase(),
    replace: (args, ctx) => {
      const s = stringArg(args, 0);
      const old = stringArg(args, 1);
      const rep = stringArg(args, 2);
      if (old === "") {
        ctx.allocate?.(0, s.length + (s.length + 2) * rep.length);
        return rep + runes(s).join(rep) + (s === "" ? "" : rep);
      }
      if (rep.length > old.length) {
        let hits = 0;
        for (let i = s.indexOf(old); i >= 0; i = s.indexOf(old, i + old.length)) hits++;
        ctx.allocate?.(0, s.length + hits * (rep.length - old.length));
      }
      return s.split(old).join(rep);
    },
    split: (args) => goSplit(stringArg(args, 0), stringArg(args, 1), -1),
    substring: (args) => {
      const s = stringArg(args, 0);
      const start = smallIntegerArg(args, 1);
      const length = smallIntegerArg(args, 2);
      if (start < 0) throw new BuiltinError("builtin", "negative offset");
      const rs = runes(s);
      if (start >= rs.length) return "";
      if (length < 0) return rs.slice(start).join("");
      return rs.slice(start, Math.min(start + length, rs.length)).join("");
    },
    trim: cutsetTrim(true, true),
    trim_left: cutsetTrim(true, false),
    trim_right: cutsetTrim(false, true),
    trim_prefix: (args) => {
      const s = stringArg(args, 0);
      const p = stringArg(args, 1);
      return s.startsWith(p) ? s.slice(p.length) : s;
    },
    trim_suffix: (args) => {
      const s = stringArg(args, 0);
      const p = stringArg(args, 1);
      return p !== "" && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
    },
    trim_space: (args) =>
      trimRunes(stringArg(args, 0), (ch) => GO_SPACE.has(ch.codePointAt(0) ?? 0), true, true),
    "strings.any_prefix_match": (args) => {
      const search = stringsArg(args, 0);
      const base = stringsArg(args, 1);
      return search.some((s) => base.some((b) => s.startsWith(b)));
    },
    "strings.any_suffix_match": (args) => {
      const search = stringsArg(args, 0);
      const base = stringsArg(args, 1);
      return search.some((s) => base.some((b) => s.endsWith(b)));
    },
    "strings.count": (args) => {
      const s = stringArg(args, 0);
      const sub = stringArg(args, 1);
      if (sub === "") return runes(s).length + 1;
      return s.split(sub).length - 1;
    },
    "strings.render_template": (args) => renderTemplate(stringArg(args, 0), objectArg(args, 1)),
    "strings.replace_n": (args, ctx) => replaceN(objectArg(args, 0), stringArg(args, 1), ctx),
    "strings.reverse": (args) => runes(stringArg(args, 0)).reverse().join(""),
    "strings.split_n": (args) => goSplit(stringArg(args, 0), stringArg(args, 1), smallIntegerArg(args, 2)),
    sprintf: (args, ctx) => {
      const format = stringArg(args, 0);
      const padding = paddingOf(format);
      if (padding > 0) ctx.allocate?.(0, padding);
      return goSprintf(format, arrayArg(args, 1).map(toGoArg));
    },
  },
);
