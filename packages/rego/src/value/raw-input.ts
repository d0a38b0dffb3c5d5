// Values (shared by planning and evaluation): reading scalar fields of the caller's JSON input directly. A login policy reads a
// handful of strings and numbers from its input; walking the plain record for them costs a few
// property loads, where converting the records they sit in would allocate an object per level.
// The records one level down (`input.session`, `input.request`), which most reads go through,
// are looked up and checked once per evaluation.

import { fromJson } from "./json.js";
import { isPlainRecord, type Value } from "./value.js";

/** Returned when a path does not end at a scalar of a plain record: convert and look up instead. */
export const CONVERT = Symbol("convert");

// Room made at once for the records of this many top-level fields (an array grown from empty
// would be copied on the way); policies rarely read more.
const PRESIZED_RECORDS = 8;

// A top-level field the caller's input does not have.
const ABSENT = Symbol("absent");

/** A plain record: what JSON.parse makes of an object. */
type PlainRecord = Readonly<Record<string, unknown>>;

/**
 * A field's value as a Rego scalar: undefined when absent, CONVERT unless a finite scalar. A
 * bigint (exact nanoseconds, say) is a number, as the conversion makes it.
 */
function scalarOf(v: unknown): Value | undefined | typeof CONVERT {
  switch (typeof v) {
    case "undefined":
    case "string":
    case "boolean":
      return v;
    case "number":
      return Number.isFinite(v) ? v : CONVERT;
    case "bigint":
      return bigintValue(v);
    default:
      return v === null ? null : CONVERT;
  }
}

// The last bigint read and its value: a policy reading one timestamp in many rules converts it
// once (values are immutable, so sharing one is safe).
let lastBigint: bigint | undefined;
let lastBigintValue: Value = null;

function bigintValue(v: bigint): Value {
  if (v !== lastBigint) {
    lastBigintValue = fromJson(v);
    lastBigint = v;
  }
  return lastBigintValue;
}

/**
 * The value at constant string `keys[from..]` below `raw`, when every record on the way is a
 * plain object (as JSON.parse makes) and the field found is a scalar or absent; else CONVERT.
 * Agrees with looking the path up in `fromJsonLazy(raw)`.
 */
export function rawPath(raw: unknown, keys: readonly string[], from = 0): Value | undefined | typeof CONVERT {
  let v: unknown = raw;
  for (let i = from; i < keys.length; i++) {
    if (!isPlainRecord(v)) return CONVERT;
    const k = keys[i] as string;
    if (k === "__proto__") return CONVERT;
    v = v[k];
    if (v === undefined) return undefined;
  }
  return scalarOf(v);
}

/**
 * The caller's JSON input, read in place for one evaluation: a plain record whose top-level
 * records are fetched and checked at most once each. Fields are numbered per policy when plans
 * are built (see `inputFieldId`).
 */
export class RawInput {
  private records: unknown[] | undefined;

  private constructor(private readonly root: PlainRecord) {}

  /** The raw input of an evaluation, when the caller's input is a plain record. */
  static of(input: unknown): RawInput | undefined {
    return isPlainRecord(input) ? new RawInput(input) : undefined;
  }

  /** `input[key]` (key not `__proto__`) as a scalar, or CONVERT. */
  field(key: string): Value | undefined | typeof CONVERT {
    return scalarOf(this.root[key]);
  }

  /**
   * `input[key][keys[1]]...`, for field number `id` (key is `keys[0]`, not `__proto__`), or
   * CONVERT: the record at `input[key]` is looked up once per evaluation.
   */
  path(id: number, keys: readonly string[]): Value | undefined | typeof CONVERT {
    this.records ??= new Array(PRESIZED_RECORDS);
    const records = this.records;
    let r = records[id];
    if (r === undefined) {
      const v = this.root[keys[0] as string];
      r = v === undefined ? ABSENT : isPlainRecord(v) ? v : CONVERT;
      records[id] = r;
    }
    if (typeof r === "symbol") return r === ABSENT ? undefined : CONVERT;
    const k1 = keys[1] as string;
    if (k1 === "__proto__") return CONVERT;
    const v = (r as PlainRecord)[k1];
    return keys.length === 2 ? scalarOf(v) : v === undefined ? undefined : rawPath(v, keys, 2);
  }
}

// The numbers of the top-level input fields the plans of one policy read through records.
const fieldIds = new WeakMap<object, Map<string, number>>();

/** The number of a top-level input field within a policy (dense, from 0). */
export function inputFieldId(policy: object, key: string): number {
  let ids = fieldIds.get(policy);
  if (!ids) {
    ids = new Map();
    fieldIds.set(policy, ids);
  }
  let id = ids.get(key);
  if (id === undefined) {
    id = ids.size;
    ids.set(key, id);
  }
  return id;
}
