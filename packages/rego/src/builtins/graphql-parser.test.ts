import { describe, expect, it } from "vitest";
import { GraphqlError, MAX_NESTING } from "./graphql-ast.js";
import { queryDocumentValue, schemaDocumentValue } from "./graphql-ast-value.js";
import { blockStringValue, GraphqlLexer } from "./graphql-lexer.js";
import { parseQueryDocument } from "./graphql-parser.js";
import { parseSchemaDocument } from "./graphql-schema-parser.js";
import { toJson } from "../value/json.js";

const query = (text: string): unknown => toJson(queryDocumentValue(parseQueryDocument(text)));
const schema = (text: string): unknown => toJson(schemaDocumentValue(parseSchemaDocument(text)));

/** The syntax error's message and place, as `message @line:column`. */
function syntaxError(parse: () => unknown): string {
  try {
    parse();
  } catch (e) {
    if (e instanceof GraphqlError) return `${e.message} @${e.position?.line}:${e.position?.column}`;
    throw e;
  }
  throw new Error("expected a syntax error");
}

describe("graphql lexer", () => {
  it("reads punctuators, names, numbers and strings with their positions", () => {
    const lexer = new GraphqlLexer('{ a(x: -1.5e3, y: "s\\u0041\\n") }\n  ...');
    const tokens = [];
    for (let t = lexer.next(); t.kind !== "EOF"; t = lexer.next()) tokens.push(t);
    expect(tokens.map((t) => [t.kind, t.value])).toEqual([
      ["BraceL", ""],
      ["Name", "a"],
      ["ParenL", ""],
      ["Name", "x"],
      ["Colon", ""],
      ["Float", "-1.5e3"],
      ["Name", "y"],
      ["Colon", ""],
      ["String", "sA\n"],
      ["ParenR", ""],
      ["BraceR", ""],
      ["Spread", ""],
    ]);
    // A string's column is the one after its opening quote, as in gqlparser.
    expect(tokens[8]?.position).toEqual({ line: 1, column: 20 });
    expect(tokens[11]?.position).toEqual({ line: 2, column: 3 });
  });

  it("counts columns in code points, skips comments, commas and byte order marks", () => {
    const lexer = new GraphqlLexer('\ufeff# comment ਊ\n"😀😀" , x');
    expect(lexer.next()).toMatchObject({ kind: "String", value: "😀😀", position: { line: 2, column: 2 } });
    expect(lexer.next()).toMatchObject({ kind: "Name", value: "x", position: { line: 2, column: 8 } });
  });

  it("turns malformed input into invalid tokens carrying the lexer's error", () => {
    expect(new GraphqlLexer('"open').next().error?.message).toBe("Unterminated string.");
    expect(new GraphqlLexer("01").next().error?.message).toBe(
      'Invalid number, unexpected digit after 0: "1".',
    );
    expect(new GraphqlLexer("'x'").next().error?.message).toContain("single quote");
    expect(new GraphqlLexer("?").next().error?.message).toBe('Cannot parse the unexpected character "?".');
    expect(new GraphqlLexer('"\\q"').next().error?.message).toBe("Invalid character escape sequence: \\q.");
  });

  it("computes block string values as the spec does", () => {
    expect(blockStringValue("\n    Hello,\n      World!\n\n    Yours,\n      GraphQL.\n  ")).toBe(
      "Hello,\n  World!\n\nYours,\n  GraphQL.",
    );
    expect(new GraphqlLexer('"""a \\""" b"""').next().value).toBe('a """ b');
  });
});

