// Builtins, GraphQL: the validation rules about values and variables (the rest are in
// graphql-rules.ts, which lists all rules in order): literals of the right type, variables
// defined, used, unique, of input types and in allowed positions.

import { type GqlValue, type TypeRef, typeName, typeString, ValueKind } from "./graphql-ast.js";
import { isCompatible, isInputKind, type SchemaType } from "./graphql-schema.js";
import {
  didYouMean,
  orList,
  quotedOrList,
  type SuggestionBudget,
  suggestionList,
} from "./graphql-suggestions.js";
import type { ValidationRule, ValueInfo } from "./graphql-validator.js";
import { goQuote } from "../value/format-value.js";

/** NoUndefinedVariables: every variable used is defined by the operation. */
export function noUndefinedVariables(): ValidationRule {
  return {
    onValue(ctx, value, info) {
      const op = ctx.currentOperation;
      if (op === undefined || value.kind !== ValueKind.Variable || info.variable !== undefined) return;
      ctx.report(
        op.name === ""
          ? `Variable "$${value.raw}" is not defined.`
          : `Variable "$${value.raw}" is not defined by operation "${op.name}".`,
        value.position,
      );
    },
  };
}

/** NoUnusedVariables: every variable an operation defines is used (through its fragments too). */
export function noUnusedVariables(): ValidationRule {
  return {
    onOperation(ctx, op) {
      for (const v of op.variableDefinitions) {
        if (ctx.isUsed(v)) continue;
        ctx.report(
          op.name === ""
            ? `Variable "$${v.variable}" is never used.`
            : `Variable "$${v.variable}" is never used in operation "${op.name}".`,
          v.position,
        );
      }
    },
  };
}

/** UniqueInputFieldNames: an input object value names each field once. */
export function uniqueInputFieldNames(): ValidationRule {
  return {
    onValue(ctx, value) {
      if (value.kind !== ValueKind.Object) return;
      const seen = new Set<string>();
      for (const child of value.children) {
        if (seen.has(child.name)) {
          ctx.report(`There can be only one input field named "${child.name}".`, child.position);
        }
        seen.add(child.name);
      }
    },
  };
}

/** UniqueVariableNames: an operation defines each variable once. */
export function uniqueVariableNames(): ValidationRule {
  return {
    onOperation(ctx, op) {
      const seen = new Set<string>();
      for (const v of op.variableDefinitions) {
        if (seen.has(v.variable))
          ctx.report(`There can be only one variable named "$${v.variable}".`, v.position);
        seen.add(v.variable);
      }
    },
  };
}

/** A value as gqlparser prints it in messages. */
export function valueText(v: GqlValue): string {
  switch (v.kind) {
    case ValueKind.Variable:
      return `$${v.raw}`;
    case ValueKind.Int:
    case ValueKind.Float:
    case ValueKind.Enum:
    case ValueKind.Boolean:
    case ValueKind.Null:
      return v.raw;
    case ValueKind.String:
    case ValueKind.Block:
      return goQuote(v.raw);
    case ValueKind.List:
      return `[${v.children.map((c) => valueText(c.value)).join(",")}]`;
    case ValueKind.Object:
      return `{${v.children.map((c) => `${c.name}:${valueText(c.value)}`).join(",")}}`;
  }
}

const INT64 = /^[+-]?\d+$/;

/** Whether gqlparser's conversion of the literal to a Go value fails (out of range, malformed). */
function literalFails(v: GqlValue): boolean {
  switch (v.kind) {
    case ValueKind.Int: {
      if (!INT64.test(v.raw)) return true;
      const n = BigInt(v.raw);
      return n > 2n ** 63n - 1n || n < -(2n ** 63n);
    }
    case ValueKind.Float: {
      const n = Number(v.raw);
      return v.raw.trim() === "" || Number.isNaN(n) || !Number.isFinite(n);
    }
    case ValueKind.Boolean:
      return !["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"].includes(
        v.raw,
      );
    case ValueKind.List:
    case ValueKind.Object:
      return v.children.some((c) => literalFails(c.value));
    case ValueKind.Variable:
    case ValueKind.String:
    case ValueKind.Block:
    case ValueKind.Null:
    case ValueKind.Enum:
      return false;
  }
}

function unexpectedType(v: GqlValue, expected: TypeRef, def: SchemaType): string {
  const text = valueText(v);
  switch (typeString(expected)) {
    case "Int":
    case "Int!": {
      const big = INT64.test(v.raw) && (BigInt(v.raw) > 2147483647n || BigInt(v.raw) < -2147483648n);
      return big
        ? `Int cannot represent non 32-bit signed integer value: ${text}`
        : `Int cannot represent non-integer value: ${text}`;
    }
    case "String":
    case "String!":
    case "[String]":
      return `String cannot represent a non string value: ${text}`;
    case "Boolean":
    case "Boolean!":
      return `Boolean cannot represent a non boolean value: ${text}`;
    case "Float":
    case "Float!":
      return `Float cannot represent non numeric value: ${text}`;
    case "ID":
    case "ID!":
      return `ID cannot represent a non-string and non-integer value: ${text}`;
    default:
      return def.kind === "ENUM"
        ? `Enum "${typeString(expected)}" cannot represent non-enum value: ${text}.`
        : `Expected value of type "${typeString(expected)}", found ${text}.`;
  }
}

