// Builtins: glob matching (`glob.match`, `glob.quote_meta`), compiled to anchored RE2 patterns.
//
// Glob syntax as OPA accepts it: `*` (any run without a delimiter), `**` (any run), `?` (one
// non-delimiter character), `[abc]`, `[a-z]`, `[!a-z]`, `{alt1,alt2}` (nestable), `\` escapes.

import { RE2JS } from "re2js";
import { typeName, type Value } from "../value/value.js";
import { type BuiltinDefinition, BuiltinError, operandError, type TypeSpec } from "./builtin.js";
import { compileRegex, regexMatches } from "./regex.js";

const GLOB_SPECIAL = new Set(["*", "?", "\\", "[", "]", "{", "}"]);

/** Escapes every glob metacharacter in `s`, so it matches only itself. */
export function globQuoteMeta(s: string): string {
  let out = "";
  for (const c of s) out += GLOB_SPECIAL.has(c) ? `\\${c}` : c;
  return out;
}

/** Escapes a character for use inside an RE2 character class. */
function classChar(c: string): string {
  return /[\\\][^-]/.test(c) ? `\\${c}` : c;
}

class GlobParser {
  private pos = 0;
  private readonly chars: string[];

  constructor(
    private readonly glob: string,
    private readonly delimiters: readonly string[],
  ) {
    this.chars = [...glob];
  }

  private fail(what: string): never {
    throw new BuiltinError("builtin", `invalid glob pattern "${this.glob}": ${what}`);
  }

  private notDelimiter(): string {
    if (this.delimiters.length === 0) return ".";
    return `[^${this.delimiters.map(classChar).join("")}]`;
  }

  /** Parses a sequence until end of input or (inside braces) `,` / `}`. */
  parseSequence(inBraces: boolean): string {
    let out = "";
    while (this.pos < this.chars.length) {
      const c = this.chars[this.pos] as string;
      if (inBraces && (c === "," || c === "}")) return out;
      this.pos++;
      switch (c) {
        case "*":
          if (this.chars[this.pos] === "*") {
            while (this.chars[this.pos] === "*") this.pos++;
            out += ".*";
          } else {
            out += `${this.notDelimiter()}*`;
          }
          break;
        case "?":
          out += this.notDelimiter();
          break;
        case "\\": {
          const next = this.chars[this.pos];
          if (next === undefined) this.fail("trailing escape character");
          this.pos++;
          out += RE2JS.quote(next);
          break;
        }
        case "[":
          out += this.parseClass();
          break;
        case "{":
          out += this.parseAlternatives();
          break;
        default:
          out += RE2JS.quote(c);
      }
    }
    if (inBraces) this.fail("unclosed '{'");
    return out;
  }

  private parseClass(): string {
    let negate = false;
    if (this.chars[this.pos] === "!") {
      negate = true;
      this.pos++;
    }
    let body = "";
    let empty = true;
    while (true) {
      const c = this.chars[this.pos];
      if (c === undefined) this.fail("unclosed '['");
      this.pos++;
      if (c === "]") break;
      let lo = c;
      if (lo === "\\") {
        const next = this.chars[this.pos];
        if (next === undefined) this.fail("unclosed '['");
        lo = next;
        this.pos++;
      }
      if (
        this.chars[this.pos] === "-" &&
        this.chars[this.pos + 1] !== undefined &&
        this.chars[this.pos + 1] !== "]"
      ) {
        const hi = this.chars[this.pos + 1] as string;
        this.pos += 2;
        if (hi < lo) this.fail(`invalid range ${lo}-${hi}`);
        body += `${classChar(lo)}-${classChar(hi)}`;
      } else {
        body += classChar(lo);
      }
      empty = false;
    }
    if (empty) this.fail("empty character class");
    return `[${negate ? "^" : ""}${body}]`;
  }

  private parseAlternatives(): string {
    const alts: string[] = [];
    while (true) {
      alts.push(this.parseSequence(true));
      const c = this.chars[this.pos];
      this.pos++;
      if (c === "}") break;
    }
    return `(?:${alts.join("|")})`;
  }
}

/** Compiles a glob with the given delimiters to an anchored RE2 pattern. */
export function globToRegex(glob: string, delimiters: readonly string[]): string {
  const body = new GlobParser(glob, delimiters).parseSequence(false);
  return `^(?s:${body})$`;
}

const S: TypeSpec = { type: "string" };

/** `glob.match` and `glob.quote_meta`. */
export const GLOB_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: "glob.match",
    arity: 3,
    decl: {
      args: [S, { type: "any", of: [{ type: "null" }, { type: "array", dynamic: S }] }, S],
      result: { type: "boolean" },
    },
    impl: (args) => {
      const [pattern, delims, value] = args as [Value, Value, Value];
      if (typeof pattern !== "string") throw operandError(1, "string", typeName(pattern));
      let delimiters: string[];
      if (delims === null) {
        delimiters = [];
      } else if (Array.isArray(delims)) {
        delimiters = [];
        for (const d of delims as readonly Value[]) {
          if (typeof d !== "string") throw operandError(2, "array of strings", typeName(d));
          delimiters.push(...d);
        }
        if (delimiters.length === 0) delimiters = ["."];
      } else {
        throw operandError(2, "array or null", typeName(delims));
      }
      if (typeof value !== "string") throw operandError(3, "string", typeName(value));
      return regexMatches(compileRegex(globToRegex(pattern, delimiters)), value);
    },
  },
  {
    name: "glob.quote_meta",
    arity: 1,
    decl: { args: [S], result: S },
    impl: (args) => {
      const v = args[0] as Value;
      if (typeof v !== "string") throw operandError(1, "string", typeName(v));
      return globQuoteMeta(v);
    },
  },
];
