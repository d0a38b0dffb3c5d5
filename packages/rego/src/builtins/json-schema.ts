// Builtins: a JSON Schema (draft 4/6/7 subset) validator for `json.match_schema` and
// `json.verify_schema`, reporting errors in the shape and wording of gojsonschema, which OPA uses.

import { marshalJson } from "./json-text.js";
import type { BigNumber } from "../value/big-number.js";
import {
  RegoObject,
  RegoSet,
  type Value,
  compareNumbers,
  isNumber,
  valueKey,
  valuesEqual,
} from "../value/value.js";

/** One validation failure, as OPA reports it. */
export interface SchemaError {
  readonly error: string;
  readonly type: string;
  readonly field: string;
  readonly desc: string;
}

const VALID_TYPES = ["array", "boolean", "integer", "number", "null", "object", "string"];

/** A schema that is itself malformed; the message is gojsonschema's. */
export class InvalidSchemaError extends Error {}

/** Checks a schema's structure; throws InvalidSchemaError with gojsonschema's message. */
export function checkSchema(schema: Value): void {
  if (typeof schema === "boolean") return;
  if (!(schema instanceof RegoObject))
    throw new InvalidSchemaError("Invalid JSON, the schema must be an object or a boolean");
  const t = schema.get("type");
  if (t !== undefined) {
    const list = Array.isArray(t) ? (t as readonly Value[]) : [t];
    for (const x of list) {
      if (typeof x !== "string")
        throw new InvalidSchemaError("Invalid type. Expected: string or array of strings, given: type");
      if (!VALID_TYPES.includes(x)) {
        throw new InvalidSchemaError(
          `has a primitive type that is NOT VALID -- given: /${x}/ Expected valid values are:[${VALID_TYPES.join(" ")}]`,
        );
      }
    }
  }
  for (const key of ["properties", "patternProperties", "definitions", "$defs", "dependencies"]) {
    const m = schema.get(key);
    if (m instanceof RegoObject)
      for (const e of m.unordered())
        if (e.value instanceof RegoObject || typeof e.value === "boolean") checkSchema(e.value);
  }
  for (const key of [
    "items",
    "additionalProperties",
    "additionalItems",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
  ]) {
    const s = schema.get(key);
    if (s === undefined || typeof s === "boolean") continue;
    if (Array.isArray(s)) for (const x of s as readonly Value[]) checkSchema(x);
    else checkSchema(s);
  }
  for (const key of ["allOf", "anyOf", "oneOf"]) {
    const list = schema.get(key);
    if (Array.isArray(list)) for (const x of list as readonly Value[]) checkSchema(x);
  }
}

function jsonType(v: Value): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "string") return "string";
  if (isNumber(v))
    return (typeof v === "number" ? Number.isInteger(v) : v.isInteger()) ? "integer" : "number";
  if (Array.isArray(v) || v instanceof RegoSet) return "array";
  return "object";
}

function fieldName(path: readonly string[]): string {
  return path.length === 0 ? "(root)" : path.join(".");
}

function num(v: Value | undefined): number | BigNumber | undefined {
  return v !== undefined && isNumber(v) ? v : undefined;
}

function numText(v: number | BigNumber): string {
  return typeof v === "number" ? String(v) : v.toString();
}

class Validator {
  readonly errors: SchemaError[] = [];

  constructor(private readonly root: Value) {}

  private fail(path: readonly string[], type: string, desc: string): void {
    const field = fieldName(path);
    this.errors.push({ error: `${field}: ${desc}`, type, field, desc });
  }

  private resolve(ref: string): Value | undefined {
    if (!ref.startsWith("#")) return undefined;
    let cur: Value | undefined = this.root;
    for (const raw of ref.slice(1).split("/").slice(1)) {
      const seg = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
      if (cur instanceof RegoObject) cur = cur.get(seg);
      else if (Array.isArray(cur)) cur = (cur as readonly Value[])[Number(seg)];
      else return undefined;
    }
    return cur;
  }

  /** Whether `v` satisfies `schema`, without recording errors. */
  private passes(v: Value, schema: Value): boolean {
    const sub = new Validator(this.root);
    sub.validate(v, schema, []);
    return sub.errors.length === 0;
  }