/** ValuesOfCorrectType: literals fit the type expected where they are given. */
export function valuesOfCorrectType(budget: SuggestionBudget): ValidationRule {
  const enumHint = (raw: string, def: SchemaType, quoted: boolean): string => {
    const names = suggestionList(
      raw,
      def.enumValues.map((e) => e.name),
      budget,
    );
    if (names.length === 0) return "";
    return ` Did you mean the enum value ${quoted ? quotedOrList(names) : orList(names)}?`;
  };
  return {
    onValue(ctx, value, info: ValueInfo) {
      const def = info.definition;
      const expected = info.expectedType;
      if (def === undefined || expected === undefined) return;
      const report = (message: string): void => ctx.report(message, value.position);
      if (value.kind === ValueKind.Null && expected.nonNull) {
        report(`Expected value of type "${typeString(expected)}", found ${valueText(value)}.`);
      }
      // Custom scalars validate their own values.
      if (def.kind === "SCALAR" && !["Int", "Float", "String", "Boolean", "ID"].includes(def.name)) return;
      if (literalFails(value)) report(unexpectedType(value, expected, def));
      switch (value.kind) {
        case ValueKind.Null:
        case ValueKind.Variable:
          return;
        case ValueKind.List:
          if (expected.elem === undefined) report(unexpectedType(value, expected, def));
          return;
        case ValueKind.Int:
          if (!["Int", "Float", "ID"].includes(def.name)) report(unexpectedType(value, expected, def));
          return;
        case ValueKind.Float:
          if (def.name !== "Float") report(unexpectedType(value, expected, def));
          return;
        case ValueKind.String:
        case ValueKind.Block:
          if (def.kind === "ENUM") {
            report(
              `Enum "${typeString(expected)}" cannot represent non-enum value: ${valueText(value)}.${enumHint(value.raw, def, true)}`,
            );
          } else if (def.name !== "String" && def.name !== "ID") {
            report(unexpectedType(value, expected, def));
          }
          return;
        case ValueKind.Enum:
          if (def.kind !== "ENUM") {
            report(`${unexpectedType(value, expected, def)}${enumHint(value.raw, def, false)}`);
          } else if (!def.enumValues.some((e) => e.name === value.raw)) {
            report(
              `Value "${valueText(value)}" does not exist in "${typeString(expected)}" enum.${enumHint(value.raw, def, true)}`,
            );
          }
          return;
        case ValueKind.Boolean:
          if (def.name !== "Boolean") report(unexpectedType(value, expected, def));
          return;
        case ValueKind.Object:
          for (const field of def.fields) {
            if (!field.type.nonNull || field.defaultValue !== undefined) continue;
            if (value.children.some((c) => c.name === field.name)) continue;
            report(
              `Field "${def.name}.${field.name}" of required type "${typeString(field.type)}" was not provided.`,
            );
          }
          for (const child of value.children) {
            if (def.fields.some((f) => f.name === child.name)) continue;
            const hint = didYouMean(
              child.name,
              def.fields.map((f) => f.name),
              budget,
            );
            ctx.report(`Field "${child.name}" is not defined by type "${def.name}".${hint}`, child.position);
          }
          return;
      }
    },
  };
}

/** VariablesAreInputTypes: variables have input types (scalars, enums, input objects). */
export function variablesAreInputTypes(): ValidationRule {
  return {
    onOperation(ctx, op) {
      for (const v of op.variableDefinitions) {
        const def = ctx.schema.types.get(typeName(v.type));
        if (def === undefined || isInputKind(def.kind)) continue;
        ctx.report(`Variable "$${v.variable}" cannot be non-input type "${typeString(v.type)}".`, v.position);
      }
    },
  };
}

/** VariablesInAllowedPosition: a variable's type fits every place it is used. */
export function variablesInAllowedPosition(): ValidationRule {
  return {
    onValue(ctx, value, info) {
      const expected = info.expectedType;
      const variable = info.variable;
      if (value.kind !== ValueKind.Variable || expected === undefined || variable === undefined) return;
      if (ctx.currentOperation === undefined) return;
      // A default value (of the variable, or where it is used) lets a nullable variable stand for a
      // non-null type.
      const variableHasDefault =
        variable.defaultValue !== undefined && variable.defaultValue.kind !== ValueKind.Null;
      const allowed: TypeRef =
        expected.nonNull && (variableHasDefault || info.hasDefault === true)
          ? { ...expected, nonNull: false }
          : expected;
      if (!isCompatible(variable.type, allowed)) {
        ctx.report(
          `Variable "$${value.raw}" of type "${typeString(variable.type)}" used in position expecting type "${typeString(expected)}".`,
          value.position,
        );
      }
    },
  };
}
