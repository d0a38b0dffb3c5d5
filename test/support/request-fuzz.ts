// End-to-end tests, support: property-based requests for every operation of the OpenAPI document
// (fast-check): path ids, query parameters, bodies and content types drawn from the operation's
// schemas and from hostile values (NUL, unicode, huge numbers, wrong types, deep nesting, broken
// JSON), and the check every answer must pass: no 5xx, every error a JSON:API error document.
import fc from "fast-check";
import type { JsonSchema } from "./minimal-body.js";

/** One operation of the OpenAPI document. */
export interface FuzzOperation {
  readonly method: string;
  /** The path with `{param}` placeholders. */
  readonly path: string;
  readonly parameters: readonly { name: string; in: string; required: boolean; schema: JsonSchema }[];
  readonly body: JsonSchema | undefined;
}

/** A request to send: in-process (app.inject) or over HTTP. */
export interface FuzzRequest {
  readonly method: string;
  /** Path and query, already encoded. */
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly payload: string | Buffer | undefined;
}

/** What the request is drawn from: the ids that exist and the credentials to send. */
export interface FuzzContext {
  /** Ids of resources that exist (so that requests also get past the 404). */
  readonly ids: readonly string[];
  /** Authorization header values, besides none at all. */
  readonly credentials: readonly string[];
}

/** True for an operation whose success is an endless event stream (its error answers are tested where it is). */
function isEventStream(operation: { responses?: unknown }): boolean {
  const ok = (operation.responses as Record<string, { content?: Record<string, unknown> }> | undefined)?.[
    "200"
  ];
  return ok?.content?.["text/event-stream"] !== undefined;
}

/** Every operation of an OpenAPI document, but event streams (a fuzzed request could wait on one forever). */
export function operationsOf(document: {
  paths: Record<
    string,
    Record<string, { parameters?: FuzzOperation["parameters"]; requestBody?: unknown; responses?: unknown }>
  >;
}): FuzzOperation[] {
  const operations: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (isEventStream(operation)) continue;
      const content = (
        operation.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined
      )?.content;
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: operation.parameters ?? [],
        body: content ? Object.values(content)[0]?.schema : undefined,
      });
    }
  }
  return operations;
}

const HOSTILE_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\u0000\u0000\u0000",
  "99999999999999999999",
  "1000000000000000000",
  "-1",
  "0",
  "1e400",
  "-0",
  "NaN",
  "null",
  "true",
  "[]",
  "{}",
  "../..",
  "%",
  "%00",
  "2027-02-30T00:00:00Z",
  "2027-02-30",
  "9999-12-31T23:59:59.999Z",
  "0000-01-01T00:00:00Z",
  "😀🔑",
  "\ud800",
  "\udfff x",
  "e\u0301",
  "\u202e",
  "' OR 1=1 --",
  "\\",
  '"',
  `kgs_AAAAAAAAAAAA_${"A".repeat(40)}`,
  "x".repeat(5000),
];

const HOSTILE_NUMBERS = [
  1e18,
  1e20,
  -1e20,
  2 ** 53,
  2 ** 63,
  2 ** 64,
  -(2 ** 63) - 1,
  Number.MAX_SAFE_INTEGER + 2,
  1e308,
  -0,
  0.5,
  -1,
  0,
  253_402_300_800_000,
  8.64e15 + 1,
];

/** Text no route expects: hostile constants, any unicode (lone surrogates too), big integers. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 4 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 20 }), weight: 2 },
  { arbitrary: fc.bigInt().map(String), weight: 1 },
  { arbitrary: fc.string({ maxLength: 10 }).map((s) => `${s}\u0000${s}`), weight: 1 },
);

/** Numbers no column may take, and ordinary ones. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...HOSTILE_NUMBERS),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

function nested(depth: number, leaf: unknown, asArray: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { a: value };
  return value;
}

/** Any JSON value of a wrong shape: other types, NUL keys, deep nesting, random documents. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 3 },
  { arbitrary: hostileNumber, weight: 3 },
  { arbitrary: fc.constantFrom(null, true, false, [], {}), weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
  {
    arbitrary: fc.constantFrom({ "k\u0000": "v" }, { "": "" }, JSON.parse('{"__proto__":{"admin":true}}')),
    weight: 1,
  },
  {
    arbitrary: fc.tuple(fc.integer({ min: 10, max: 300 }), fc.boolean()).map(([d, a]) => nested(d, "x", a)),
    weight: 1,
  },
);

/** A value for the schema: a fitting one mostly, a hostile one sometimes (at any depth). */
function valueFor(schema: JsonSchema, key: string, context: FuzzContext, depth = 0): fc.Arbitrary<unknown> {
  const fitting = fittingValue(schema, key, context, depth);
  return fc.oneof({ arbitrary: fitting, weight: 5 }, { arbitrary: hostileJson, weight: 1 });
}

