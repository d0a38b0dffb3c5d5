// Builtins, GraphQL: AST to Rego value, the output stage of `graphql.parse*`. Produces what OPA
// returns: gqlparser's AST structs as JSON objects (Go field names), without positions, and with
// null, empty-array and empty-object fields left out (OPA prunes them); empty strings, false and 0
// are kept.

import type {
  Argument,
  ArgumentDefinition,
  Definition,
  Directive,
  DirectiveDefinition,
  EnumValueDefinition,
  FieldDefinition,
  FragmentDefinition,
  GqlValue,
  OperationDefinition,
  QueryDocument,
  SchemaDefinition,
  SchemaDocument,
  Selection,
  TypeRef,
  VariableDefinition,
} from "./graphql-ast.js";
import { RegoObject, type Value } from "../value/value.js";

type Entry = readonly [string, Value | undefined];

/** An object of the given fields, leaving out missing values, empty arrays and empty objects. */
function struct(entries: readonly Entry[]): RegoObject {
  const o = new RegoObject();
  for (const [key, value] of entries) {
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (value instanceof RegoObject && value.size === 0) continue;
    o.set(key, value);
  }
  return o;
}

function list<T>(items: readonly T[], convert: (item: T) => Value): Value[] {
  return items.map(convert);
}

function typeValue(t: TypeRef): Value {
  return struct([
    ["NamedType", t.namedType],
    ["Elem", t.elem === undefined ? undefined : typeValue(t.elem)],
    ["NonNull", t.nonNull],
  ]);
}

function valueValue(v: GqlValue): Value {
  return struct([
    ["Raw", v.raw],
    [
      "Children",
      list(v.children, (c) =>
        struct([
          ["Name", c.name],
          ["Value", valueValue(c.value)],
        ]),
      ),
    ],
    ["Kind", v.kind],
  ]);
}

function argumentValue(a: Argument): Value {
  return struct([
    ["Name", a.name],
    ["Value", valueValue(a.value)],
  ]);
}

function directivesValue(dirs: readonly Directive[]): Value[] {
  return list(dirs, (d) =>
    struct([
      ["Name", d.name],
      ["Arguments", list(d.arguments, argumentValue)],
      // Filled in by validation in gqlparser, which OPA runs after building the result.
      ["Location", ""],
    ]),
  );
}

function selectionsValue(set: readonly Selection[]): Value[] {
  return list(set, (sel): Value => {
    switch (sel.kind) {
      case "field":
        return struct([
          ["Alias", sel.alias],
          ["Name", sel.name],
          ["Arguments", list(sel.arguments, argumentValue)],
          ["Directives", directivesValue(sel.directives)],
          ["SelectionSet", selectionsValue(sel.selectionSet)],
        ]);
      case "fragmentSpread":
        return struct([
          ["Name", sel.name],
          ["Directives", directivesValue(sel.directives)],
        ]);
      case "inlineFragment":
        return struct([
          ["TypeCondition", sel.typeCondition],
          ["Directives", directivesValue(sel.directives)],
          ["SelectionSet", selectionsValue(sel.selectionSet)],
        ]);
    }
  });
}

function variablesValue(defs: readonly VariableDefinition[]): Value[] {
  return list(defs, (v) =>
    struct([
      ["Variable", v.variable],
      ["Type", typeValue(v.type)],
      ["DefaultValue", v.defaultValue === undefined ? undefined : valueValue(v.defaultValue)],
      ["Directives", directivesValue(v.directives)],
      ["Used", v.used],
    ]),
  );
}

function operationValue(op: OperationDefinition): Value {
  return struct([
    ["Operation", op.operation],
    ["Name", op.name],
    ["VariableDefinitions", variablesValue(op.variableDefinitions)],
    ["Directives", directivesValue(op.directives)],
    ["SelectionSet", selectionsValue(op.selectionSet)],
  ]);
}

function fragmentValue(f: FragmentDefinition): Value {
  return struct([
    ["Name", f.name],
    ["VariableDefinition", variablesValue(f.variableDefinitions)],
    ["TypeCondition", f.typeCondition],
    ["Directives", directivesValue(f.directives)],
    ["SelectionSet", selectionsValue(f.selectionSet)],
  ]);
}

/** A query document as OPA's `graphql.parse_query` returns it. */
export function queryDocumentValue(doc: QueryDocument): RegoObject {
  return struct([
    ["Operations", list(doc.operations, operationValue)],
    ["Fragments", list(doc.fragments, fragmentValue)],
  ]);
}

function argumentDefsValue(args: readonly ArgumentDefinition[]): Value[] {
  return list(args, (a) =>
    struct([
      ["Description", a.description],
      ["Name", a.name],
      ["DefaultValue", a.defaultValue === undefined ? undefined : valueValue(a.defaultValue)],
      ["Type", typeValue(a.type)],
      ["Directives", directivesValue(a.directives)],
    ]),
  );
}

function fieldDefValue(f: FieldDefinition): Value {
  return struct([
    ["Description", f.description],
    ["Name", f.name],
    ["Arguments", argumentDefsValue(f.arguments)],
    ["DefaultValue", f.defaultValue === undefined ? undefined : valueValue(f.defaultValue)],
    ["Type", typeValue(f.type)],
    ["Directives", directivesValue(f.directives)],
  ]);
}

function enumValueValue(e: EnumValueDefinition): Value {
  return struct([
    ["Description", e.description],
    ["Name", e.name],
    ["Directives", directivesValue(e.directives)],
  ]);
}

function definitionValue(d: Definition): Value {
  return struct([
    ["Kind", d.kind],
    ["Description", d.description],
    ["Name", d.name],
    ["Directives", directivesValue(d.directives)],
    ["Interfaces", [...d.interfaces]],
    ["Fields", list(d.fields, fieldDefValue)],
    ["Types", [...d.types]],
    ["EnumValues", list(d.enumValues, enumValueValue)],
    ["BuiltIn", d.builtIn],
  ]);
}

function directiveDefValue(d: DirectiveDefinition): Value {
  return struct([
    ["Description", d.description],
    ["Name", d.name],
    ["Arguments", argumentDefsValue(d.arguments)],
    ["Locations", [...d.locations]],
    ["IsRepeatable", d.isRepeatable],
  ]);
}

function schemaDefValue(s: SchemaDefinition): Value {
  return struct([
    ["Description", s.description],
    ["Directives", directivesValue(s.directives)],
    [
      "OperationTypes",
      list(s.operationTypes, (o) =>
        struct([
          ["Operation", o.operation],
          ["Type", o.type],
        ]),
      ),
    ],
  ]);
}

/** A schema document as OPA's `graphql.parse_schema` returns it. */
export function schemaDocumentValue(doc: SchemaDocument): RegoObject {
  return struct([
    ["Schema", list(doc.schema, schemaDefValue)],
    ["SchemaExtension", list(doc.schemaExtension, schemaDefValue)],
    ["Directives", list(doc.directives, directiveDefValue)],
    ["Definitions", list(doc.definitions, definitionValue)],
    ["Extensions", list(doc.extensions, definitionValue)],
  ]);
}
