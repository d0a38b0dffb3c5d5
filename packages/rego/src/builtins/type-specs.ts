// Builtins: the TypeSpec building blocks that builtin signatures (decls) are written with.

import type { TypeSpec } from "./builtin.js";

/** Any value. */
export const T_ANY = { type: "any" } as const satisfies TypeSpec;
/** A number. */
export const T_NUM = { type: "number" } as const satisfies TypeSpec;
/** A string. */
export const T_STR = { type: "string" } as const satisfies TypeSpec;
/** A boolean. */
export const T_BOOL = { type: "boolean" } as const satisfies TypeSpec;
/** Null. */
export const T_NULL = { type: "null" } as const satisfies TypeSpec;
/** An array of anything. */
export const T_ARRAY_ANY = { type: "array", dynamic: T_ANY } as const satisfies TypeSpec;
/** A set of anything. */
export const T_SET_ANY = { type: "set", of: T_ANY } as const satisfies TypeSpec;
/** An object with any keys and values. */
export const T_OBJECT_ANY = {
  type: "object",
  dynamic: { key: T_ANY, value: T_ANY },
} as const satisfies TypeSpec;

/** An array of `t`. */
export function tArray(t: TypeSpec): TypeSpec {
  return { type: "array", dynamic: t };
}

/** A set of `t`. */
export function tSet(t: TypeSpec): TypeSpec {
  return { type: "set", of: t };
}

/** An object with keys `k` and values `v`. */
export function tObject(k: TypeSpec, v: TypeSpec): TypeSpec {
  return { type: "object", dynamic: { key: k, value: v } };
}

/** Any of the given types. */
export function tOneOf(...of: TypeSpec[]): TypeSpec {
  return { type: "any", of };
}
