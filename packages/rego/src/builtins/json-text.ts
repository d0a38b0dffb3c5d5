// Builtins: JSON text in and out as Go's encoding/json does it for OPA: parsing keeps numbers
// exact; marshalling sorts object keys, escapes HTML characters and can indent.

import { BuiltinError } from "./builtin.js";
import { normalizeNumber } from "./operands.js";
import { BigNumber } from "../value/big-number.js";
import { formatNumber } from "../value/format-value.js";
import { RegoObject, RegoSet, type Value } from "../value/value.js";

// Go's encoding/json refuses text nested deeper than this.
const MAX_NESTING_DEPTH = 10_000;

/** A container being parsed: an array, or an object with the key of the value to come. */
type OpenContainer =
  | { readonly array: Value[]; readonly object?: undefined }
  | { readonly array?: undefined; readonly object: RegoObject; key: string };

// A JSON number at a position (sticky: no copy of the rest of the text per number).
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class JsonParser {
  private i = 0;

  constructor(private readonly s: string) {}

  parseDocument(): Value {
    this.ws();
    const v = this.value();
    this.ws();
    if (this.i < this.s.length) throw this.invalid("after top-level value");
    return v;
  }

  private invalid(context: string): BuiltinError {
    if (this.i >= this.s.length) return new BuiltinError("builtin", "unexpected end of JSON input");
    const ch = this.s[this.i] as string;
    const shown = ch === "'" ? "\\'" : ch;
    return new BuiltinError("builtin", `invalid character '${shown}' ${context}`);
  }

  private ws(): void {
    while (this.i < this.s.length && " \t\n\r".includes(this.s[this.i] as string)) this.i++;
  }

  /**
   * One value, containers included. Iterative (a stack of the open containers): text nested
   * as deep as Go allows parses without deep recursion; deeper text fails as Go's does.
   */
  private value(): Value {
    const open: OpenContainer[] = [];
    for (;;) {
      let v: Value;
      const c = this.s[this.i];
      if (c === "[" || c === "{") {
        if (open.length >= MAX_NESTING_DEPTH) throw new BuiltinError("builtin", "exceeded max depth");
        this.i++;
        this.ws();
        if (c === "[") {
          if (this.s[this.i] !== "]") {
            open.push({ array: [] });
            continue;
          }
          this.i++;
          v = [];
        } else {
          if (this.s[this.i] !== "}") {
            open.push({ object: new RegoObject(), key: this.key() });
            continue;
          }
          this.i++;
          v = new RegoObject();
        }
      } else v = this.scalar();
      // `v` is complete: it goes into its container, which may end here too, and so on.
      for (;;) {
        const top = open[open.length - 1];
        if (top === undefined) return v;
        this.ws();
        const d = this.s[this.i];
        this.i++;
        if (top.array) {
          top.array.push(v);
          if (d === "]") {
            open.pop();
            v = top.array;
            continue;
          }
          if (d !== ",") {
            this.i--;
            throw this.invalid("after array element");
          }
          this.ws();
        } else {
          top.object.set(top.key, v);
          if (d === "}") {
            open.pop();
            v = top.object;
            continue;
          }
          if (d !== ",") {
            this.i--;
            throw this.invalid("after object key:value pair");
          }
          top.key = this.key();
        }
        break;
      }
    }
  }

  private scalar(): Value {
    const c = this.s[this.i];
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, v] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    throw this.invalid("looking for beginning of value");
  }

  /** An object key and its colon, with the whitespace around them. */
  private key(): string {
    this.ws();
    if (this.s[this.i] !== '"') throw this.invalid("looking for beginning of object key string");
    const k = this.string();
    this.ws();
    if (this.s[this.i] !== ":") throw this.invalid("after object key");
    this.i++;
    this.ws();
    return k;
  }

  private string(): string {
    const start = this.i;
    this.i++;
    for (;;) {
      const c = this.s.charCodeAt(this.i);
      if (Number.isNaN(c)) throw this.invalid("in string literal");
      if (c === 0x22) break;
      if (c < 0x20) throw this.invalid("in string literal");
      if (c === 0x5c) {
        const e = this.s[this.i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(this.s.slice(this.i + 2, this.i + 6))) {
            this.i += 2;
            throw this.invalid("in \\u hexadecimal character escape");
          }
          this.i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          this.i++;
          throw this.invalid("in string escape code");
        }
        this.i += 2;
        continue;
      }
      this.i++;
    }
    this.i++;
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }

  private number(): Value {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (!m) {
      this.i++;
      throw this.invalid("in numeric literal");
    }
    this.i += m[0].length;
    const text = m[0];
    const d = Number(text);
    if (Number.isSafeInteger(d) && /^-?\d+$/.test(text)) return d;
    const n = BigNumber.parse(text);
    if (!n) throw this.invalid("in numeric literal");
    return normalizeNumber(n);
  }
}

/** Parses JSON text into a value, numbers exact; throws Go's error messages. */
export function parseJsonText(text: string): Value {
  return new JsonParser(text).parseDocument();
}

/** Whether `text` is one valid JSON document. */
export function isValidJsonText(text: string): boolean {
  try {
    parseJsonText(text);
    return true;
  } catch (e) {
    if (e instanceof BuiltinError) return false;
    throw e;
  }
}

/** Quotes a string as Go's encoding/json does (HTML characters and U+2028/9 escaped). */
export function jsonQuote(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The key text of an object key: strings as they are, other keys as their JSON text. */
function keyText(k: Value): string {
  return typeof k === "string" ? k : marshalJson(k);
}

/** Indentation settings for pretty JSON. */
export interface JsonIndent {
  readonly prefix: string;
  readonly indent: string;
}

/** Marshals a value to JSON text as OPA's `json.marshal` does; indented when `indent` is given. */
export function marshalJson(v: Value, indent?: JsonIndent, depth = 0): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number" || v instanceof BigNumber) return formatNumber(v);
  if (typeof v === "string") return jsonQuote(v);
  const nl = indent ? `\n${indent.prefix}${indent.indent.repeat(depth + 1)}` : "";
  const close = indent ? `\n${indent.prefix}${indent.indent.repeat(depth)}` : "";
  if (Array.isArray(v) || v instanceof RegoSet) {
    const items = Array.isArray(v) ? (v as readonly Value[]) : v.values();
    if (items.length === 0) return "[]";
    return `[${items.map((x) => nl + marshalJson(x, indent, depth + 1)).join(",")}${close}]`;
  }
  const o = v as RegoObject;
  if (o.size === 0) return "{}";
  const entries = o
    .entries()
    .map((e) => [keyText(e.key), e.value] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const sep = indent ? ": " : ":";
  return `{${entries.map(([k, x]) => nl + jsonQuote(k) + sep + marshalJson(x, indent, depth + 1)).join(",")}${close}}`;
}
