// Builtins, GraphQL: Rego value to AST, the input stage for builtins given an AST object instead of
// text (OPA decodes the object as JSON into gqlparser's structs). Reads the field names OPA
// returns; missing or null fields take their zero value, unknown fields are ignored, and a field
// of the wrong type is an error naming its path. Selections are told apart by their fields: an
// inline fragment has `TypeCondition`, a field has `Alias`, `Arguments` or `SelectionSet`, and
// anything else is a fragment spread.

import {
  type Argument,
  type ArgumentDefinition,
  DEFINITION_KINDS,
  type Definition,
  type Directive,
  type DirectiveDefinition,
  type EnumValueDefinition,
  type FieldDefinition,
  type FragmentDefinition,
  type GqlValue,
  MAX_NESTING,
  type OperationDefinition,
  type OperationType,
  type QueryDocument,
  type SchemaDefinition,
  type SchemaDocument,
  type Selection,
  type TypeRef,
  type ValueKind,
  type VariableDefinition,
} from "./graphql-ast.js";
import { RegoObject, RegoSet, type Value, typeName as valueTypeName } from "../value/value.js";

/** An AST object that cannot be read as a GraphQL AST. */
export class GraphqlAstError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GraphqlAstError";
  }
}

const OPERATIONS: readonly OperationType[] = ["query", "mutation", "subscription"];

class AstReader {
  private readonly what: string;
  private readonly path: string[] = [];
  private depth = 0;

  constructor(what: string) {
    this.what = what;
  }

  fail(message: string): never {
    // Deep paths are shortened to their first and last segments.
    const segments =
      this.path.length > 8 ? [...this.path.slice(0, 2), "…", ...this.path.slice(-5)] : this.path;
    const where = segments.join("").replace(/^\./, "");
    throw new GraphqlAstError(
      `invalid GraphQL ${this.what} AST: ${where === "" ? "" : `${where} `}${message}`,
    );
  }

  private at<T>(segment: string, body: () => T): T {
    this.path.push(segment);
    try {
      return body();
    } finally {
      this.path.pop();
    }
  }

  /** Reads a recursive part one level deeper, refusing objects nested beyond MAX_NESTING. */
  nested<T>(body: () => T): T {
    if (this.depth >= MAX_NESTING) this.fail(`is nested deeper than ${MAX_NESTING} levels`);
    this.depth++;
    try {
      return body();
    } finally {
      this.depth--;
    }
  }

  object(v: Value): RegoObject {
    if (v instanceof RegoObject) return v;
    return this.fail(`must be an object, got ${valueTypeName(v)}`);
  }

  private raw(o: RegoObject, key: string): Value | null {
    return o.get(key) ?? null;
  }

  string(o: RegoObject, key: string): string {
    const v = this.raw(o, key);
    if (v === null) return "";
    if (typeof v === "string") return v;
    return this.at(`.${key}`, () => this.fail(`must be a string, got ${valueTypeName(v)}`));
  }

  boolean(o: RegoObject, key: string): boolean {
    const v = this.raw(o, key);
    if (v === null) return false;
    if (typeof v === "boolean") return v;
    return this.at(`.${key}`, () => this.fail(`must be a boolean, got ${valueTypeName(v)}`));
  }

  kind(o: RegoObject): ValueKind {
    const v = this.raw(o, "Kind");
    if (v === null) return 0;
    if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 9) return v as ValueKind;
    return this.at(".Kind", () => this.fail("must be an integer from 0 to 9"));
  }

  list<T>(o: RegoObject, key: string, item: (v: Value) => T): T[] {
    const v = this.raw(o, key);
    if (v === null) return [];
    let items: readonly Value[];
    if (Array.isArray(v)) items = v as readonly Value[];
    else if (v instanceof RegoSet) items = v.values();
    else return this.at(`.${key}`, () => this.fail(`must be an array, got ${valueTypeName(v)}`));
    return items.map((x, i) => this.at(`.${key}[${i}]`, () => item(x)));
  }

  strings(o: RegoObject, key: string): string[] {
    return this.list(o, key, (v) =>
      typeof v === "string" ? v : this.fail(`must be a string, got ${valueTypeName(v)}`),
    );
  }

  optional<T>(o: RegoObject, key: string, read: (o: RegoObject) => T): T | undefined {
    const v = this.raw(o, key);
    if (v === null) return undefined;
    return this.at(`.${key}`, () => read(this.object(v)));
  }

  required<T>(o: RegoObject, key: string, read: (o: RegoObject) => T): T {
    return this.optional(o, key, read) ?? this.at(`.${key}`, () => this.fail("is missing"));
  }
}

