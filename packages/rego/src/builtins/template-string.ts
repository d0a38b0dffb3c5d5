// Builtins: `internal.template_string`, which every template string (`$"hi {input.name}"`) is
// lowered to by the parser, as OPA's compiler lowers it. Its one operand is the array of parts:
// literal text and scalar literals as they are, and each other hole as the set of the values
// its expression took (a set comprehension). Like `print`, an empty set renders `<undefined>`;
// unlike `print`, a hole with more than one value is an error, as OPA's topdown raises it.

import type { BuiltinDecl, BuiltinDefinition, BuiltinImpl } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { arrayArg } from "./operands.js";
import { T_ARRAY_ANY, T_STR } from "./type-specs.js";
import { RegoError } from "../errors.js";
import { formatValue } from "../value/format-value.js";
import { RegoSet, type Value, typeName } from "../value/value.js";

const DECLS = {
  "internal.template_string": { args: [T_ARRAY_ANY], result: T_STR },
} satisfies Record<string, BuiltinDecl>;

/** A part as OPA prints it into the string: strings as they are, other values as `print` shows them. */
function render(v: Value): string {
  return typeof v === "string" ? v : formatValue(v);
}

const templateString: BuiltinImpl = (args) => {
  const parts = arrayArg(args, 0);
  // OPA walks the cross product of the holes' values: an operand of the wrong type stops it on
  // the first path, before a second output (the conflict) can be reached.
  for (const p of parts) {
    const type = typeName(p);
    if (type === "array" || type === "object") {
      throw RegoError.of("eval_internal_error", `illegal argument type: ${type}`);
    }
  }
  let out = "";
  for (const p of parts) {
    if (!(p instanceof RegoSet)) {
      out += render(p);
      continue;
    }
    if (p.size > 1) {
      // OPA's error carries the call's location, which builtins are not given here.
      throw RegoError.of("eval_conflict_error", "template-strings must not produce multiple outputs");
    }
    const [only] = p.values();
    out += only === undefined ? "<undefined>" : render(only);
  }
  return out;
};

/** `internal.template_string`, the builtin behind template strings. */
export const TEMPLATE_STRING_BUILTINS: readonly BuiltinDefinition[] = defineBuiltins(DECLS, {
  "internal.template_string": templateString,
});
