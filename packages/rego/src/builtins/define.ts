// Builtins: builds a namespace's definition list from its signatures and implementations.

import type { BuiltinDecl, BuiltinDefinition, BuiltinImpl } from "./builtin.js";

/**
 * Pairs each signature with the implementation of the same name (the key sets must match, so a
 * builtin without an implementation fails to compile); the arity is the number of declared args.
 */
export function defineBuiltins<K extends string>(
  decls: Readonly<Record<K, BuiltinDecl>>,
  impls: Readonly<Record<K, BuiltinImpl>>,
): readonly BuiltinDefinition[] {
  return (Object.keys(decls) as K[]).map((name) => ({
    name,
    arity: decls[name].args.length,
    decl: decls[name],
    impl: impls[name],
  }));
}
