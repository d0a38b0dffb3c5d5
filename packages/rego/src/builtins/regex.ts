// Builtins: regular expressions (`regex.*`, `re_match`) on RE2 syntax, matched in linear time.
//
// Patterns run through re2js, a port of Go's regexp: an uploaded policy cannot make a pattern
// backtrack forever. Compiled patterns live in a bounded module-level LRU shared by evaluations.

import { RE2JS } from "re2js";
import type { BigNumber } from "../value/big-number.js";
import { isNumber, type RegoNumber, typeName, type Value } from "../value/value.js";
import { type BuiltinDefinition, BuiltinError, operandError, type TypeSpec } from "./builtin.js";
import { globsIntersect } from "./regex-glob-intersection.js";

/** RE2's view of a compiled pattern (the Go-port API re2js exposes). */
type Re2Program = ReturnType<RE2JS["re2"]>;

const CACHE_LIMIT = 1000;
const compiled = new Map<string, Re2Program>();

/**
 * Compiles a pattern with Go's RE2 syntax, through a bounded LRU. Throws a BuiltinError with
 * Go's message (`error parsing regexp: ...`) when the pattern is invalid.
 */
export function compileRegex(pattern: string): Re2Program {
  const hit = compiled.get(pattern);
  if (hit) {
    compiled.delete(pattern);
    compiled.set(pattern, hit);
    return hit;
  }
  let re: Re2Program;
  try {
    re = RE2JS.compile(pattern).re2();
  } catch (e) {
    throw new BuiltinError("builtin", e instanceof Error ? e.message : String(e));
  }
  compiled.set(pattern, re);
  if (compiled.size > CACHE_LIMIT) {
    const oldest = compiled.keys().next().value;
    if (oldest !== undefined) compiled.delete(oldest);
  }
  return re;
}

/** Whether `re` matches anywhere in `s`. */
export function regexMatches(re: Re2Program, s: string): boolean {
  return re.match(s) as boolean;
}

function str(args: readonly Value[], i: number): string {
  const v = args[i] as Value;
  if (typeof v !== "string") throw operandError(i + 1, "string", typeName(v));
  return v;
}

function int(args: readonly Value[], i: number): number {
  const v = args[i] as Value;
  if (!isNumber(v)) throw operandError(i + 1, "number", typeName(v));
  const n = toInteger(v);
  if (n === undefined) throw operandError(i + 1, "integer", "number");
  return n;
}

function toInteger(v: RegoNumber): number | undefined {
  if (typeof v === "number") return Number.isInteger(v) ? v : undefined;
  const b = (v as BigNumber).toBigInt();
  return b === undefined ? undefined : Number(b);
}

/** Match spans `[start, end, g1start, g1end, ...]` for up to n matches (n < 0: all), as Go finds them. */
function allSubmatchIndex(re: Re2Program, s: string, n: number): number[][] {
  return (re.findAllSubmatchIndex(s, n) as number[][] | null) ?? [];
}

/** Go's Regexp.Split(s, -1). */
function goSplit(re: Re2Program, pattern: string, s: string): string[] {
  if (pattern.length > 0 && s.length === 0) return [""];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of allSubmatchIndex(re, s, -1)) {
    end = m[0] as number;
    if ((m[1] as number) !== 0) out.push(s.slice(beg, end));
    beg = m[1] as number;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

const NAME_CHAR = /[A-Za-z0-9_]/;

/** Go's Regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`; unknown groups expand to "". */
function expandTemplate(re: Re2Program, template: string, s: string, m: readonly number[]): string {
  const groups = re.namedGroups as Record<string, number>;
  const group = (name: string): string => {
    let idx: number | undefined;
    if (/^[0-9]+$/.test(name)) idx = Number(name);
    else idx = groups[name];
    if (idx === undefined || 2 * idx + 1 >= m.length) return "";
    const a = m[2 * idx] as number;
    const b = m[2 * idx + 1] as number;
    return a < 0 ? "" : s.slice(a, b);
  };
  let out = "";
  let i = 0;
  while (i < template.length) {
    const c = template[i] as string;
    if (c !== "$" || i + 1 >= template.length) {
      out += c;
      i++;
      continue;
    }
    const next = template[i + 1] as string;
    if (next === "$") {
      out += "$";
      i += 2;
      continue;
    }
    if (next === "{") {
      const close = template.indexOf("}", i + 2);
      const name = close < 0 ? "" : template.slice(i + 2, close);
      if (close < 0 || name === "" || ![...name].every((ch) => NAME_CHAR.test(ch))) {
        out += "$";
        i++;
        continue;
      }
      out += group(name);
      i = close + 1;
      continue;
    }
    let j = i + 1;
    while (j < template.length && NAME_CHAR.test(template[j] as string)) j++;
    if (j === i + 1) {
      out += "$";
      i++;
      continue;
    }
    out += group(template.slice(i + 1, j));
    i = j;
  }
  return out;
}

/** Go's Regexp.ReplaceAllString with template expansion. */
function goReplaceAll(re: Re2Program, s: string, template: string): string {
  let out = "";
  let last = 0;
  for (const m of allSubmatchIndex(re, s, -1)) {
    out += s.slice(last, m[0] as number) + expandTemplate(re, template, s, m);
    last = m[1] as number;
  }
  return out + s.slice(last);
}

/** Builds the anchored RE2 pattern of a `regex.template_match` template (delimited parts are regexes). */
function templatePattern(template: string, start: string, end: string): string {
  const parts: string[] = [];
  let level = 0;
  let open = 0;
  let literalFrom = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === start) {
      if (level === 0) open = i;
      level++;
    } else if (c === end) {
      level--;
      if (level === 0) {
        parts.push(RE2JS.quote(template.slice(literalFrom, open)));
        parts.push(`(${template.slice(open + 1, i)})`);
        literalFrom = i + 1;
      } else if (level < 0) {
        throw new BuiltinError("builtin", `unbalanced braces in "${template}"`);
      }
    }
  }
  if (level !== 0) throw new BuiltinError("builtin", `unbalanced braces in "${template}"`);
  parts.push(RE2JS.quote(template.slice(literalFrom)));
  return `^${parts.join("")}$`;
}

