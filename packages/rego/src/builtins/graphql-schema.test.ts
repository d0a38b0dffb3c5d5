import { describe, expect, it } from "vitest";
import { GraphqlError } from "./graphql-ast.js";
import { buildSchema } from "./graphql-schema.js";
import { parseSchemaDocument } from "./graphql-schema-parser.js";

/** The schema error of an SDL text, as `message @line:column`, or "ok". */
function schemaError(sdl: string): string {
  try {
    buildSchema(parseSchemaDocument(sdl));
    return "ok";
  } catch (e) {
    if (e instanceof GraphqlError) return `${e.message} @${e.position?.line}:${e.position?.column}`;
    throw e;
  }
}

describe("graphql schema building", () => {
  it.each([
    "type Hello { world: String }",
    "extend type User { id: ID! } union _Entity = User extend type Query { entity: _Entity }",
    'type T { old: String @deprecated(reason: "x") f(a: Int @deprecated): Int } enum E { A @deprecated }',
    'input I { x: Int @deprecated } scalar Date @specifiedBy(url: "https://example.com")',
    'type Query { x: Int } directive @d(a: String = "b") on SCHEMA extend schema @d',
    "interface A { id: ID! } interface B implements A { id: ID! } type C implements B & A { id: ID! }",
    "interface Node { node: Node } type N implements Node { node: N }",
    "directive @include(if: Boolean!) on FIELD",
    "type Query { q: Int } type Mutation { m: Int } schema { query: Query mutation: Mutation }",
  ])("accepts %s", (sdl) => {
    expect(schemaError(sdl)).toBe("ok");
  });

  it.each([
    ["type A { a: Int } type A { b: Int }", "Cannot redeclare type A. @1:24"],
    ["scalar Int", "Cannot redeclare type Int. @1:8"],
    [
      "extend scalar Foo @deprecated\nextend type Foo @deprecated",
      "Cannot extend type Foo because the base type is a SCALAR, not OBJECT. @2:13",
    ],
    ["directive @d on FIELD directive @d on FIELD", "Cannot redeclare directive d. @1:34"],
    [
      "type Q { a: Int } schema { query: Q } schema { query: Q }",
      "Cannot have multiple schema entry points, consider schema extensions instead. @1:46",
    ],
    ["schema { query: Query }", "Schema root query refers to a type Query that does not exist. @1:10"],
    ["type T { f: Missing }", "Undefined type Missing. @1:13"],
    ["type T { f(a: T): Int }", "cannot use T as argument a because OBJECT is not a valid input type @1:12"],
    ["type T { f: Int @nope }", "Undefined directive nope. @1:18"],
    ["type T @deprecated { f: Int }", "Directive deprecated is not applicable on OBJECT. @1:9"],
    ["directive @d(a: Int @d) on ARGUMENT_DEFINITION", "Directive d cannot refer to itself. @1:22"],
    ["union U = Missing", 'Undefined type "Missing". @1:7'],
    ["union U = Int", 'UNION type "Int" must be OBJECT. @1:7'],
    ["type T implements Missing { f: Int }", 'Undefined type "Missing". @1:6'],
    ["type T implements Int { f: Int }", '"Int" is a non interface type SCALAR. @1:6'],
    [
      "interface I { a: Int } type T implements I { b: Int }",
      "For T to implement I it must have a field called a. @1:29",
    ],
    [
      "interface I { a: Int! } type T implements I { a: Int }",
      "For T to implement I the field a must have type Int!. @1:47",
    ],
    [
      "interface I { a(x: Int): Int } type T implements I { a: Int }",
      "For T to implement I the field a must have the same arguments but it is missing x. @1:54",
    ],
    [
      "interface I { a: Int } type T implements I { a(y: Int!): Int }",
      "For T to implement I any additional arguments on a must be optional or have a default value but y is required. @1:48",
    ],
    [
      "interface A { id: ID } interface B implements A { id: ID } type C implements B { id: ID }",
      "Type C must implement A because it is implemented by B. @1:65",
    ],
    ["type T", "OBJECT T: must define one or more fields. @1:6"],
    [
      "input I { o: O } type O { x: Int }",
      "OBJECT o: field must be one of SCALAR, ENUM, INPUT_OBJECT. @1:11",
    ],
    [
      "type T { i: I } input I { x: Int }",
      "OBJECT T: field must be one of SCALAR, OBJECT, INTERFACE, UNION, ENUM. @1:10",
    ],
    ["enum E { true }", "ENUM E: non-enum value true. @1:6"],
    ["type T { a: Int a: String }", "Field T.a can only be defined once. @1:17"],
    [
      "type __T { a: Int }",
      'Name "__T" must not begin with "__", which is reserved by GraphQL introspection. @1:6',
    ],
  ])("rejects %s", (sdl, message) => {
    expect(schemaError(sdl)).toBe(message);
  });

  it("infers root types by name only without a schema definition, and adds introspection fields", () => {
    const inferred = buildSchema(parseSchemaDocument("type Query { a: Int } type Mutation { b: Int }"));
    expect(inferred.query?.name).toBe("Query");
    expect(inferred.mutation?.name).toBe("Mutation");
    expect(inferred.query?.fields.map((f) => f.name)).toEqual(["a", "__schema", "__type"]);
    const declared = buildSchema(
      parseSchemaDocument("type Q { a: Int } type Mutation { b: Int } schema { query: Q }"),
    );
    expect(declared.query?.name).toBe("Q");
    expect(declared.mutation).toBeUndefined();
  });

  it("leaves the parsed documents unchanged", () => {
    const doc = parseSchemaDocument("type Query { a: Int } extend type Query { b: Int }");
    buildSchema(doc);
    buildSchema(doc);
    expect(doc.definitions[0]?.fields.map((f) => f.name)).toEqual(["a"]);
  });
});
