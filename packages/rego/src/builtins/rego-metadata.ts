// Builtins: `rego.metadata.chain` and `rego.metadata.rule`. The compiler replaces every call in
// a rule by the annotations it reads (compile/metadata-calls.ts), so these implementations are
// reached only from a query, which has no rule: they fail there as OPA's do.

import { BuiltinError } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { T_ANY, T_ARRAY_ANY } from "./type-specs.js";

/** OPA's error for a metadata builtin called outside a rule (a builtin error: undefined unless strict). */
function outsideRule(name: string): never {
  throw new BuiltinError("builtin", `the ${name} function must only be called within the scope of a rule`);
}

/** The `rego.metadata` builtins. */
export const REGO_METADATA_BUILTINS = defineBuiltins(
  {
    "rego.metadata.chain": { args: [], result: T_ARRAY_ANY },
    "rego.metadata.rule": { args: [], result: T_ANY },
  },
  {
    "rego.metadata.chain": () => outsideRule("rego.metadata.chain"),
    "rego.metadata.rule": () => outsideRule("rego.metadata.rule"),
  },
);