const S: TypeSpec = { type: "string" };
const N: TypeSpec = { type: "number" };
const B: TypeSpec = { type: "boolean" };
const STRINGS: TypeSpec = { type: "array", dynamic: S };

const match: BuiltinDefinition = {
  name: "regex.match",
  arity: 2,
  decl: { args: [S, S], result: B },
  impl: (args, ctx) => {
    const pattern = str(args, 0);
    const value = str(args, 1);
    ctx.scan?.(value.length);
    return regexMatches(compileRegex(pattern), value);
  },
};

/** Every `regex.*` builtin and the v0 `re_match`. */
export const REGEX_BUILTINS: readonly BuiltinDefinition[] = [
  match,
  { ...match, name: "re_match" },
  {
    name: "regex.is_valid",
    arity: 1,
    decl: { args: [S], result: B },
    impl: (args) => {
      const v = args[0] as Value;
      if (typeof v !== "string") return false;
      try {
        compileRegex(v);
        return true;
      } catch {
        return false;
      }
    },
  },
  {
    name: "regex.split",
    arity: 2,
    decl: { args: [S, S], result: STRINGS },
    impl: (args, ctx) => {
      const pattern = str(args, 0);
      const value = str(args, 1);
      ctx.scan?.(value.length);
      return goSplit(compileRegex(pattern), pattern, value);
    },
  },
  {
    name: "regex.find_n",
    arity: 3,
    decl: { args: [S, S, N], result: STRINGS },
    impl: (args, ctx) => {
      const pattern = str(args, 0);
      const value = str(args, 1);
      ctx.scan?.(value.length);
      const n = int(args, 2);
      const re = compileRegex(pattern);
      return allSubmatchIndex(re, value, n).map((m) => value.slice(m[0], m[1]));
    },
  },
  {
    name: "regex.find_all_string_submatch_n",
    arity: 3,
    decl: { args: [S, S, N], result: { type: "array", dynamic: STRINGS } },
    impl: (args, ctx) => {
      const pattern = str(args, 0);
      const value = str(args, 1);
      ctx.scan?.(value.length);
      const n = int(args, 2);
      const re = compileRegex(pattern);
      return allSubmatchIndex(re, value, n).map((m) => {
        const groups: string[] = [];
        for (let g = 0; g < m.length; g += 2) {
          const a = m[g] as number;
          groups.push(a < 0 ? "" : value.slice(a, m[g + 1]));
        }
        return groups;
      });
    },
  },
  {
    name: "regex.replace",
    arity: 3,
    decl: { args: [S, S, S], result: S },
    impl: (args, ctx) => {
      const base = str(args, 0);
      ctx.scan?.(base.length);
      const pattern = str(args, 1);
      const replacement = str(args, 2);
      return goReplaceAll(compileRegex(pattern), base, replacement);
    },
  },
  {
    name: "regex.globs_match",
    arity: 2,
    decl: { args: [S, S], result: B },
    impl: (args) => {
      const a = str(args, 0);
      const b = str(args, 1);
      return globsIntersect(a, b);
    },
  },
  {
    name: "regex.template_match",
    arity: 4,
    decl: { args: [S, S, S, S], result: B },
    impl: (args, ctx) => {
      const template = str(args, 0);
      const value = str(args, 1);
      ctx.scan?.(value.length);
      const start = str(args, 2);
      const end = str(args, 3);
      if ([...start].length !== 1) {
        throw new BuiltinError(
          "builtin",
          `start delimiter has to be exactly one character long but is ${[...start].length} long`,
        );
      }
      if ([...end].length !== 1) {
        throw new BuiltinError(
          "builtin",
          `end delimiter has to be exactly one character long but is ${[...end].length} long`,
        );
      }
      return regexMatches(compileRegex(templatePattern(template, start, end)), value);
    },
  },
];
