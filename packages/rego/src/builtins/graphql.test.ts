import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { RegoError } from "../errors.js";
import { fromJson, toJson } from "../value/json.js";
import { RegoObject, type Value } from "../value/value.js";
import { BuiltinError } from "./builtin.js";
import { GRAPHQL_BUILTINS } from "./graphql.js";
import { callerFor } from "./test-context.js";

const call = callerFor(GRAPHQL_BUILTINS);

const SCHEMA = `
  type Employee { id: String! salary: Int! manager: Employee }
  schema { query: Query }
  type Query { employeeByID(id: String!): Employee }
`;

function builtinError(f: () => unknown): BuiltinError {
  try {
    f();
  } catch (e) {
    if (e instanceof BuiltinError) return e;
    throw e;
  }
  throw new Error("expected a BuiltinError");
}

describe("graphql builtins", () => {
  it("parse_query and parse_schema return the ASTs; parse returns both after validating", () => {
    const q = call("graphql.parse_query", '{ employeeByID(id: "alice") { salary } }') as Value;
    expect(toJson(q)).toEqual({
      Operations: [
        {
          Name: "",
          Operation: "query",
          SelectionSet: [
            {
              Alias: "employeeByID",
              Name: "employeeByID",
              Arguments: [{ Name: "id", Value: { Kind: 3, Raw: "alice" } }],
              SelectionSet: [{ Alias: "salary", Name: "salary" }],
            },
          ],
        },
      ],
    });
    const s = call("graphql.parse_schema", SCHEMA) as Value;
    expect(toJson(s)).toMatchObject({
      Schema: [{ Description: "", OperationTypes: [{ Operation: "query", Type: "Query" }] }],
    });
    expect(
      toJson(call("graphql.parse", '{ employeeByID(id: "alice") { salary } }', SCHEMA) as Value),
    ).toEqual([toJson(q), toJson(s)]);
  });

  it("accepts AST objects in place of text, and returns them unchanged", () => {
    const q = call(
      "graphql.parse_query",
      'query ($id: String! = "a") { employeeByID(id: $id) @include(if: true) { ...F ... on Employee { id } } } fragment F on Employee { salary }',
    ) as Value;
    const s = call("graphql.parse_schema", SCHEMA) as Value;
    expect(call("graphql.is_valid", q, s)).toBe(true);
    expect(call("graphql.schema_is_valid", s)).toBe(true);
    expect(toJson(call("graphql.parse", q, s) as Value)).toEqual([toJson(q), toJson(s)]);
    expect(toJson(call("graphql.parse_and_verify", q, SCHEMA) as Value)).toEqual([
      true,
      toJson(q),
      toJson(s),
    ]);
  });

  it("parse_and_verify and is_valid report failures as values", () => {
    const empty = new RegoObject();
    expect(call("graphql.parse_and_verify", "{ nope }", SCHEMA)).toEqual([false, empty, empty]);
    expect(call("graphql.parse_and_verify", "{", SCHEMA)).toEqual([false, empty, empty]);
    expect(call("graphql.is_valid", "{ employeeByID { id } }", SCHEMA)).toBe(false);
    expect(call("graphql.is_valid", '{ employeeByID(id: "a") { id } }', "type Query {")).toBe(false);
    expect(call("graphql.is_valid", 1, SCHEMA)).toBe(false);
    expect(call("graphql.is_valid", fromJson({ Operations: [{ Operation: "delete" }] }), SCHEMA)).toBe(false);
    expect(call("graphql.schema_is_valid", "type Query { a: B }")).toBe(false);
    expect(call("graphql.schema_is_valid", [])).toBe(false);
  });

  it("raises OPA's errors, with the location of the problem", () => {
    expect(builtinError(() => call("graphql.parse_query", "{ a(")).message).toBe(
      "Expected Name, found <EOF> in GraphQL string at location 1:5",
    );
    expect(builtinError(() => call("graphql.parse_schema", "type Hello {}")).message).toBe(
      "expected at least one definition, found } in GraphQL string at location 1:13",
    );
    expect(builtinError(() => call("graphql.parse", "{ employeeByID { id } }", SCHEMA)).message).toBe(
      'Field "employeeByID" argument "id" of type "String!" is required, but it was not provided in GraphQL query string at location 1:3',
    );
    // Later errors stay in the message, as OPA leaves them.
    expect(builtinError(() => call("graphql.parse", "{ a b }", SCHEMA)).message).toBe(
      'Cannot query field "a" on type "Query".\ninput:1:5: Cannot query field "b" on type "Query" in GraphQL query string at location 1:3',
    );
    expect(builtinError(() => call("graphql.parse", "{ a }", "type Query { a: B }")).message).toBe(
      "Error in gqlparser SchemaDocument to Schema conversion: input:1:17: Undefined type B.",
    );
    expect(
      builtinError(() => call("graphql.parse", fromJson({ Operations: [{ Name: 1 }] }), SCHEMA)).message,
    ).toBe("invalid GraphQL query AST: Operations[0].Name must be a string, got number");
    const wrongType = builtinError(() => call("graphql.parse", 1, SCHEMA));
    expect(wrongType.kind).toBe("type");
    expect(wrongType.message).toBe("operand 1 must be one of {string, object} but got number");
    expect(builtinError(() => call("graphql.parse_query", 1)).message).toBe(
      "operand 1 must be string but got number",
    );
  });

  it("run from Rego, with strict errors naming the builtin", () => {
    const engine = new Engine();
    engine.addModules([
      {
        file: "gql.rego",
        source: `package gql
schema := \`type Query { hero(id: ID!): Hero } type Hero { id: ID! name: String }\`
allow if graphql.is_valid(input.query, schema)
names := [f.Name | some f in graphql.parse_query(input.query).Operations[0].SelectionSet[0].SelectionSet]
`,
      },
    ]);
    const evaluate = (query: string, q: string): unknown =>
      engine.evalQuery(query, { input: { query: q } })[0]?.expressions[0]?.value;
    expect(evaluate("data.gql.allow", '{ hero(id: "1") { name } }')).toBe(true);
    expect(evaluate("data.gql.allow", "{ hero { name } }")).toBeUndefined();
    expect(evaluate("data.gql.names", '{ hero(id: "1") { id name } }')).toEqual(["id", "name"]);
    const strict = new Engine({ strictBuiltinErrors: true });
    let error: unknown;
    try {
      strict.evalQuery("graphql.parse_query(input.query)", { input: { query: "{" } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RegoError);
    expect((error as RegoError).message).toContain(
      "graphql.parse_query: Expected Name, found <EOF> in GraphQL string at location 1:2",
    );
  });
});
