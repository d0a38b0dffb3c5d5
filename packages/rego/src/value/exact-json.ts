// Values: JSON that keeps every number exactly as the engine holds it, for callers that print
// results as text (`keygate policy eval`, like `opa eval`, prints 98765432109876543211 as is).

import { BigNumber } from "./big-number.js";
import { type RegoObject, RegoSet, type Value } from "./value.js";

/** A number a double cannot hold exactly, kept as its decimal text. */
export class JsonNumber {
  constructor(readonly text: string) {}

  /** `JSON.stringify` falls back to the nearest double. */
  toJSON(): number {
    return Number(this.text);
  }
}

/** JSON whose numbers may be exact decimal text. */
export type ExactJson =
  | null
  | boolean
  | number
  | string
  | JsonNumber
  | readonly ExactJson[]
  | { readonly [key: string]: ExactJson };

/**
 * Converts a Rego value to exact JSON: sets become arrays in sort order, non-string object keys
 * their JSON text (as OPA does), numbers a double cannot hold become JsonNumber.
 */
export function toExactJson(v: Value): ExactJson {
  if (v === null || typeof v === "boolean" || typeof v === "string" || typeof v === "number") return v;
  if (v instanceof BigNumber) return new JsonNumber(bigNumberText(v));
  if (Array.isArray(v)) return (v as readonly Value[]).map(toExactJson);
  if (v instanceof RegoSet) return v.values().map(toExactJson);
  const out: { [key: string]: ExactJson } = {};
  for (const { key, value } of (v as RegoObject).entries()) {
    const k = typeof key === "string" ? key : stringifyExactJson(toExactJson(key));
    Object.defineProperty(out, k, {
      value: toExactJson(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * JSON text of exact JSON (or of plain data holding it, such as query results), laid out as
 * `JSON.stringify(v, null, indent)` lays it out; undefined members are left out as there.
 * Numbers print as OPA prints them: exact text, and integral doubles of 1e21 and more in full.
 */
export function stringifyExactJson(v: unknown, indent = 0): string {
  const parts: string[] = [];
  write(v, "", " ".repeat(indent), parts);
  return parts.join("");
}

function write(v: unknown, at: string, step: string, out: string[]): void {
  if (v === null || v === undefined || typeof v === "boolean" || typeof v === "string") {
    out.push(JSON.stringify(v ?? null));
    return;
  }
  if (typeof v === "number") {
    out.push(numberText(v));
    return;
  }
  if (v instanceof JsonNumber) {
    out.push(v.text);
    return;
  }
  const inner = at + step;
  const open = step === "" ? "" : `\n${inner}`;
  const close = step === "" ? "" : `\n${at}`;
  const colon = step === "" ? ":" : ": ";
  if (typeof v !== "object") throw new TypeError(`not JSON: ${typeof v}`);
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push("[]");
      return;
    }
    out.push("[");
    v.forEach((item, i) => {
      out.push(i === 0 ? open : `,${open}`);
      write(item, inner, step, out);
    });
    out.push(`${close}]`);
    return;
  }
  const rec = v as Readonly<Record<string, unknown>>;
  const keys = Object.keys(rec).filter((k) => rec[k] !== undefined);
  if (keys.length === 0) {
    out.push("{}");
    return;
  }
  out.push("{");
  keys.forEach((k, i) => {
    out.push(i === 0 ? open : `,${open}`);
    out.push(JSON.stringify(k), colon);
    write(rec[k], inner, step, out);
  });
  out.push(`${close}}`);
}

/** A double as OPA prints it: JSON's text, except integers past 1e21 in full digits. */
function numberText(n: number): string {
  if (!Number.isFinite(n)) return "null";
  if (Number.isInteger(n) && Math.abs(n) >= 1e21) return BigInt(n).toString();
  return JSON.stringify(n);
}

/** Exact decimal text; past 30 zeros, scientific with one leading digit (`1.5e+300`). */
function bigNumberText(n: BigNumber): string {
  const text = n.toString();
  if (!text.includes("e")) return text;
  const neg = n.mantissa < 0n;
  const digits = (neg ? -n.mantissa : n.mantissa).toString();
  const exponent = n.exponent + digits.length - 1;
  const fraction = digits.length > 1 ? `.${digits.slice(1)}` : "";
  return `${neg ? "-" : ""}${digits[0]}${fraction}e${exponent < 0 ? "-" : "+"}${Math.abs(exponent)}`;
}
