// Builtins: URI parsing (`uri.parse`, `uri.is_valid`), on Go's net/url.Parse as OPA does.

import { defineBuiltins } from "./define.js";
import { isValidUri, parseUri } from "./go-url.js";
import { arg, stringArg } from "./operands.js";
import { T_BOOL, T_STR, tObject } from "./type-specs.js";

/** URI builtins. */
export const URI_BUILTINS = defineBuiltins(
  {
    "uri.parse": { args: [T_STR], result: tObject(T_STR, T_STR) },
    "uri.is_valid": { args: [T_STR], result: T_BOOL },
  },
  {
    "uri.parse": (args) => parseUri(stringArg(args, 0)),
    // OPA answers false, not a type error, for a non-string.
    "uri.is_valid": (args) => isValidUri(arg(args, 0)),
  },
);