describe("graphql query parser", () => {
  it("builds gqlparser's AST shape", () => {
    expect(query("{hero {name}}")).toEqual({
      Operations: [
        {
          Name: "",
          Operation: "query",
          SelectionSet: [{ Alias: "hero", Name: "hero", SelectionSet: [{ Alias: "name", Name: "name" }] }],
        },
      ],
    });
    expect(query("")).toEqual({});
  });

  it("keeps aliases, arguments, directives, variables and fragments", () => {
    expect(
      query(`query Q($id: ID! = 4, $tags: [String!] @dir) @op { n: node(id: $id, o: {a: [1, 2.5]}) @include(if: true) {
        ...F  ... on User { id } ... @skip(if: false) { id } } }
        fragment F($v: Boolean = false) on Node { id }`),
    ).toEqual({
      Operations: [
        {
          Name: "Q",
          Operation: "query",
          VariableDefinitions: [
            {
              Variable: "id",
              Type: { NamedType: "ID", NonNull: true },
              DefaultValue: { Kind: 1, Raw: "4" },
              Used: false,
            },
            {
              Variable: "tags",
              Type: { NamedType: "", Elem: { NamedType: "String", NonNull: true }, NonNull: false },
              Directives: [{ Name: "dir", Location: "" }],
              Used: false,
            },
          ],
          Directives: [{ Name: "op", Location: "" }],
          SelectionSet: [
            {
              Alias: "n",
              Name: "node",
              Arguments: [
                { Name: "id", Value: { Kind: 0, Raw: "id" } },
                {
                  Name: "o",
                  Value: {
                    Kind: 9,
                    Raw: "",
                    Children: [
                      {
                        Name: "a",
                        Value: {
                          Kind: 8,
                          Raw: "",
                          Children: [
                            { Name: "", Value: { Kind: 1, Raw: "1" } },
                            { Name: "", Value: { Kind: 2, Raw: "2.5" } },
                          ],
                        },
                      },
                    ],
                  },
                },
              ],
              Directives: [
                {
                  Name: "include",
                  Location: "",
                  Arguments: [{ Name: "if", Value: { Kind: 5, Raw: "true" } }],
                },
              ],
              SelectionSet: [
                { Name: "F" },
                { TypeCondition: "User", SelectionSet: [{ Alias: "id", Name: "id" }] },
                {
                  TypeCondition: "",
                  Directives: [
                    {
                      Name: "skip",
                      Location: "",
                      Arguments: [{ Name: "if", Value: { Kind: 5, Raw: "false" } }],
                    },
                  ],
                  SelectionSet: [{ Alias: "id", Name: "id" }],
                },
              ],
            },
          ],
        },
      ],
      Fragments: [
        {
          Name: "F",
          TypeCondition: "Node",
          VariableDefinition: [
            {
              Variable: "v",
              Type: { NamedType: "Boolean", NonNull: false },
              DefaultValue: { Kind: 5, Raw: "false" },
              Used: false,
            },
          ],
          SelectionSet: [{ Alias: "id", Name: "id" }],
        },
      ],
    });
  });

  it("reads every value kind", () => {
    const doc = query('{ f(a: "s", b: """block""", c: null, d: ENUM, e: true) }') as {
      Operations: { SelectionSet: { Arguments: { Value: unknown }[] }[] }[];
    };
    expect(doc.Operations[0]?.SelectionSet[0]?.Arguments.map((a) => a.Value)).toEqual([
      { Kind: 3, Raw: "s" },
      { Kind: 4, Raw: "block" },
      { Kind: 6, Raw: "null" },
      { Kind: 7, Raw: "ENUM" },
      { Kind: 5, Raw: "true" },
    ]);
  });

  it("reports syntax errors with gqlparser's messages and places", () => {
    expect(syntaxError(() => parseQueryDocument("{"))).toBe("Expected Name, found <EOF> @1:2");
    expect(syntaxError(() => parseQueryDocument("{ ...M }\nfragment M Type"))).toBe(
      'Expected "on", found Name "Type" @2:12',
    );
    expect(syntaxError(() => parseQueryDocument("{ field: {} }"))).toBe("Expected Name, found { @1:10");
    expect(syntaxError(() => parseQueryDocument("nope { f }"))).toBe('Unexpected Name "nope" @1:1');
    expect(syntaxError(() => parseQueryDocument("..."))).toBe("Unexpected ... @1:1");
    expect(syntaxError(() => parseQueryDocument("query ($x: T = [$v]) { f }"))).toBe("Unexpected $ @1:17");
    expect(syntaxError(() => parseQueryDocument("fragment on on T { f }"))).toBe(
      'Unexpected Name "on" @1:10',
    );
    expect(syntaxError(() => parseQueryDocument("{ ...on }"))).toBe("Expected Name, found } @1:9");
    expect(syntaxError(() => parseQueryDocument("{a{...}}"))).toBe("Expected {, found } @1:7");
    expect(syntaxError(() => parseQueryDocument("{a{}}"))).toBe(
      "expected at least one definition, found } @1:4",
    );
    expect(syntaxError(() => parseQueryDocument('{ f(a: "x\n") }'))).toBe("Unexpected <Invalid> @1:10");
  });

  it("refuses nesting deeper than the limit instead of exhausting the stack", () => {
    const deep = (n: number): string => `${"{a".repeat(n)}${"}".repeat(n)}`;
    expect(() => parseQueryDocument(deep(MAX_NESTING))).not.toThrow();
    expect(syntaxError(() => parseQueryDocument(deep(MAX_NESTING + 1)))).toBe(
      `nesting is deeper than ${MAX_NESTING} levels @1:${2 * MAX_NESTING + 1}`,
    );
    expect(() => parseQueryDocument(`{ f(a: ${"[".repeat(100_000)}`)).toThrow(/nesting is deeper/);
    expect(() => parseSchemaDocument(`type T { f: ${"[".repeat(100_000)}`)).toThrow(/nesting is deeper/);
  });

  it("parses long flat input in one pass", () => {
    const text = `{ ${Array.from({ length: 20_000 }, (_, i) => `f${i}(a: "${"x".repeat(20)}")`).join(" ")} }`;
    const start = Date.now();
    parseQueryDocument(text);
    expect(Date.now() - start).toBeLessThan(2000);
  });
});

