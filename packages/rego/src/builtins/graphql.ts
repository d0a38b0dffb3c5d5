// Builtins: GraphQL (`graphql.parse_query`, `graphql.parse_schema`, `graphql.parse`,
// `graphql.parse_and_verify`, `graphql.is_valid`, `graphql.schema_is_valid`), as OPA implements
// them on gqlparser: parse, build the schema with the prelude, validate the query, and return the
// ASTs as objects. Errors carry OPA's messages and gqlparser's line:column locations.

import { GraphqlError, type QueryDocument, type SchemaDocument } from "./graphql-ast.js";
import { decodeQueryDocument, decodeSchemaDocument, GraphqlAstError } from "./graphql-ast-decode.js";
import { queryDocumentValue, schemaDocumentValue } from "./graphql-ast-value.js";
import { parseQueryDocument } from "./graphql-parser.js";
import { createRules } from "./graphql-rules.js";
import { buildSchema, type Schema } from "./graphql-schema.js";
import { parseSchemaDocument } from "./graphql-schema-parser.js";
import { validateQuery } from "./graphql-validator.js";
import { type BuiltinDecl, BuiltinError } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { arg, operandOneOfError, stringArg } from "./operands.js";
import { T_BOOL, T_OBJECT_ANY, T_STR, tOneOf } from "./type-specs.js";
import { RegoObject, type Value, typeName } from "../value/value.js";

/** A failure of one step, with OPA's message. */
class GraphqlFailure extends Error {}

/** gqlparser's error text: `input:LINE:COLUMN: message` (`input: message` without a place). */
function errorText(e: GraphqlError): string {
  return e.position === undefined
    ? `input: ${e.message}`
    : `input:${e.position.line}:${e.position.column}: ${e.message}`;
}

/** OPA's rewording of a syntax error: `message in GraphQL string at location L:C`. */
function syntaxFailure(e: GraphqlError): GraphqlFailure {
  const where = e.position === undefined ? "" : ` at location ${e.position.line}:${e.position.column}`;
  return new GraphqlFailure(`${e.message} in GraphQL string${where}`);
}

function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof GraphqlError) throw syntaxFailure(e);
    throw e;
  }
}

function decoded<T>(decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    if (e instanceof GraphqlAstError) throw new GraphqlFailure(e.message);
    throw e;
  }
}

/** The query operand: text to parse, or an AST object to read. */
function queryOperand(v: Value, position: number): QueryDocument {
  if (typeof v === "string") return parsed(() => parseQueryDocument(v));
  if (v instanceof RegoObject) return decoded(() => decodeQueryDocument(v));
  throw operandOneOfError(position, ["string", "object"], typeName(v));
}

/** The schema operand: text to parse, or an AST object to read. */
function schemaOperand(v: Value, position: number): SchemaDocument {
  if (typeof v === "string") return parsed(() => parseSchemaDocument(v));
  if (v instanceof RegoObject) return decoded(() => decodeSchemaDocument(v));
  throw operandOneOfError(position, ["string", "object"], typeName(v));
}

function schemaOf(doc: SchemaDocument): Schema {
  try {
    return buildSchema(doc);
  } catch (e) {
    if (e instanceof GraphqlError) {
      throw new GraphqlFailure(`Error in gqlparser SchemaDocument to Schema conversion: ${errorText(e)}`);
    }
    throw e;
  }
}

/**
 * Validates, failing with OPA's message: it splits gqlparser's error list text at the first three
 * colons, so the first error's place becomes the location and later errors stay in the message.
 */
function validated(schema: Schema, query: QueryDocument): void {
  const errors = validateQuery(schema, query, createRules());
  const first = errors[0];
  if (first === undefined) return;
  const text = errors.map((e) => `${errorText(e)}\n`).join("");
  // As OPA, only a final ".\n" is cut (a message without a full stop keeps its newline).
  const trim = (s: string): string => (s.endsWith(".\n") ? s.slice(0, -2) : s);
  if (first.position === undefined) {
    throw new GraphqlFailure(`${trim(text.slice("input: ".length))} in GraphQL query string`);
  }
  const [, line, column, ...rest] = text.split(":");
  const message = trim(rest.join(":").replace(/^ +/, ""));
  throw new GraphqlFailure(`${message} in GraphQL query string at location ${line}:${column}`);
}

interface Checked {
  readonly query: Value;
  readonly schema: Value;
}

/** Parses (or reads) both operands, builds the schema and validates the query against it. */
function check(queryArg: Value, schemaArg: Value): Checked {
  const query = queryOperand(queryArg, 1);
  const schemaDoc = schemaOperand(schemaArg, 2);
  const result = { query: queryDocumentValue(query), schema: schemaDocumentValue(schemaDoc) };
  validated(schemaOf(schemaDoc), query);
  return result;
}

/** Runs `body`, turning a GraphQL failure into a builtin error. */
function failing<T>(body: () => T): T {
  try {
    return body();
  } catch (e) {
    if (e instanceof GraphqlFailure) throw new BuiltinError("builtin", e.message);
    throw e;
  }
}

/** Runs `body`, turning any GraphQL failure (or an operand of the wrong type) into `fallback`. */
function orElse<T>(fallback: T, body: () => T): T {
  try {
    return body();
  } catch (e) {
    if (e instanceof GraphqlFailure || e instanceof BuiltinError) return fallback;
    throw e;
  }
}

const T_QUERY_OR_SCHEMA = tOneOf(T_STR, T_OBJECT_ANY);

/** GraphQL builtins. */
export const GRAPHQL_BUILTINS = defineBuiltins(
  {
    "graphql.is_valid": { args: [T_QUERY_OR_SCHEMA, T_QUERY_OR_SCHEMA], result: T_BOOL },
    "graphql.parse": {
      args: [T_QUERY_OR_SCHEMA, T_QUERY_OR_SCHEMA],
      result: { type: "array", static: [T_OBJECT_ANY, T_OBJECT_ANY] },
    },
    "graphql.parse_and_verify": {
      args: [T_QUERY_OR_SCHEMA, T_QUERY_OR_SCHEMA],
      result: { type: "array", static: [T_BOOL, T_OBJECT_ANY, T_OBJECT_ANY] },
    },
    "graphql.parse_query": { args: [T_STR], result: T_OBJECT_ANY },
    "graphql.parse_schema": { args: [T_STR], result: T_OBJECT_ANY },
    "graphql.schema_is_valid": { args: [T_QUERY_OR_SCHEMA], result: T_BOOL },
  } satisfies Record<string, BuiltinDecl>,
  {
    "graphql.is_valid": (args) =>
      orElse(false, () => {
        check(arg(args, 0), arg(args, 1));
        return true;
      }),
    "graphql.parse": (args) =>
      failing(() => {
        const { query, schema } = check(arg(args, 0), arg(args, 1));
        return [query, schema];
      }),
    "graphql.parse_and_verify": (args) =>
      orElse<Value>([false, new RegoObject(), new RegoObject()], () => {
        const { query, schema } = check(arg(args, 0), arg(args, 1));
        return [true, query, schema];
      }),
    "graphql.parse_query": (args) => {
      const text = stringArg(args, 0);
      return failing(() => queryDocumentValue(parsed(() => parseQueryDocument(text))));
    },
    "graphql.parse_schema": (args) => {
      const text = stringArg(args, 0);
      return failing(() => schemaDocumentValue(parsed(() => parseSchemaDocument(text))));
    },
    "graphql.schema_is_valid": (args) =>
      orElse(false, () => {
        schemaOf(schemaOperand(arg(args, 0), 1));
        return true;
      }),
  },
);
