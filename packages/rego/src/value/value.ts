// Values, used by every stage from compile on: the runtime representation of Rego values.
//
// Strings, booleans and null are plain JS values. Numbers are JS numbers (the fast path) or
// BigNumber when a double cannot hold them exactly. Arrays are JS arrays. Sets and objects are
// classes keyed by a canonical string form of each value, so composite keys work; both iterate
// in OPA's sort order. Values are immutable once built; builders mutate only while building.

import { apart, BigNumber } from "./big-number.js";

/** A Rego number: a double when exact, else an exact decimal. */
export type RegoNumber = number | BigNumber;

/** Any Rego value. `undefined` (not a Value) stands for an undefined result. */
export type Value = null | boolean | RegoNumber | string | readonly Value[] | RegoSet | RegoObject;

/** OPA's type names, as `type_name` returns them. */
export type ValueTypeName = "null" | "boolean" | "number" | "string" | "array" | "object" | "set";

/** OPA's type name of a value. */
export function typeName(v: Value): ValueTypeName {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return "boolean";
    case "number":
      return "number";
    case "string":
      return "string";
    default:
      if (Array.isArray(v)) return "array";
      if (v instanceof RegoSet) return "set";
      if (v instanceof RegoObject) return "object";
      return "number";
  }
}

/** Whether a value is a Rego number. */
export function isNumber(v: Value | undefined): v is RegoNumber {
  return typeof v === "number" || v instanceof BigNumber;
}

