// Builtins, GraphQL: schema building, after parsing and before query validation. Merges the prelude,
// applies type extensions, resolves the root operation types and checks the type system, as
// gqlparser's ValidateSchemaDocument does (same order of checks, same messages). The parsed
// documents are not changed: the schema holds copies of their definitions.

import {
  type ArgumentDefinition,
  type Definition,
  type DefinitionKind,
  type Directive,
  type DirectiveDefinition,
  type EnumValueDefinition,
  type FieldDefinition,
  GraphqlError,
  type Position,
  type SchemaDocument,
  type TypeRef,
  typeName,
  typeString,
} from "./graphql-ast.js";
import { preludeDocument } from "./graphql-prelude.js";
import { goQuote } from "../value/format-value.js";

/** A named type of a built schema: a definition with its extensions merged in. */
export interface SchemaType extends Definition {
  readonly directives: Directive[];
  readonly interfaces: string[];
  readonly fields: FieldDefinition[];
  readonly types: string[];
  readonly enumValues: EnumValueDefinition[];
}

/** A schema ready for query validation. */
export interface Schema {
  readonly query: SchemaType | undefined;
  readonly mutation: SchemaType | undefined;
  readonly subscription: SchemaType | undefined;
  readonly types: ReadonlyMap<string, SchemaType>;
  readonly directives: ReadonlyMap<string, DirectiveDefinition>;
  /** For each interface, union and object type, the object (and interface) types it may be. */
  readonly possibleTypes: ReadonlyMap<string, readonly SchemaType[]>;
}

/** Whether values of the kind can be inputs (arguments, variables). */
export function isInputKind(kind: DefinitionKind): boolean {
  return kind === "SCALAR" || kind === "ENUM" || kind === "INPUT_OBJECT";
}

/** Whether the kind has no fields to select. */
export function isLeafKind(kind: DefinitionKind): boolean {
  return kind === "SCALAR" || kind === "ENUM";
}

/** Whether the kind has fields to select (objects, interfaces, unions). */
export function isCompositeKind(kind: DefinitionKind): boolean {
  return kind === "OBJECT" || kind === "INTERFACE" || kind === "UNION";
}

/** The types a composite type may be at run time (an object type is its own only possibility). */
export function possibleTypesOf(schema: Schema, def: Definition): readonly SchemaType[] {
  return schema.possibleTypes.get(def.name) ?? [];
}

function fail(position: Position | undefined, message: string): never {
  throw new GraphqlError(message, position);
}

function copyOf(def: Definition): SchemaType {
  return {
    ...def,
    directives: [...def.directives],
    interfaces: [...def.interfaces],
    fields: [...def.fields],
    types: [...def.types],
    enumValues: [...def.enumValues],
  };
}

const BUILTIN_DIRECTIVES = new Set(["include", "skip", "deprecated", "specifiedBy"]);

interface MutableSchema {
  query: SchemaType | undefined;
  mutation: SchemaType | undefined;
  subscription: SchemaType | undefined;
  types: Map<string, SchemaType>;
  directives: Map<string, DirectiveDefinition>;
  possibleTypes: Map<string, SchemaType[]>;
}

