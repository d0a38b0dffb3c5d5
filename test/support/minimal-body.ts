// End-to-end tests, support: builds the smallest body that satisfies a JSON schema (required
// properties only), so a test can call every endpoint of the OpenAPI document with a valid body.

/** A JSON schema as found in the OpenAPI document. */
export interface JsonSchema {
  readonly type?: string;
  readonly const?: unknown;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly anyOf?: readonly JsonSchema[];
}

/** The smallest value valid against the schema. */
export function minimalValue(schema: JsonSchema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.anyOf) return minimalValue(schema.anyOf.find((s) => s.type !== "null") ?? schema.anyOf[0] ?? {});
  switch (schema.type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const name of schema.required ?? []) out[name] = minimalValue(schema.properties?.[name] ?? {});
      return out;
    }
    case "array":
      return Array.from({ length: schema.minItems ?? 0 }, () => minimalValue(schema.items ?? {}));
    case "string":
      return "probe";
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return false;
    default:
      return null;
  }
}