describe("graphql schema parser", () => {
  it("builds gqlparser's schema AST shape", () => {
    expect(
      schema('"Doc" type Hello implements & A & B @d { world(flag: Boolean = true): [String!]! }'),
    ).toEqual({
      Definitions: [
        {
          BuiltIn: false,
          Description: "Doc",
          Directives: [{ Name: "d", Location: "" }],
          Fields: [
            {
              Arguments: [
                {
                  DefaultValue: { Kind: 5, Raw: "true" },
                  Description: "",
                  Name: "flag",
                  Type: { NamedType: "Boolean", NonNull: false },
                },
              ],
              Description: "",
              Name: "world",
              Type: { Elem: { NamedType: "String", NonNull: true }, NamedType: "", NonNull: true },
            },
          ],
          Interfaces: ["A", "B"],
          Kind: "OBJECT",
          Name: "Hello",
        },
      ],
    });
    expect(
      schema(
        "schema { query: Q } extend schema @d directive @d repeatable on SCHEMA | FIELD union U = | A | B",
      ),
    ).toEqual({
      Schema: [{ Description: "", OperationTypes: [{ Operation: "query", Type: "Q" }] }],
      SchemaExtension: [{ Description: "", Directives: [{ Location: "", Name: "d" }] }],
      Directives: [{ Description: "", IsRepeatable: true, Locations: ["SCHEMA", "FIELD"], Name: "d" }],
      Definitions: [{ BuiltIn: false, Description: "", Kind: "UNION", Name: "U", Types: ["A", "B"] }],
    });
    expect(schema("enum E { A, B } input I { x: Int = 1 } extend enum E { C }")).toEqual({
      Definitions: [
        {
          BuiltIn: false,
          Description: "",
          EnumValues: [
            { Description: "", Name: "A" },
            { Description: "", Name: "B" },
          ],
          Kind: "ENUM",
          Name: "E",
        },
        {
          BuiltIn: false,
          Description: "",
          Fields: [
            {
              DefaultValue: { Kind: 1, Raw: "1" },
              Description: "",
              Name: "x",
              Type: { NamedType: "Int", NonNull: false },
            },
          ],
          Kind: "INPUT_OBJECT",
          Name: "I",
        },
      ],
      Extensions: [
        {
          BuiltIn: false,
          Description: "",
          EnumValues: [{ Description: "", Name: "C" }],
          Kind: "ENUM",
          Name: "E",
        },
      ],
    });
  });

  it("reports syntax errors with gqlparser's messages and places", () => {
    expect(syntaxError(() => parseSchemaDocument("type Hello {}"))).toBe(
      "expected at least one definition, found } @1:13",
    );
    expect(syntaxError(() => parseSchemaDocument("extend type Hello"))).toBe("Unexpected <EOF> @1:18");
    expect(syntaxError(() => parseSchemaDocument('"D"\nextend type H { f: Int }'))).toBe(
      'Unexpected String "D" @1:2',
    );
    expect(syntaxError(() => parseSchemaDocument('extend "D" type H { f: Int }'))).toBe(
      'Unexpected String "D" @1:9',
    );
    expect(syntaxError(() => parseSchemaDocument("extend schema"))).toBe("Unexpected <EOF> @1:14");
    expect(syntaxError(() => parseSchemaDocument("union U = A ||"))).toBe("Expected Name, found | @1:14");
    expect(syntaxError(() => parseSchemaDocument("input I { f(a: Int): Int }"))).toBe(
      "Expected :, found ( @1:12",
    );
    expect(syntaxError(() => parseSchemaDocument("directive @d on FIELD | NOWHERE"))).toBe(
      'Unexpected Name "NOWHERE" @1:25',
    );
    expect(syntaxError(() => parseSchemaDocument('"""\r'))).toBe("Unexpected <Invalid> @2:1");
  });
});