function readType(r: AstReader, o: RegoObject): TypeRef {
  return r.nested(() => {
    const namedType = r.string(o, "NamedType");
    const elem = r.optional(o, "Elem", (e) => readType(r, e));
    if (namedType === "" && elem === undefined) r.fail("must have a NamedType or an Elem");
    return { namedType, elem, nonNull: r.boolean(o, "NonNull") };
  });
}

function readValue(r: AstReader, o: RegoObject): GqlValue {
  return r.nested(() => ({
    kind: r.kind(o),
    raw: r.string(o, "Raw"),
    children: r.list(o, "Children", (v) => {
      const c = r.object(v);
      return { name: r.string(c, "Name"), value: r.required(c, "Value", (x) => readValue(r, x)) };
    }),
  }));
}

function readArguments(r: AstReader, o: RegoObject): Argument[] {
  return r.list(o, "Arguments", (v) => {
    const a = r.object(v);
    return { name: r.string(a, "Name"), value: r.required(a, "Value", (x) => readValue(r, x)) };
  });
}

function readDirectives(r: AstReader, o: RegoObject): Directive[] {
  return r.list(o, "Directives", (v) => {
    const d = r.object(v);
    return { name: r.string(d, "Name"), arguments: readArguments(r, d) };
  });
}

function readSelections(r: AstReader, o: RegoObject): Selection[] {
  return r.nested(() =>
    r.list(o, "SelectionSet", (v): Selection => {
      const s = r.object(v);
      const directives = readDirectives(r, s);
      if (s.get("TypeCondition") !== undefined) {
        return {
          kind: "inlineFragment",
          typeCondition: r.string(s, "TypeCondition"),
          directives,
          selectionSet: readSelections(r, s),
        };
      }
      if (["Alias", "Arguments", "SelectionSet"].some((k) => s.get(k) !== undefined)) {
        return {
          kind: "field",
          alias: r.string(s, "Alias"),
          name: r.string(s, "Name"),
          arguments: readArguments(r, s),
          directives,
          selectionSet: readSelections(r, s),
        };
      }
      return { kind: "fragmentSpread", name: r.string(s, "Name"), directives };
    }),
  );
}

function readVariables(r: AstReader, o: RegoObject, key: string): VariableDefinition[] {
  return r.list(o, key, (v) => {
    const d = r.object(v);
    return {
      variable: r.string(d, "Variable"),
      type: r.required(d, "Type", (t) => readType(r, t)),
      defaultValue: r.optional(d, "DefaultValue", (x) => readValue(r, x)),
      directives: readDirectives(r, d),
      used: r.boolean(d, "Used"),
    };
  });
}

function readOperationType<T extends string>(r: AstReader, o: RegoObject, allowed: readonly T[]): T {
  const op = r.string(o, "Operation");
  const found = allowed.find((a) => a === op);
  return found ?? r.fail(`has Operation ${JSON.stringify(op)}, not one of ${OPERATIONS.join(", ")}`);
}

