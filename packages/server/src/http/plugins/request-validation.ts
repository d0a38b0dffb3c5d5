// HTTP API, infrastructure: the schema validator of every route. Bodies are JSON and are validated
// as sent (Fastify's default validator coerces, so `"valid-to": ""` became null: a token that never
// expires); path and query values are text and are coerced to the schema's types. Every integer the
// schema leaves unbounded is held to the safe-integer range, so no number the database cannot take
// gets past validation.
import { Ajv, type Options, type ValidateFunction } from "ajv";
import formatsModule, { type FormatsPlugin } from "ajv-formats";
import type { FastifyInstance, FastifySchema } from "fastify";

type Schema = Record<string, unknown>;

// ajv's optimization passes record the names each generated function uses in fresh objects keyed by
// those names (`validate180`, `_errs41`), numbered anew for every schema: hundreds of property names
// no other object has, each a transition from V8's empty-object shape (see response-serializer.ts
// for what was measured). Without the passes the validators are a little longer.
const SHARED: Options = {
  useDefaults: true,
  removeAdditional: true,
  addUsedSchema: false,
  allErrors: false,
  code: { optimize: false },
};

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
const addFormats: FormatsPlugin =
  (formatsModule as unknown as { default?: FormatsPlugin }).default ??
  (formatsModule as unknown as FormatsPlugin);

function withFormats(ajv: Ajv): Ajv {
  addFormats(ajv);
  return ajv;
}

/** A copy of the schema in which every integer without bounds gets the safe-integer ones. */
export function boundIntegers(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(boundIntegers);
  if (typeof schema !== "object" || schema === null) return schema;
  const copy: Schema = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = boundIntegers(value);
  const type = copy.type;
  if (type === "integer" || (Array.isArray(type) && type.includes("integer"))) {
    if (copy.maximum === undefined && copy.exclusiveMaximum === undefined)
      copy.maximum = Number.MAX_SAFE_INTEGER;
    if (copy.minimum === undefined && copy.exclusiveMinimum === undefined)
      copy.minimum = Number.MIN_SAFE_INTEGER;
  }
  return copy;
}

/** The path of the first number that is not finite in a validated value (`/page[number]`), if any. */
export function nonFiniteNumberAt(value: unknown): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : "";
  if (typeof value !== "object" || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    // Coerced query and path values are flat; bodies are refused past MAX_INPUT_DEPTH before this.
    const inner = nonFiniteNumberAt(item);
    if (inner !== undefined) return `/${key.replace(/~/g, "~0").replace(/\//g, "~1")}${inner}`;
  }
  return undefined;
}

/** Validation that also refuses numbers ajv let through as Infinity (coercing "1e400" skips its bounds). */
function finiteOnly(validate: ValidateFunction) {
  const check = (data: unknown): boolean => {
    if (!validate(data)) {
      check.errors = validate.errors;
      return false;
    }
    const at = nonFiniteNumberAt(data);
    if (at === undefined) return true;
    check.errors = [
      { instancePath: at, schemaPath: "", keyword: "type", params: {}, message: "must be a finite number" },
    ] as ValidateFunction["errors"];
    return false;
  };
  check.errors = null as ValidateFunction["errors"];
  return check;
}

/** Installs the validators (call before routes are added). */
export function installRequestValidation(app: FastifyInstance): void {
  const bodies = withFormats(new Ajv({ ...SHARED, coerceTypes: false }));
  const texts = withFormats(new Ajv({ ...SHARED, coerceTypes: "array" }));
  app.setValidatorCompiler<FastifySchema>(({ schema, httpPart }) => {
    const ajv = httpPart === "body" ? bodies : texts;
    return finiteOnly(ajv.compile(boundIntegers(schema) as Schema));
  });
}