  validate(v: Value, schema: Value, path: readonly string[]): void {
    if (schema === true) return;
    if (schema === false) {
      this.fail(path, "false", "False always fails validation");
      return;
    }
    if (!(schema instanceof RegoObject)) return;
    const ref = schema.get("$ref");
    if (typeof ref === "string") {
      const target = this.resolve(ref);
      if (target !== undefined) this.validate(v, target, path);
      return;
    }
    const type = schema.get("type");
    if (type !== undefined) {
      const types = (Array.isArray(type) ? (type as readonly Value[]) : [type]).filter(
        (t): t is string => typeof t === "string",
      );
      const given = jsonType(v);
      const ok = types.includes(given) || (given === "integer" && types.includes("number"));
      if (!ok) {
        this.fail(path, "invalid_type", `Invalid type. Expected: ${types.join(", ")}, given: ${given}`);
        return;
      }
    }
    const constant = schema.get("const");
    if (constant !== undefined && !valuesEqual(v, constant)) {
      this.fail(path, "const", `${fieldName(path)} does not match: ${marshalJson(constant)}`);
    }
    const en = schema.get("enum");
    if (Array.isArray(en) && !(en as readonly Value[]).some((x) => valuesEqual(x, v))) {
      const allowed = (en as readonly Value[]).map((x) => marshalJson(x)).join(", ");
      this.fail(path, "enum", `${fieldName(path)} must be one of the following: ${allowed}`);
    }
    this.combinators(v, schema, path);
    if (v instanceof RegoObject) this.object(v, schema, path);
    else if (Array.isArray(v) || v instanceof RegoSet)
      this.array(Array.isArray(v) ? (v as readonly Value[]) : v.values(), schema, path);
    else if (typeof v === "string") this.string(v, schema, path);
    else if (isNumber(v)) this.number(v, schema, path);
  }

  private combinators(v: Value, schema: RegoObject, path: readonly string[]): void {
    const allOf = schema.get("allOf");
    if (Array.isArray(allOf) && !(allOf as readonly Value[]).every((s) => this.passes(v, s))) {
      this.fail(path, "number_all_of", "Must validate all the schemas (allOf)");
    }
    const anyOf = schema.get("anyOf");
    if (Array.isArray(anyOf) && !(anyOf as readonly Value[]).some((s) => this.passes(v, s))) {
      this.fail(path, "number_any_of", "Must validate at least one schema (anyOf)");
    }
    const oneOf = schema.get("oneOf");
    if (Array.isArray(oneOf) && (oneOf as readonly Value[]).filter((s) => this.passes(v, s)).length !== 1) {
      this.fail(path, "number_one_of", "Must validate one and only one schema (oneOf)");
    }
    const not = schema.get("not");
    if (not !== undefined && this.passes(v, not))
      this.fail(path, "number_not", "Must not validate the schema (not)");
    const cond = schema.get("if");
    if (cond !== undefined) {
      const branch = this.passes(v, cond) ? "then" : "else";
      const target = schema.get(branch);
      if (target !== undefined && !this.passes(v, target)) {
        const desc =
          branch === "then"
            ? 'Must validate "then" as "if" was valid'
            : 'Must validate "else" as "if" was not valid';
        this.fail(path, `condition_${branch}`, desc);
      }
    }
  }

  private object(o: RegoObject, schema: RegoObject, path: readonly string[]): void {
    const maxP = num(schema.get("maxProperties"));
    if (maxP !== undefined && compareNumbers(o.size, maxP) > 0) {
      this.fail(path, "array_max_properties", `Must have at most ${numText(maxP)} properties`);
    }
    const minP = num(schema.get("minProperties"));
    if (minP !== undefined && compareNumbers(o.size, minP) < 0) {
      this.fail(path, "array_min_properties", `Must have at least ${numText(minP)} properties`);
    }
    const required = schema.get("required");
    if (Array.isArray(required)) {
      for (const r of required as readonly Value[]) {
        if (typeof r === "string" && !o.has(r)) this.fail(path, "required", `${r} is required`);
      }
    }
    const props = schema.get("properties");
    const patterns = schema.get("patternProperties");
    const additional = schema.get("additionalProperties");
    for (const { key, value } of o.entries()) {
      const k = typeof key === "string" ? key : marshalJson(key);
      let matched = false;
      if (props instanceof RegoObject) {
        const s = props.get(k);
        if (s !== undefined) {
          matched = true;
          this.validate(value, s, [...path, k]);
        }
      }
      if (patterns instanceof RegoObject) {
        for (const e of patterns.entries()) {
          if (typeof e.key === "string" && new RegExp(e.key, "u").test(k)) {
            matched = true;
            this.validate(value, e.value, [...path, k]);
          }
        }
      }
      if (!matched && additional !== undefined) {
        if (additional === false)
          this.fail(path, "additional_property_not_allowed", `Additional property ${k} is not allowed`);
        else this.validate(value, additional, [...path, k]);
      }
      const names = schema.get("propertyNames");
      if (names !== undefined && !this.passes(k, names)) {
        this.fail(path, "invalid_property_name", `Property "${k}" does not match the schema`);
      }
    }
    const deps = schema.get("dependencies");
    if (deps instanceof RegoObject) {
      for (const { key, value } of deps.entries()) {
        if (typeof key !== "string" || !o.has(key)) continue;
        if (Array.isArray(value)) {
          for (const d of value as readonly Value[]) {
            if (typeof d === "string" && !o.has(d))
              this.fail(path, "missing_dependency", `Has a dependency on ${d}`);
          }
        } else {
          this.validate(o, value, path);
        }
      }
    }
  }

