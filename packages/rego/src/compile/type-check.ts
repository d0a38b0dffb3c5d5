// Compile stage: the type checks OPA makes before evaluation, for builtin calls whose arguments
// are literals (`count(1)`, `startswith(1, "a")`): such a call can never succeed, so it is
// refused as `rego_type_error` with the types it has and wants.

import type { BuiltinDecl, TypeSpec } from "../builtins/builtin.js";
import type { Term } from "../syntax/ast.js";

/** A literal argument's type name, or undefined when the argument is not a literal. */
function literalType(t: Term): TypeSpec["type"] | undefined {
  switch (t.type) {
    case "null":
      return "null";
    case "boolean":
      return "boolean";
    case "number":
      return "number";
    case "string":
      return "string";
    case "array":
    case "arraycomp":
      return "array";
    case "set":
    case "setcomp":
      return "set";
    case "object":
    case "objectcomp":
      return "object";
    default:
      return undefined;
  }
}

function accepts(spec: TypeSpec, type: TypeSpec["type"]): boolean {
  if (spec.type === "any") return !spec.of || spec.of.length === 0 || spec.of.some((s) => accepts(s, type));
  return spec.type === type;
}

/** OPA's way of writing a type in messages (`any<array[any], set[any]>`, `string`). */
export function typeText(spec: TypeSpec): string {
  switch (spec.type) {
    case "any":
      return spec.of && spec.of.length > 0 ? `any<${spec.of.map(typeText).join(", ")}>` : "any";
    case "array":
      return spec.dynamic ? `array[${typeText(spec.dynamic)}]` : "array";
    case "set":
      return spec.of ? `set[${typeText(spec.of)}]` : "set";
    case "object":
      return spec.dynamic ? `object[${typeText(spec.dynamic.key)}: ${typeText(spec.dynamic.value)}]` : "object";
    case "function":
      return "function";
    case "null":
    case "boolean":
    case "number":
    case "string":
      return spec.type;
    default: {
      const never: never = spec;
      return String(never);
    }
  }
}

/** The message for a call whose literal arguments do not fit the builtin, or undefined. */
export function checkLiteralArgs(name: string, decl: BuiltinDecl, args: readonly Term[]): string | undefined {
  const have: string[] = [];
  let bad = false;
  decl.args.forEach((spec, i) => {
    const arg = args[i];
    const type = arg ? literalType(arg) : undefined;
    have.push(type ?? "any");
    if (type !== undefined && !accepts(spec, type)) bad = true;
  });
  if (!bad) return undefined;
  return `${name}: invalid argument(s)\n\thave: (${have.join(", ")})\n\twant: (${decl.args.map(typeText).join(", ")})`;
}
