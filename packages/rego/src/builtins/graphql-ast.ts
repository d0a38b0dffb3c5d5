// Builtins, GraphQL: the query and schema AST the parser builds and the validator reads. Its shape
// follows gqlparser's AST structs (which OPA returns as JSON), with camelCase names here.

/** A place in GraphQL source text: 1-based line and column (columns count code points). */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** The kind of a literal value, numbered as gqlparser's `ValueKind` (OPA returns the number). */
export const ValueKind = {
  Variable: 0,
  Int: 1,
  Float: 2,
  String: 3,
  Block: 4,
  Boolean: 5,
  Null: 6,
  Enum: 7,
  List: 8,
  Object: 9,
} as const;

/** One of the `ValueKind` numbers. */
export type ValueKind = (typeof ValueKind)[keyof typeof ValueKind];

/** A literal value, or a variable reference (`kind` Variable, `raw` the name without `$`). */
export interface GqlValue {
  readonly kind: ValueKind;
  /** The literal's text (the decoded text for strings); empty for lists and objects. */
  readonly raw: string;
  /** List elements (with empty names) or object fields. */
  readonly children: readonly ChildValue[];
  readonly position?: Position | undefined;
}

/** An element of a list value or a field of an object value. */
export interface ChildValue {
  readonly name: string;
  readonly value: GqlValue;
  readonly position?: Position | undefined;
}

/** A type reference: a named type, or a list of `elem`; either may be non-null. */
export interface TypeRef {
  readonly namedType: string;
  readonly elem?: TypeRef | undefined;
  readonly nonNull: boolean;
  readonly position?: Position | undefined;
}

/** `name: value` in a field or directive. */
export interface Argument {
  readonly name: string;
  readonly value: GqlValue;
  readonly position?: Position | undefined;
}

/** `@name(arguments)`. */
export interface Directive {
  readonly name: string;
  readonly arguments: readonly Argument[];
  readonly position?: Position | undefined;
}

/** A field selection `alias: name(args) @dirs { ... }` (alias equals name when not given). */
export interface Field {
  readonly kind: "field";
  readonly alias: string;
  readonly name: string;
  readonly arguments: readonly Argument[];
  readonly directives: readonly Directive[];
  readonly selectionSet: readonly Selection[];
  readonly position?: Position | undefined;
}

/** `...Name @dirs`. */
export interface FragmentSpread {
  readonly kind: "fragmentSpread";
  readonly name: string;
  readonly directives: readonly Directive[];
  readonly position?: Position | undefined;
}

/** `... on Type @dirs { ... }` (the type condition is empty when absent). */
export interface InlineFragment {
  readonly kind: "inlineFragment";
  readonly typeCondition: string;
  readonly directives: readonly Directive[];
  readonly selectionSet: readonly Selection[];
  readonly position?: Position | undefined;
}

/** Any selection. */
export type Selection = Field | FragmentSpread | InlineFragment;

/** `$name: Type = default @dirs` in an operation (or, experimentally, a fragment). */
export interface VariableDefinition {
  readonly variable: string;
  readonly type: TypeRef;
  readonly defaultValue?: GqlValue | undefined;
  readonly directives: readonly Directive[];
  /** gqlparser's `Used` flag: false from the parser; an AST object given to a builtin may set it. */
  readonly used: boolean;
  readonly position?: Position | undefined;
}

/** The three operation types. */
export type OperationType = "query" | "mutation" | "subscription";

/** An operation; `operation` is empty only in AST objects that left it out (read as a query). */
export interface OperationDefinition {
  readonly operation: OperationType | "";
  readonly name: string;
  readonly variableDefinitions: readonly VariableDefinition[];
  readonly directives: readonly Directive[];
  readonly selectionSet: readonly Selection[];
  readonly position?: Position | undefined;
}

/** `fragment Name($vars) on Type @dirs { ... }`. */
export interface FragmentDefinition {
  readonly name: string;
  readonly variableDefinitions: readonly VariableDefinition[];
  readonly typeCondition: string;
  readonly directives: readonly Directive[];
  readonly selectionSet: readonly Selection[];
  readonly position?: Position | undefined;
}

/** A parsed query document. */
export interface QueryDocument {
  readonly operations: readonly OperationDefinition[];
  readonly fragments: readonly FragmentDefinition[];
}

/** The kinds of named types. */
export type DefinitionKind = "SCALAR" | "OBJECT" | "INTERFACE" | "UNION" | "ENUM" | "INPUT_OBJECT";

/** Every definition kind, for checks of AST objects. */
export const DEFINITION_KINDS: readonly DefinitionKind[] = [
  "SCALAR",
  "OBJECT",
  "INTERFACE",
  "UNION",
  "ENUM",
  "INPUT_OBJECT",
];

