// HTTP API, infrastructure: JSON types of request bodies are checked as sent. Fastify's validator
// coerces scalars (so `"name": 5` would become "5", `"disabled": "yes"` would fail oddly); this
// preValidation hook (added to routes with a body schema) refuses such a body first with a 422
// naming the field by JSON pointer.
import type { FastifyInstance, preValidationHookHandler } from "fastify";

type Schema = Readonly<Record<string, unknown>>;

/** One type mismatch, in the shape of a schema validation issue (see the error handler). */
export interface BodyTypeIssue {
  readonly instancePath: string;
  readonly keyword: "type";
  readonly message: string;
  readonly params: Record<string, unknown>;
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typesOf(schema: Schema): string[] | undefined {
  const type = schema.type;
  if (typeof type === "string") return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === "string");
  return undefined;
}

function accepts(types: readonly string[], value: unknown): boolean {
  const actual = jsonTypeOf(value);
  return types.includes(actual) || (actual === "integer" && types.includes("number"));
}

function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** The places where `value` has another JSON type than `schema` asks for (not a full validation). */
export function bodyTypeIssues(schema: Schema, value: unknown, path = ""): BodyTypeIssue[] {
  if (value === undefined) return [];
  const branches = Array.isArray(schema.anyOf) ? (schema.anyOf as Schema[]) : undefined;
  if (branches) {
    const fitting = branches.filter((b) => {
      const types = typesOf(b);
      return types === undefined || accepts(types, value);
    });
    if (fitting.length === 0) {
      const wanted = branches.flatMap((b) => typesOf(b) ?? []);
      return [mismatch(path, wanted, value)];
    }
    // Report the nested issues of the best fitting branch (none when one fits entirely).
    let best: BodyTypeIssue[] | undefined;
    for (const branch of fitting) {
      const issues = bodyTypeIssues(branch, value, path);
      if (issues.length === 0) return [];
      if (best === undefined || issues.length < best.length) best = issues;
    }
    return best ?? [];
  }
  const types = typesOf(schema);
  if (types === undefined) return [];
  if (!accepts(types, value)) return [mismatch(path, types, value)];
  if (jsonTypeOf(value) === "object" && typeof schema.properties === "object" && schema.properties) {
    const properties = schema.properties as Record<string, Schema>;
    const object = value as Record<string, unknown>;
    return Object.entries(properties).flatMap(([key, property]) =>
      bodyTypeIssues(property, object[key], `${path}/${escapePointer(key)}`),
    );
  }
  if (Array.isArray(value) && typeof schema.items === "object" && schema.items) {
    const items = schema.items as Schema;
    return value.flatMap((item, index) => bodyTypeIssues(items, item, `${path}/${index}`));
  }
  return [];
}

function mismatch(path: string, wanted: readonly string[], value: unknown): BodyTypeIssue {
  const expected = [...new Set(wanted)].join(" or ");
  return {
    instancePath: path,
    keyword: "type",
    message: `must be ${expected}, got ${jsonTypeOf(value)}`,
    params: { type: expected },
  };
}

/** A validation error as Fastify raises it, so the one error handler renders it (422, pointers). */
class BodyTypeError extends Error {
  readonly statusCode = 422;
  readonly validationContext = "body";
  constructor(readonly validation: BodyTypeIssue[]) {
    super("the request body has values of the wrong JSON type");
  }
}

/** Installs the check on every route that has a body schema (call before routes are added). */
export function installStrictBodyTypes(app: FastifyInstance): void {
  app.addHook("onRoute", (route) => {
    const schema = (route.schema as { body?: Schema } | undefined)?.body;
    if (schema === undefined) return;
    const check: preValidationHookHandler = (request, _reply, done) => {
      const body = request.body;
      // Only parsed JSON documents; raw uploads (strings, buffers) are the route's own business.
      if (typeof body !== "object" || body === null || Buffer.isBuffer(body)) return done();
      const issues = bodyTypeIssues(schema, body);
      done(issues.length > 0 ? new BodyTypeError(issues) : undefined);
    };
    const existing = route.preValidation;
    route.preValidation =
      existing === undefined ? [check] : [check, ...(Array.isArray(existing) ? existing : [existing])];
  });
}
