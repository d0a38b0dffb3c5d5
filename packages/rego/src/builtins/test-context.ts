// Builtins: a plain evaluation context for calling builtin implementations directly (tests, tools).

import type { BuiltinContext, BuiltinDefinition } from "./builtin.js";
import type { Value } from "../value/value.js";

/** A fresh context: empty cache, a fixed clock, and `random` drawing from `values` in turn. */
export function plainContext(values: readonly number[] = [0.5]): BuiltinContext {
  let i = 0;
  return {
    nowNs: 0n,
    cache: new Map(),
    print: () => {},
    random: () => values[i++ % values.length] ?? 0,
    capabilities: {},
  };
}

/** Returns a caller for the builtins of one list: `call("plus", 1, 2)`. */
export function callerFor(
  list: readonly BuiltinDefinition[],
  ctx: BuiltinContext = plainContext(),
): (name: string, ...args: Value[]) => Value | undefined {
  const byName = new Map(list.map((b) => [b.name, b]));
  return (name, ...args) => {
    const b = byName.get(name);
    if (!b) throw new Error(`no builtin ${name}`);
    return b.impl(args, ctx);
  };
}