  private array(items: readonly Value[], schema: RegoObject, path: readonly string[]): void {
    const itemSchema = schema.get("items");
    if (Array.isArray(itemSchema)) {
      const tuple = itemSchema as readonly Value[];
      items.forEach((x, i) => {
        const s = tuple[i];
        if (s !== undefined) this.validate(x, s, [...path, String(i)]);
      });
      const extra = schema.get("additionalItems");
      if (items.length > tuple.length) {
        if (extra === false)
          this.fail(path, "array_no_additional_items", "No additional items allowed on array");
        else if (extra !== undefined) {
          items.slice(tuple.length).forEach((x, i) => {
            this.validate(x, extra, [...path, String(i + tuple.length)]);
          });
        }
      }
    } else if (itemSchema !== undefined) {
      items.forEach((x, i) => {
        this.validate(x, itemSchema, [...path, String(i)]);
      });
    }
    const minI = num(schema.get("minItems"));
    if (minI !== undefined && compareNumbers(items.length, minI) < 0) {
      this.fail(path, "array_min_items", `Array must have at least ${numText(minI)} items`);
    }
    const maxI = num(schema.get("maxItems"));
    if (maxI !== undefined && compareNumbers(items.length, maxI) > 0) {
      this.fail(path, "array_max_items", `Array must have at most ${numText(maxI)} items`);
    }
    if (schema.get("uniqueItems") === true) {
      const seen = new Map<string, number>();
      items.forEach((x, j) => {
        const k = valueKey(x);
        const i = seen.get(k);
        if (i !== undefined) this.fail(path, "unique", `array items[${i},${j}] must be unique`);
        else seen.set(k, j);
      });
    }
    const contains = schema.get("contains");
    if (contains !== undefined && !items.some((x) => this.passes(x, contains))) {
      this.fail(path, "contains", "At least one of the items must match");
    }
  }

  private string(s: string, schema: RegoObject, path: readonly string[]): void {
    const length = [...s].length;
    const minL = num(schema.get("minLength"));
    if (minL !== undefined && compareNumbers(length, minL) < 0) {
      this.fail(path, "string_gte", `String length must be greater than or equal to ${numText(minL)}`);
    }
    const maxL = num(schema.get("maxLength"));
    if (maxL !== undefined && compareNumbers(length, maxL) > 0) {
      this.fail(path, "string_lte", `String length must be less than or equal to ${numText(maxL)}`);
    }
    const pattern = schema.get("pattern");
    if (typeof pattern === "string" && !new RegExp(pattern, "u").test(s)) {
      this.fail(path, "pattern", `Does not match pattern '${pattern}'`);
    }
  }

  private number(n: number | BigNumber, schema: RegoObject, path: readonly string[]): void {
    const multiple = num(schema.get("multipleOf"));
    if (multiple !== undefined) {
      const q =
        (typeof n === "number" ? n : n.toNumber()) /
        (typeof multiple === "number" ? multiple : multiple.toNumber());
      if (!Number.isInteger(q)) this.fail(path, "multiple_of", `Must be a multiple of ${numText(multiple)}`);
    }
    const max = num(schema.get("maximum"));
    const exMaxFlag = schema.get("exclusiveMaximum");
    const exMax = num(exMaxFlag);
    if (max !== undefined) {
      const c = compareNumbers(n, max);
      if (exMaxFlag === true ? c >= 0 : c > 0) {
        this.fail(
          path,
          exMaxFlag === true ? "number_lt" : "number_lte",
          `Must be less than${exMaxFlag === true ? "" : " or equal to"} ${numText(max)}`,
        );
      }
    }
    if (exMax !== undefined && compareNumbers(n, exMax) >= 0)
      this.fail(path, "number_lt", `Must be less than ${numText(exMax)}`);
    const min = num(schema.get("minimum"));
    const exMinFlag = schema.get("exclusiveMinimum");
    const exMin = num(exMinFlag);
    if (min !== undefined) {
      const c = compareNumbers(n, min);
      if (exMinFlag === true ? c <= 0 : c < 0) {
        this.fail(
          path,
          exMinFlag === true ? "number_gt" : "number_gte",
          `Must be greater than${exMinFlag === true ? "" : " or equal to"} ${numText(min)}`,
        );
      }
    }
    if (exMin !== undefined && compareNumbers(n, exMin) <= 0)
      this.fail(path, "number_gt", `Must be greater than ${numText(exMin)}`);
  }
}

/** Validates `document` against a checked `schema`; returns every failure. */
export function validateSchema(document: Value, schema: Value): SchemaError[] {
  const v = new Validator(schema);
  v.validate(document, schema, []);
  return v.errors;
}
