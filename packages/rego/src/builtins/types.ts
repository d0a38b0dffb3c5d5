// Builtins: type tests (`is_number`, `is_string`, ...) and `type_name`.

import type { BuiltinDecl, BuiltinImpl } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { arg } from "./operands.js";
import { T_ANY, T_BOOL, T_STR } from "./type-specs.js";
import { type ValueTypeName, typeName } from "../value/value.js";

const TEST: BuiltinDecl = { args: [T_ANY], result: T_BOOL };

function isType(name: ValueTypeName): BuiltinImpl {
  return (args) => typeName(arg(args, 0)) === name;
}

/** Type builtins. */
export const TYPE_BUILTINS = defineBuiltins(
  {
    is_number: TEST,
    is_string: TEST,
    is_boolean: TEST,
    is_array: TEST,
    is_set: TEST,
    is_object: TEST,
    is_null: TEST,
    type_name: { args: [T_ANY], result: T_STR },
  },
  {
    is_number: isType("number"),
    is_string: isType("string"),
    is_boolean: isType("boolean"),
    is_array: isType("array"),
    is_set: isType("set"),
    is_object: isType("object"),
    is_null: isType("null"),
    type_name: (args) => typeName(arg(args, 0)),
  },
);