/** Reads a query AST object (as `graphql.parse_query` returns it); throws GraphqlAstError. */
export function decodeQueryDocument(v: RegoObject): QueryDocument {
  const r = new AstReader("query");
  const operations = r.list(v, "Operations", (x): OperationDefinition => {
    const o = r.object(x);
    return {
      operation: readOperationType<OperationType | "">(r, o, ["", ...OPERATIONS]),
      name: r.string(o, "Name"),
      variableDefinitions: readVariables(r, o, "VariableDefinitions"),
      directives: readDirectives(r, o),
      selectionSet: readSelections(r, o),
    };
  });
  const fragments = r.list(v, "Fragments", (x): FragmentDefinition => {
    const f = r.object(x);
    return {
      name: r.string(f, "Name"),
      variableDefinitions: readVariables(r, f, "VariableDefinition"),
      typeCondition: r.string(f, "TypeCondition"),
      directives: readDirectives(r, f),
      selectionSet: readSelections(r, f),
    };
  });
  return { operations, fragments };
}

function readArgumentDefs(r: AstReader, o: RegoObject): ArgumentDefinition[] {
  return r.list(o, "Arguments", (v) => {
    const a = r.object(v);
    return {
      description: r.string(a, "Description"),
      name: r.string(a, "Name"),
      defaultValue: r.optional(a, "DefaultValue", (x) => readValue(r, x)),
      type: r.required(a, "Type", (t) => readType(r, t)),
      directives: readDirectives(r, a),
    };
  });
}

function readDefinition(r: AstReader, v: Value): Definition {
  const d = r.object(v);
  const kind = r.string(d, "Kind");
  const found = DEFINITION_KINDS.find((k) => k === kind);
  if (found === undefined)
    r.fail(`has Kind ${JSON.stringify(kind)}, not one of ${DEFINITION_KINDS.join(", ")}`);
  return {
    kind: found,
    description: r.string(d, "Description"),
    name: r.string(d, "Name"),
    directives: readDirectives(r, d),
    interfaces: r.strings(d, "Interfaces"),
    fields: r.list(d, "Fields", (x): FieldDefinition => {
      const f = r.object(x);
      return {
        description: r.string(f, "Description"),
        name: r.string(f, "Name"),
        arguments: readArgumentDefs(r, f),
        defaultValue: r.optional(f, "DefaultValue", (y) => readValue(r, y)),
        type: r.required(f, "Type", (t) => readType(r, t)),
        directives: readDirectives(r, f),
      };
    }),
    types: r.strings(d, "Types"),
    enumValues: r.list(d, "EnumValues", (x): EnumValueDefinition => {
      const e = r.object(x);
      return {
        description: r.string(e, "Description"),
        name: r.string(e, "Name"),
        directives: readDirectives(r, e),
      };
    }),
    builtIn: r.boolean(d, "BuiltIn"),
  };
}

function readSchemaDefinition(r: AstReader, v: Value): SchemaDefinition {
  const s = r.object(v);
  return {
    description: r.string(s, "Description"),
    directives: readDirectives(r, s),
    operationTypes: r.list(s, "OperationTypes", (x) => {
      const o = r.object(x);
      return { operation: readOperationType(r, o, OPERATIONS), type: r.string(o, "Type") };
    }),
  };
}

/** Reads a schema AST object (as `graphql.parse_schema` returns it); throws GraphqlAstError. */
export function decodeSchemaDocument(v: RegoObject): SchemaDocument {
  const r = new AstReader("schema");
  return {
    schema: r.list(v, "Schema", (x) => readSchemaDefinition(r, x)),
    schemaExtension: r.list(v, "SchemaExtension", (x) => readSchemaDefinition(r, x)),
    directives: r.list(v, "Directives", (x): DirectiveDefinition => {
      const d = r.object(x);
      return {
        description: r.string(d, "Description"),
        name: r.string(d, "Name"),
        arguments: readArgumentDefs(r, d),
        locations: r.strings(d, "Locations"),
        isRepeatable: r.boolean(d, "IsRepeatable"),
      };
    }),
    definitions: r.list(v, "Definitions", (x) => readDefinition(r, x)),
    extensions: r.list(v, "Extensions", (x) => readDefinition(r, x)),
  };
}