/** Builds and checks a schema from a document (the prelude is added); throws GraphqlError. */
export function buildSchema(doc: SchemaDocument): Schema {
  const prelude = preludeDocument();
  const schema: MutableSchema = {
    query: undefined,
    mutation: undefined,
    subscription: undefined,
    types: new Map(),
    directives: new Map(),
    possibleTypes: new Map(),
  };

  const defs: SchemaType[] = [];
  for (const def of [...prelude.definitions, ...doc.definitions]) {
    if (schema.types.has(def.name)) fail(def.position, `Cannot redeclare type ${def.name}.`);
    const copy = copyOf(def);
    schema.types.set(def.name, copy);
    defs.push(copy);
  }
  for (const ext of [...prelude.extensions, ...doc.extensions]) {
    let def = schema.types.get(ext.name);
    if (def === undefined) {
      def = {
        kind: ext.kind,
        description: "",
        name: ext.name,
        directives: [],
        interfaces: [],
        fields: [],
        types: [],
        enumValues: [],
        builtIn: false,
        position: ext.position,
      };
      schema.types.set(ext.name, def);
      defs.push(def);
    }
    if (def.kind !== ext.kind) {
      fail(
        ext.position,
        `Cannot extend type ${ext.name} because the base type is a ${def.kind}, not ${ext.kind}.`,
      );
    }
    def.directives.push(...ext.directives);
    def.interfaces.push(...ext.interfaces);
    def.fields.push(...ext.fields);
    def.types.push(...ext.types);
    def.enumValues.push(...ext.enumValues);
  }

  const addPossible = (name: string, def: SchemaType | undefined): void => {
    if (def === undefined) return;
    const list = schema.possibleTypes.get(name);
    if (list === undefined) schema.possibleTypes.set(name, [def]);
    else list.push(def);
  };
  for (const def of defs) {
    switch (def.kind) {
      case "UNION":
        for (const t of def.types) addPossible(def.name, schema.types.get(t));
        break;
      case "INPUT_OBJECT":
      case "OBJECT":
        for (const intf of def.interfaces) addPossible(intf, def);
        addPossible(def.name, def);
        break;
      case "INTERFACE":
        for (const intf of def.interfaces) addPossible(intf, def);
        break;
      case "SCALAR":
      case "ENUM":
        break;
    }
  }

  for (const dir of [...prelude.directives, ...doc.directives]) {
    if (schema.directives.has(dir.name) && !BUILTIN_DIRECTIVES.has(dir.name)) {
      fail(dir.position, `Cannot redeclare directive ${dir.name}.`);
    }
    schema.directives.set(dir.name, dir);
  }

  const schemaDefs = [...prelude.schema, ...doc.schema];
  if (schemaDefs.length > 1) {
    fail(
      schemaDefs[1]?.position,
      "Cannot have multiple schema entry points, consider schema extensions instead.",
    );
  }
  for (const entry of [...schemaDefs, ...prelude.schemaExtension, ...doc.schemaExtension].flatMap(
    (s) => s.operationTypes,
  )) {
    const def = schema.types.get(entry.type);
    if (def === undefined) {
      fail(
        entry.position,
        `Schema root ${entry.operation} refers to a type ${entry.type} that does not exist.`,
      );
    }
    schema[entry.operation] = def;
  }

  for (const name of [...schema.types.keys()].sort())
    validateDefinition(schema, schema.types.get(name) as SchemaType);
  for (const name of [...schema.directives.keys()].sort()) {
    const dir = schema.directives.get(name) as DirectiveDefinition;
    validateName(dir.position, dir.name);
    validateArgs(schema, dir.arguments, dir);
  }

  // Root types are inferred from their names only when there is no schema definition.
  if (schemaDefs.length === 0) {
    schema.query ??= schema.types.get("Query");
    schema.mutation ??= schema.types.get("Mutation");
    schema.subscription ??= schema.types.get("Subscription");
  }
  schema.query?.fields.push(
    {
      description: "",
      name: "__schema",
      arguments: [],
      type: { namedType: "__Schema", nonNull: true },
      directives: [],
    },
    {
      description: "",
      name: "__type",
      arguments: [
        { description: "", name: "name", type: { namedType: "String", nonNull: true }, directives: [] },
      ],
      type: { namedType: "__Type", nonNull: false },
      directives: [],
    },
  );
  return schema;
}

function validateName(position: Position | undefined, name: string): void {
  if (name.startsWith("__")) {
    fail(position, `Name "${name}" must not begin with "__", which is reserved by GraphQL introspection.`);
  }
}

function validateTypeRef(schema: MutableSchema, t: TypeRef): SchemaType {
  const def = schema.types.get(typeName(t));
  return def ?? fail(t.position, `Undefined type ${typeName(t)}.`);
}

function validateArgs(
  schema: MutableSchema,
  args: readonly ArgumentDefinition[],
  current: DirectiveDefinition | undefined,
): void {
  for (const arg of args) {
    validateName(arg.position, arg.name);
    const def = validateTypeRef(schema, arg.type);
    if (!isInputKind(def.kind)) {
      fail(
        arg.position,
        `cannot use ${typeString(arg.type)} as argument ${arg.name} because ${def.kind} is not a valid input type`,
      );
    }
    validateDirectives(schema, arg.directives, "ARGUMENT_DEFINITION", current);
  }
}

function validateDirectives(
  schema: MutableSchema,
  dirs: readonly Directive[],
  location: string,
  current: DirectiveDefinition | undefined,
): void {
  for (const dir of dirs) {
    validateName(dir.position, dir.name);
    if (current !== undefined && dir.name === current.name) {
      fail(dir.position, `Directive ${current.name} cannot refer to itself.`);
    }
    const def = schema.directives.get(dir.name);
    if (def === undefined) fail(dir.position, `Undefined directive ${dir.name}.`);
    if (!def.locations.includes(location))
      fail(dir.position, `Directive ${dir.name} is not applicable on ${location}.`);
  }
}