/** A named type definition or extension (gqlparser's one struct for all kinds). */
export interface Definition {
  readonly kind: DefinitionKind;
  readonly description: string;
  readonly name: string;
  readonly directives: readonly Directive[];
  /** Implemented interfaces (objects and interfaces). */
  readonly interfaces: readonly string[];
  /** Fields (objects, interfaces) or input fields (input objects). */
  readonly fields: readonly FieldDefinition[];
  /** Member types (unions). */
  readonly types: readonly string[];
  readonly enumValues: readonly EnumValueDefinition[];
  /** True for the prelude's definitions. */
  readonly builtIn: boolean;
  readonly position?: Position | undefined;
}

/** A field (or input field, which may have a default value) of a type. */
export interface FieldDefinition {
  readonly description: string;
  readonly name: string;
  readonly arguments: readonly ArgumentDefinition[];
  readonly defaultValue?: GqlValue | undefined;
  readonly type: TypeRef;
  readonly directives: readonly Directive[];
  readonly position?: Position | undefined;
}

/** An argument of a field or directive definition. */
export interface ArgumentDefinition {
  readonly description: string;
  readonly name: string;
  readonly defaultValue?: GqlValue | undefined;
  readonly type: TypeRef;
  readonly directives: readonly Directive[];
  readonly position?: Position | undefined;
}

/** A value of an enum type. */
export interface EnumValueDefinition {
  readonly description: string;
  readonly name: string;
  readonly directives: readonly Directive[];
  readonly position?: Position | undefined;
}

/** Where a directive may appear. */
export type DirectiveLocation =
  | "QUERY"
  | "MUTATION"
  | "SUBSCRIPTION"
  | "FIELD"
  | "FRAGMENT_DEFINITION"
  | "FRAGMENT_SPREAD"
  | "INLINE_FRAGMENT"
  | "VARIABLE_DEFINITION"
  | "SCHEMA"
  | "SCALAR"
  | "OBJECT"
  | "FIELD_DEFINITION"
  | "ARGUMENT_DEFINITION"
  | "INTERFACE"
  | "UNION"
  | "ENUM"
  | "ENUM_VALUE"
  | "INPUT_OBJECT"
  | "INPUT_FIELD_DEFINITION";

/** Every directive location, in the spec's order. */
export const DIRECTIVE_LOCATIONS: readonly DirectiveLocation[] = [
  "QUERY",
  "MUTATION",
  "SUBSCRIPTION",
  "FIELD",
  "FRAGMENT_DEFINITION",
  "FRAGMENT_SPREAD",
  "INLINE_FRAGMENT",
  "VARIABLE_DEFINITION",
  "SCHEMA",
  "SCALAR",
  "OBJECT",
  "FIELD_DEFINITION",
  "ARGUMENT_DEFINITION",
  "INTERFACE",
  "UNION",
  "ENUM",
  "ENUM_VALUE",
  "INPUT_OBJECT",
  "INPUT_FIELD_DEFINITION",
];

/** `directive @name(args) repeatable on LOCATIONS`. Locations from AST objects are kept as given. */
export interface DirectiveDefinition {
  readonly description: string;
  readonly name: string;
  readonly arguments: readonly ArgumentDefinition[];
  readonly locations: readonly string[];
  readonly isRepeatable: boolean;
  readonly position?: Position | undefined;
}

/** `schema @dirs { query: Q ... }` or its extension. */
export interface SchemaDefinition {
  readonly description: string;
  readonly directives: readonly Directive[];
  readonly operationTypes: readonly OperationTypeDefinition[];
  readonly position?: Position | undefined;
}

/** `query: TypeName` inside a schema definition. */
export interface OperationTypeDefinition {
  readonly operation: OperationType;
  readonly type: string;
  readonly position?: Position | undefined;
}

/** A parsed schema (SDL) document. */
export interface SchemaDocument {
  readonly schema: readonly SchemaDefinition[];
  readonly schemaExtension: readonly SchemaDefinition[];
  readonly directives: readonly DirectiveDefinition[];
  readonly definitions: readonly Definition[];
  readonly extensions: readonly Definition[];
}

/** A GraphQL syntax, schema or validation error, with the place it refers to when known. */
export class GraphqlError extends Error {
  readonly position: Position | undefined;

  constructor(message: string, position: Position | undefined) {
    super(message);
    this.name = "GraphqlError";
    this.position = position;
  }
}

/** The deepest nesting (selection sets, list and object values, list types, fragment hops) accepted. */
export const MAX_NESTING = 256;

/** The named type at the bottom of a type reference. */
export function typeName(t: TypeRef): string {
  let cur: TypeRef = t;
  while (cur.namedType === "" && cur.elem !== undefined) cur = cur.elem;
  return cur.namedType;
}

/** A type reference as GraphQL writes it: `[Int!]!`. */
export function typeString(t: TypeRef): string {
  const bang = t.nonNull ? "!" : "";
  if (t.namedType !== "" || t.elem === undefined) return `${t.namedType}${bang}`;
  return `[${typeString(t.elem)}]${bang}`;
}