function fittingValue(
  schema: JsonSchema,
  key: string,
  context: FuzzContext,
  depth: number,
): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.anyOf && schema.anyOf.length > 0) {
    return fc.oneof(...schema.anyOf.map((branch) => fittingValue(branch, key, context, depth)));
  }
  const enumeration = (schema as { enum?: unknown[] }).enum;
  if (enumeration && enumeration.length > 0) return fc.constantFrom(...enumeration);
  switch (schema.type) {
    case "object": {
      const properties = schema.properties ?? {};
      if (depth > 8 || Object.keys(properties).length === 0)
        return fc.dictionary(fc.string({ maxLength: 8 }), fc.string());
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties))
        record[name] = valueFor(property, name, context, depth + 1);
      return fc.record(record, {
        requiredKeys: Object.keys(properties).filter((name) => required.has(name)),
      });
    }
    case "array":
      return fc.array(valueFor(schema.items ?? {}, key, context, depth + 1), { maxLength: 3 });
    case "string":
      if (key === "id" && context.ids.length > 0) {
        return fc.oneof(
          { arbitrary: fc.constantFrom(...context.ids), weight: 3 },
          { arbitrary: fc.string(), weight: 1 },
        );
      }
      return fc.oneof(
        fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
        fc.string({ maxLength: 30 }),
        fc.constantFrom(
          "2030-01-01T00:00:00Z",
          "prod",
          "spaces.read",
          "package x\n\ndeny[msg] { false; msg := 1 }\n",
        ),
      );
    case "integer":
      return fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(1e18, Number.MAX_SAFE_INTEGER));
    case "number":
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Percent-encodes a path segment or query value; text that is not well-formed UTF-16 goes byte by byte. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...Buffer.from(text, "utf8")].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
  }
}

const RAW_BODIES = [
  "",
  "{",
  "[",
  "nul\u0000l",
  "null",
  "1e999999",
  '{"data":',
  '{"data":{"attributes":{"name":"\\u0000"}}}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  "[".repeat(100_000) + "]".repeat(100_000),
  `{"data":${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}}`,
  "\ufeff{}",
  "\uffff",
];

const CONTENT_TYPES = [
  "application/json",
  "application/vnd.api+json; charset=utf-8",
  'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"',
  "text/plain",
  "application/octet-stream",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/vnd.api+json;;;",
  "*/*",
  "",
];