function validateDefinition(schema: MutableSchema, def: SchemaType): void {
  for (const field of def.fields) {
    validateName(field.position, field.name);
    validateTypeRef(schema, field.type);
    validateArgs(schema, field.arguments, undefined);
    const location = def.kind === "INPUT_OBJECT" ? "INPUT_FIELD_DEFINITION" : "FIELD_DEFINITION";
    validateDirectives(schema, field.directives, location, undefined);
  }
  for (const t of def.types) {
    const member = schema.types.get(t);
    if (member === undefined) fail(def.position, `Undefined type ${goQuote(t)}.`);
    if (member.kind !== "OBJECT") fail(def.position, `${def.kind} type ${goQuote(t)} must be OBJECT.`);
  }
  for (const intf of def.interfaces) validateImplements(schema, def, intf);

  switch (def.kind) {
    case "OBJECT":
    case "INTERFACE":
      if (def.fields.length === 0)
        fail(def.position, `${def.kind} ${def.name}: must define one or more fields.`);
      for (const field of def.fields) {
        const t = schema.types.get(typeName(field.type));
        if (t !== undefined && t.kind === "INPUT_OBJECT") {
          fail(
            field.position,
            `${def.kind} ${def.name}: field must be one of SCALAR, OBJECT, INTERFACE, UNION, ENUM.`,
          );
        }
      }
      break;
    case "ENUM":
      if (def.enumValues.length === 0) {
        fail(def.position, `${def.kind} ${def.name}: must define one or more unique enum values.`);
      }
      for (const value of def.enumValues) {
        if (value.name === "true" || value.name === "false" || value.name === "null") {
          fail(def.position, `${def.kind} ${def.name}: non-enum value ${value.name}.`);
        }
      }
      break;
    case "INPUT_OBJECT":
      if (def.fields.length === 0)
        fail(def.position, `${def.kind} ${def.name}: must define one or more input fields.`);
      for (const field of def.fields) {
        const t = schema.types.get(typeName(field.type));
        if (t !== undefined && !isInputKind(t.kind)) {
          fail(field.position, `${t.kind} ${field.name}: field must be one of SCALAR, ENUM, INPUT_OBJECT.`);
        }
      }
      break;
    case "SCALAR":
    case "UNION":
      break;
  }

  const seen = new Set<string>();
  for (const field of def.fields) {
    if (seen.has(field.name))
      fail(field.position, `Field ${def.name}.${field.name} can only be defined once.`);
    seen.add(field.name);
  }
  if (!def.builtIn) validateName(def.position, def.name);
  validateDirectives(schema, def.directives, def.kind, undefined);
}

function validateImplements(schema: MutableSchema, def: SchemaType, intfName: string): void {
  const intf = schema.types.get(intfName);
  if (intf === undefined) fail(def.position, `Undefined type ${goQuote(intfName)}.`);
  if (intf.kind !== "INTERFACE")
    fail(def.position, `${goQuote(intfName)} is a non interface type ${intf.kind}.`);
  const impl = `For ${def.name} to implement ${intf.name}`;
  for (const required of intf.fields) {
    const found = def.fields.find((f) => f.name === required.name);
    if (found === undefined) fail(def.position, `${impl} it must have a field called ${required.name}.`);
    if (!isCovariant(schema, required.type, found.type)) {
      fail(found.position, `${impl} the field ${required.name} must have type ${typeString(required.type)}.`);
    }
    for (const requiredArg of required.arguments) {
      const foundArg = found.arguments.find((a) => a.name === requiredArg.name);
      if (foundArg === undefined) {
        fail(
          found.position,
          `${impl} the field ${required.name} must have the same arguments but it is missing ${requiredArg.name}.`,
        );
      }
      if (!isCompatible(requiredArg.type, foundArg.type)) {
        fail(
          foundArg.position,
          `${impl} the field ${required.name} must have the same arguments but ${requiredArg.name} has the wrong type.`,
        );
      }
    }
    for (const extra of found.arguments) {
      if (
        required.arguments.find((a) => a.name === extra.name) === undefined &&
        extra.type.nonNull &&
        extra.defaultValue === undefined
      ) {
        fail(
          extra.position,
          `${impl} any additional arguments on ${found.name} must be optional or have a default value but ${extra.name} is required.`,
        );
      }
    }
  }
  for (const transitive of intf.interfaces) {
    if (def.interfaces.includes(transitive)) continue;
    if (transitive === def.name) {
      fail(
        def.position,
        `Type ${def.name} cannot implement ${intfName} because it would create a circular reference.`,
      );
    }
    fail(
      def.position,
      `Type ${def.name} must implement ${transitive} because it is implemented by ${intfName}.`,
    );
  }
}

/** Whether `actual` may stand where `required` is declared (interface field covariance). */
function isCovariant(schema: MutableSchema, required: TypeRef, actual: TypeRef | undefined): boolean {
  if (actual === undefined) return false;
  if (required.nonNull && !actual.nonNull) return false;
  if (required.namedType !== "") {
    if (required.namedType === actual.namedType) return true;
    return (schema.possibleTypes.get(required.namedType) ?? []).some((t) => t.name === actual.namedType);
  }
  if (required.elem !== undefined && actual.elem === undefined) return false;
  return required.elem !== undefined && isCovariant(schema, required.elem, actual.elem);
}

/** gqlparser's Type.IsCompatible: `t` may be used where `other` is expected. */
export function isCompatible(t: TypeRef, other: TypeRef): boolean {
  if (t.namedType !== other.namedType) return false;
  if (t.elem !== undefined && other.elem === undefined) return false;
  if (t.elem !== undefined && other.elem !== undefined && !isCompatible(t.elem, other.elem)) return false;
  if (other.nonNull) return t.nonNull;
  return true;
}