/** Whether a JS value is a plain record: an object whose prototype is Object.prototype or null. */
export function isPlainRecord(v: unknown): v is Readonly<Record<string, unknown>> {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Whether a value is an array. */
export function isArray(v: Value | undefined): v is readonly Value[] {
  return Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// Canonical keys

const NUL = "\u0000";

/**
 * The canonical key of a value: equal values (in Rego's sense: 1 == 1.0, sets regardless of
 * order) have equal keys. A string is its own key unless it starts with NUL, so string-keyed
 * lookups cost nothing extra.
 */
export function valueKey(v: Value): string {
  if (typeof v === "string") return v.length > 0 && v.charCodeAt(0) === 0 ? `${NUL}s${v}` : v;
  if (v === null) return `${NUL}z`;
  if (v === true) return `${NUL}t`;
  if (v === false) return `${NUL}f`;
  if (typeof v === "number") return `${NUL}n${numberKey(v)}`;
  if (v instanceof BigNumber) return `${NUL}n${v.toString()}`;
  if (Array.isArray(v)) return `${NUL}a${JSON.stringify((v as readonly Value[]).map(valueKey))}`;
  if (v instanceof RegoSet) return v.key();
  return (v as RegoObject).key();
}

function numberKey(n: number): string {
  if (Object.is(n, -0)) return "0";
  if (Number.isSafeInteger(n)) return String(n);
  return BigNumber.fromNumber(n).toString();
}

// ---------------------------------------------------------------------------------------------
// Sets

/** A Rego set. Iterates in OPA's sort order. */
export class RegoSet {
  private readonly items = new Map<string, Value>();
  private sortedCache: readonly Value[] | undefined;
  private keyCache: string | undefined;

  /** Builds a set from values (duplicates collapse). */
  static of(values: Iterable<Value>): RegoSet {
    const s = new RegoSet();
    for (const v of values) s.add(v);
    return s;
  }

  /** Number of elements. */
  get size(): number {
    return this.items.size;
  }

  /** Adds an element while building; returns false if it was already there. */
  add(v: Value): boolean {
    const k = valueKey(v);
    if (this.items.has(k)) return false;
    this.items.set(k, v);
    this.sortedCache = undefined;
    this.keyCache = undefined;
    return true;
  }

  /** Whether the set holds a value equal to `v`. */
  has(v: Value): boolean {
    return this.items.has(valueKey(v));
  }

  /** Whether the set holds an element with this canonical key. */
  hasKey(key: string): boolean {
    return this.items.has(key);
  }

  /** The elements in OPA's sort order. */
  values(): readonly Value[] {
    if (!this.sortedCache) {
      const all = [...this.items.values()];
      this.sortedCache = all.length < 2 ? all : all.sort(compareValues);
    }
    return this.sortedCache;
  }

  /** The elements in insertion order (cheaper when order does not matter). */
  unordered(): IterableIterator<Value> {
    return this.items.values();
  }

  /** Canonical key of the whole set. */
  key(): string {
    if (this.keyCache === undefined) {
      this.keyCache = `${NUL}S${JSON.stringify([...this.items.keys()].sort())}`;
    }
    return this.keyCache;
  }
}

// ---------------------------------------------------------------------------------------------
// Objects

/** A key/value pair of an object. */
export interface ObjectEntry {
  readonly key: Value;
  readonly value: Value;
}

/** A Rego object; keys may be any value. Iterates in OPA's key sort order. */
export class RegoObject {
  private readonly map = new Map<string, ObjectEntry>();
  private sortedCache: readonly ObjectEntry[] | undefined;
  private keyCache: string | undefined;
  /** Whether keys were set in ascending order so far (entries need no sort), and the last one. */
  private ascending = true;
  private lastKey: Value | undefined;
  /** A plain record whose values are not all converted yet (see `lazy`). */
  private pending: Readonly<Record<string, unknown>> | undefined;
  private convert: ((raw: unknown) => Value) | undefined;
  /** The pending record's prototype is Object.prototype or null (it inherits no scalar). */
  private plain = false;

  /** Builds an object from entries (a later duplicate key replaces the earlier one). */
  static of(entries: Iterable<readonly [Value, Value]>): RegoObject {
    const o = new RegoObject();
    for (const [k, v] of entries) o.set(k, v);
    return o;
  }

  /** Builds an object with string keys from a plain record. */
  static fromRecord(record: Readonly<Record<string, Value>>): RegoObject {
    const o = new RegoObject();
    for (const k of Object.keys(record)) o.set(k, record[k] as Value);
    return o;
  }

  /**
   * An object over a plain record (parsed JSON input) whose values are converted one key at a
   * time, when first looked up: a policy that reads two fields of a large input converts two.
   * The record must not change while the object is in use.
   */
  static lazy(record: Readonly<Record<string, unknown>>, convert: (raw: unknown) => Value): RegoObject {
    const o = new RegoObject();
    o.pending = record;
    o.convert = convert;
    o.plain = isPlainRecord(record);
    return o;
  }

  /** Number of keys. */
  get size(): number {
    if (this.pending !== undefined) this.force();
    return this.map.size;
  }

  /** Sets a key while building. */
  set(key: Value, value: Value): void {
    if (this.pending !== undefined) this.force();
    if (this.ascending) {
      const last = this.lastKey;
      if (last !== undefined && compareValues(last, key) > 0) this.ascending = false;
      else this.lastKey = key;
    }
    this.map.set(valueKey(key), { key, value });
    this.sortedCache = undefined;
    this.keyCache = undefined;
  }

  /** The value at `key`, or undefined. */
  get(key: Value): Value | undefined {
    if (this.pending !== undefined) {
      // A record has string keys only.
      return typeof key === "string" ? this.lazyGet(key) : undefined;
    }
    return this.map.get(valueKey(key))?.value;
  }

  /** The value at a canonical key, or undefined. */
  getByKey(key: string): Value | undefined {
    if (this.pending !== undefined) {
      if (key.length === 0 || key.charCodeAt(0) !== 0) return this.lazyGet(key);
      this.force();
    }
    return this.map.get(key)?.value;
  }

  /** Whether the object has `key`. */
  has(key: Value): boolean {
    if (this.pending !== undefined) return this.get(key) !== undefined;
    return this.map.has(valueKey(key));
  }

  private lazyGet(key: string): Value | undefined {
    const record = this.pending as Readonly<Record<string, unknown>>;
    const raw = record[key];
    if (raw === undefined) return undefined;
    // Scalars are their own values: nothing to convert or remember. A plain record inherits
    // no scalar, so only other values need the own-property check.
    switch (typeof raw) {
      case "string":
      case "boolean":
        if (this.plain || Object.hasOwn(record, key)) return raw;
        return undefined;
      case "number":
        if (!this.plain && !Object.hasOwn(record, key)) return undefined;
        if (Number.isFinite(raw)) return raw;
        break;
      default:
        if (!Object.hasOwn(record, key)) return undefined;
        if (raw === null) return null;
    }
    const mapKey = valueKey(key);
    const known = this.map.get(mapKey);
    if (known !== undefined) return known.value;
    const value = (this.convert as (raw: unknown) => Value)(raw);
    this.map.set(mapKey, { key, value });
    return value;
  }

  /** Converts every value not converted yet; the object is then an ordinary one. */
  private force(): void {
    const record = this.pending as Readonly<Record<string, unknown>>;
    const convert = this.convert as (raw: unknown) => Value;
    this.pending = undefined;
    this.convert = undefined;
    for (const key of Object.keys(record)) {
      const raw = record[key];
      const mapKey = valueKey(key);
      if (raw !== undefined && !this.map.has(mapKey)) this.map.set(mapKey, { key, value: convert(raw) });
    }
    this.ascending = false;
  }

  /** The entries in OPA's key sort order. */
  entries(): readonly ObjectEntry[] {
    if (this.pending !== undefined) this.force();
    if (!this.sortedCache) {
      const all = [...this.map.values()];
      this.sortedCache =
        all.length < 2 || this.ascending ? all : all.sort((a, b) => compareValues(a.key, b.key));
    }
    return this.sortedCache;
  }

  /** The entries in insertion order (cheaper when order does not matter). */
  unordered(): IterableIterator<ObjectEntry> {
    if (this.pending !== undefined) this.force();
    return this.map.values();
  }

  /** The keys in OPA's sort order. */
  keys(): Value[] {
    return this.entries().map((e) => e.key);
  }

  /** Canonical key of the whole object. */
  key(): string {
    if (this.pending !== undefined) this.force();
    if (this.keyCache === undefined) {
      const pairs = [...this.map.entries()]
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map(([k, e]) => [k, valueKey(e.value)]);
      this.keyCache = `${NUL}o${JSON.stringify(pairs)}`;
    }
    return this.keyCache;
  }
}

// ---------------------------------------------------------------------------------------------
// Order and equality

function sortOrder(v: Value): number {
  if (v === null) return 0;
  switch (typeof v) {
    case "boolean":
      return 1;
    case "number":
      return 2;
    case "string":
      return 3;
    default:
      if (v instanceof BigNumber) return 2;
      if (Array.isArray(v)) return 6;
      if (v instanceof RegoObject) return 7;
      return 8;
  }
}

/** Compares two numbers exactly: -1, 0 or 1. */
export function compareNumbers(a: RegoNumber, b: RegoNumber): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  // A double is exact: against a big number's near double, far apart decides (see `apart`).
  const nearA = typeof a === "number" ? a : a.near();
  const nearB = typeof b === "number" ? b : b.near();
  if (apart(nearA, nearB)) return nearA < nearB ? -1 : 1;
  const x = typeof a === "number" ? BigNumber.fromNumber(a) : a;
  const y = typeof b === "number" ? BigNumber.fromNumber(b) : b;
  return x.compare(y);
}

/** OPA's total order over values: null < booleans < numbers < strings < arrays < objects < sets. */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : 1;
  const oa = sortOrder(a);
  const ob = sortOrder(b);
  if (oa !== ob) return oa < ob ? -1 : 1;
  switch (oa) {
    case 0:
      return 0;
    case 1:
      return a === false ? -1 : 1;
    case 2:
      return compareNumbers(a as RegoNumber, b as RegoNumber);
    case 3:
      return (a as string) < (b as string) ? -1 : 1;
    case 6: {
      const x = a as readonly Value[];
      const y = b as readonly Value[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i] as Value, y[i] as Value);
        if (c !== 0) return c;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
    case 7: {
      const x = (a as RegoObject).entries();
      const y = (b as RegoObject).entries();
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const ex = x[i] as ObjectEntry;
        const ey = y[i] as ObjectEntry;
        const ck = compareValues(ex.key, ey.key);
        if (ck !== 0) return ck;
        const cv = compareValues(ex.value, ey.value);
        if (cv !== 0) return cv;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
    default: {
      const x = (a as RegoSet).values();
      const y = (b as RegoSet).values();
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i] as Value, y[i] as Value);
        if (c !== 0) return c;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
  }
}

/** Rego equality (`==`): numbers by value, sets and objects regardless of order. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a === "string" || typeof b === "string") return false;
  if (typeof a === "number" && typeof b === "number") return a === b;
  return compareValues(a, b) === 0;
}