/** Requests for one operation. */
export function requestsFor(operation: FuzzOperation, context: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const pathNames = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const idArbitrary = fc.oneof(
    { arbitrary: context.ids.length > 0 ? fc.constantFrom(...context.ids) : fc.constant("x"), weight: 10 },
    { arbitrary: hostileString.map(encode), weight: 3 },
    { arbitrary: fc.constantFrom("%E0%A4%A", "%zz", "%", "%C0%80", "%ED%A0%80"), weight: 1 },
  );
  const path = fc
    .tuple(...pathNames.map(() => idArbitrary))
    .map((values) =>
      pathNames.reduce((p, name, i) => p.replace(`{${name}}`, values[i] ?? ""), operation.path),
    );
  const queryParameters = operation.parameters.filter((p) => p.in === "query");
  const declared = fc.tuple(
    ...queryParameters.map((parameter) =>
      fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 4 },
        {
          arbitrary: fittingValue(parameter.schema, parameter.name, context, 0).map((v) => String(v)),
          weight: 3,
        },
        { arbitrary: hostileString, weight: 1 },
        { arbitrary: hostileNumber.map(String), weight: 1 },
      ),
    ),
  );
  const extra = fc.oneof(
    { arbitrary: fc.constant([] as [string, string][]), weight: 6 },
    {
      arbitrary: fc.array(fc.tuple(hostileString, hostileString), { minLength: 1, maxLength: 2 }),
      weight: 1,
    },
  );
  // A parameter given twice now and then (an array where the schema says one value).
  const repeated = fc.integer({ min: 0, max: 9 }).map((n) => n === 0);
  const query = fc.tuple(declared, extra, repeated).map(([values, more, repeat]) => {
    const pairs: [string, string][] = [];
    queryParameters.forEach((parameter, i) => {
      const value = values[i];
      if (value === undefined) return;
      pairs.push([parameter.name, value]);
      if (repeat) pairs.push([parameter.name, value]);
    });
    pairs.push(...more);
    return pairs.length === 0 ? "" : `?${pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&")}`;
  });
  const sendsBody = ["POST", "PATCH", "PUT", "DELETE"].includes(operation.method);
  // Half the bodies fit the schema throughout (to get past validation), half have a hostile value somewhere.
  const json = operation.body
    ? fc.oneof(fittingValue(operation.body, "", context, 0), valueFor(operation.body, "", context))
    : hostileJson;
  const payload: fc.Arbitrary<string | Buffer | undefined> = fc.oneof(
    { arbitrary: json.map((v) => JSON.stringify(v) ?? "null"), weight: sendsBody ? 8 : 1 },
    { arbitrary: fc.constantFrom(...RAW_BODIES), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)), weight: 1 },
    { arbitrary: fc.constant(undefined), weight: sendsBody ? 1 : 6 },
  );
  const contentType = fc.oneof(
    { arbitrary: fc.constant("application/vnd.api+json"), weight: 8 },
    { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 2 },
  );
  const authorization = fc.oneof(
    {
      arbitrary: context.credentials.length > 0 ? fc.constantFrom(...context.credentials) : fc.constant(""),
      weight: 8,
    },
    { arbitrary: fc.constant(undefined), weight: 1 },
    { arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 60 }).map((s) => `Bearer ${s}`), weight: 1 },
  );
  return fc
    .record({ path, query, payload, contentType, authorization })
    .map(({ path: p, query: q, payload: body, contentType: type, authorization: auth }) => {
      const headers: Record<string, string> = {};
      if (auth !== undefined && auth !== "") headers.authorization = auth;
      if (body !== undefined && type !== "") headers["content-type"] = type;
      return { method: operation.method, url: `${p}${q}`, headers, payload: body };
    });
}

/** What is wrong with an answer (a 5xx, or an error that is not a JSON:API error document); undefined when fine. */
export function answerProblem(
  status: number,
  contentType: string | undefined,
  body: string,
): string | undefined {
  if (status >= 500) return `answered ${status}: ${body.slice(0, 300)}`;
  if (status < 400) return undefined;
  if (!/^application\/vnd\.api\+json/.test(contentType ?? "")) {
    return `error ${status} with Content-Type ${contentType}: ${body.slice(0, 200)}`;
  }
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return `error ${status} whose body is not JSON: ${body.slice(0, 200)}`;
  }
  const errors = (document as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0)
    return `error ${status} without an errors array: ${body.slice(0, 200)}`;
  for (const error of errors as Record<string, unknown>[]) {
    if (
      error.status !== String(status) ||
      typeof error.title !== "string" ||
      typeof error.detail !== "string"
    ) {
      return `error ${status} with a malformed error object: ${JSON.stringify(error).slice(0, 200)}`;
    }
  }
  return undefined;
}

/** Counts of a fuzz run, printed by the tests. */
export class FuzzTally {
  cases = 0;
  serverErrors = 0;
  readonly statuses = new Map<number, number>();
  readonly problems: string[] = [];

  /** Records one answer; returns its problem, if any. */
  record(
    request: FuzzRequest,
    status: number,
    contentType: string | undefined,
    body: string,
  ): string | undefined {
    this.cases++;
    if (status >= 500) this.serverErrors++;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    const problem = answerProblem(status, contentType, body);
    if (problem !== undefined) {
      const shown = { ...request, payload: String(request.payload ?? "").slice(0, 300) };
      this.problems.push(
        `${request.method} ${request.url.slice(0, 200)}: ${problem}\n  request: ${JSON.stringify(shown)}`,
      );
    }
    return problem;
  }

  /** One line: cases, 5xx and the status histogram. */
  summary(): string {
    const histogram = [...this.statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}:${count}`)
      .join(" ");
    return `${this.cases} cases, ${this.serverErrors} 5xx, ${this.problems.length} problems (${histogram})`;
  }
}

/** The seeds of a run: a fixed one (the same cases every run) and a random one, printed to replay. */
export function fuzzSeeds(): { fixed: number; random: number } {
  const fromEnv = Number(process.env.KEYGATE_FUZZ_SEED);
  return {
    fixed: 20_261_204,
    random:
      Number.isSafeInteger(fromEnv) && process.env.KEYGATE_FUZZ_SEED
        ? fromEnv
        : Math.floor(Math.random() * 2 ** 31),
  };
}
