// Values (shared by every stage): the value of a number literal, as the parser keeps its text.

import { normalizeNumber } from "../builtins/operands.js";
import { BigNumber } from "./big-number.js";
import type { Value } from "./value.js";

const numberCache = new Map<string, Value>();

/** The value of a number literal: a double when exact, else an exact decimal. */
export function numberValue(text: string): Value {
  const cached = numberCache.get(text);
  if (cached !== undefined) return cached;
  let v: Value;
  if (/^-?\d{1,15}$/.test(text)) v = Number(text);
  else {
    const big = BigNumber.parse(text);
    if (!big) throw new Error(`invalid number literal ${text}`);
    v = normalizeNumber(big);
  }
  if (numberCache.size < 10_000) numberCache.set(text, v);
  return v;
}
