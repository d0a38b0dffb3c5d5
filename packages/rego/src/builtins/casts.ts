// Builtins: conversions (`to_number`) and the Rego v0 type assertions (`cast_array`, `cast_set`,
// `cast_string`, `cast_boolean`, `cast_null`, `cast_object`).

import { type BuiltinDecl, BuiltinError, type BuiltinImpl, operandError } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { arg, normalizeNumber, operandOneOfError } from "./operands.js";
import {
  T_ANY,
  T_ARRAY_ANY,
  T_BOOL,
  T_NULL,
  T_NUM,
  T_OBJECT_ANY,
  T_SET_ANY,
  T_STR,
  tOneOf,
} from "./type-specs.js";
import { BigNumber } from "../value/big-number.js";
import { RegoObject, RegoSet, type Value, type ValueTypeName, typeName } from "../value/value.js";

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a number the way OPA's `to_number` accepts it (Go ParseFloat syntax), keeping it exact. */
export function parseNumberText(text: string): Value {
  const bare = text.replace(/^[+-]+/, "").toLowerCase();
  if (bare === "inf" || bare === "infinity" || bare === "nan") {
    throw operandError(1, "valid number string", "string");
  }
  if (DECIMAL.test(text) && !Number.isFinite(Number(text))) {
    throw new BuiltinError("builtin", `strconv.ParseFloat: parsing ${JSON.stringify(text)}: value out of range`);
  }
  if (!DECIMAL.test(text)) {
    throw new BuiltinError("builtin", `strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  let t = text.startsWith("+") ? text.slice(1) : text;
  t = t.replace(/^(-?)\./, "$10.").replace(/\.(?=[eE]|$)/, "");
  const n = BigNumber.parse(t);
  if (!n)
    throw new BuiltinError("builtin", `strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
  return normalizeNumber(n);
}

function assertType(name: ValueTypeName): BuiltinImpl {
  return (args) => {
    const v = arg(args, 0);
    if (typeName(v) !== name) throw operandError(1, name, typeName(v));
    return v;
  };
}

/** Cast builtins. */
export const CAST_BUILTINS = defineBuiltins(
  {
    to_number: { args: [tOneOf(T_NULL, T_BOOL, T_NUM, T_STR)], result: T_NUM },
    cast_array: { args: [T_ANY], result: T_ARRAY_ANY },
    cast_set: { args: [T_ANY], result: T_SET_ANY },
    cast_string: { args: [T_ANY], result: T_STR },
    cast_boolean: { args: [T_ANY], result: T_BOOL },
    cast_null: { args: [T_ANY], result: T_NULL },
    cast_object: { args: [T_ANY], result: T_OBJECT_ANY },
  } satisfies Record<string, BuiltinDecl>,
  {
    to_number: (args) => {
      const v = arg(args, 0);
      if (v === null) return 0;
      if (typeof v === "boolean") return v ? 1 : 0;
      if (typeof v === "string") return parseNumberText(v);
      if (typeof v === "number" || v instanceof BigNumber) return v;
      throw operandOneOfError(1, ["null", "boolean", "number", "string"], typeName(v));
    },
    cast_array: (args) => {
      const v = arg(args, 0);
      if (Array.isArray(v)) return v;
      if (v instanceof RegoSet) return [...v.values()];
      throw operandOneOfError(1, ["array", "set"], typeName(v));
    },
    cast_set: (args) => {
      const v = arg(args, 0);
      if (v instanceof RegoSet) return v;
      if (Array.isArray(v)) return RegoSet.of(v as readonly Value[]);
      throw operandOneOfError(1, ["array", "set"], typeName(v));
    },
    cast_string: assertType("string"),
    cast_boolean: assertType("boolean"),
    cast_null: assertType("null"),
    cast_object: (args) => {
      const v = arg(args, 0);
      if (v instanceof RegoObject) return v;
      throw operandError(1, "object", typeName(v));
    },
  },
);
