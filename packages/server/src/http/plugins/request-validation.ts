// HTTP API, infrastructure: the schema validator of every route. Bodies are JSON and are validated
// as sent (Fastify's default validator coerces, so `"valid-to": ""` became null: a token that never
// expires); path and query values are text and are coerced to the schema's types. Every integer the
// schema leaves unbounded is held to the safe-integer range, so no number the database cannot take
// gets past validation.
import { Ajv, type Options, type ValidateFunction } from "ajv";
import formatsModule, { type FormatsPlugin } from "ajv-formats";
import type { FastifyInstance, FastifySchema } from "fastify";

type Schema = Record<string, unknown>;

const SHARED: Options = { useDefaults: true, removeAdditional: true, addUsedSchema: false, allErrors: false };

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

/** Installs the validators (call before routes are added). */
export function installRequestValidation(app: FastifyInstance): void {
  const bodies = withFormats(new Ajv({ ...SHARED, coerceTypes: false }));
  const texts = withFormats(new Ajv({ ...SHARED, coerceTypes: "array" }));
  app.setValidatorCompiler<FastifySchema>(({ schema, httpPart }) => {
    const ajv = httpPart === "body" ? bodies : texts;
    const validate: ValidateFunction = ajv.compile(boundIntegers(schema) as Schema);
    return validate;
  });
}
