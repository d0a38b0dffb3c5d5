// Values: conversion between JSON (what callers pass and get back) and Rego values.

import { BigNumber } from "./big-number.js";
import { RegoObject, RegoSet, type Value, valueKey } from "./value.js";

/** JSON as callers see it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Converts a parsed JSON value (or any plain JS data of the same shapes) to a Rego value. */
export function fromJson(json: unknown): Value {
  if (json === null || json === undefined) return null;
  switch (typeof json) {
    case "boolean":
    case "string":
      return json;
    case "number":
      if (!Number.isFinite(json)) throw new TypeError(`not a JSON number: ${json}`);
      return json;
    case "bigint":
      return Number.isSafeInteger(Number(json)) ? Number(json) : new BigNumber(json, 0);
    case "object": {
      if (Array.isArray(json)) return json.map(fromJson);
      if (json instanceof RegoObject || json instanceof RegoSet || json instanceof BigNumber) return json;
      const o = new RegoObject();
      const rec = json as Record<string, unknown>;
      for (const k of Object.keys(rec)) {
        const v = rec[k];
        if (v !== undefined) o.set(k, fromJson(v));
      }
      return o;
    }
    default:
      throw new TypeError(`cannot convert ${typeof json} to a Rego value`);
  }
}

/**
 * Like `fromJson`, but objects convert their values on first lookup (input of one evaluation,
 * of which a policy usually reads a few fields). The value must not change while in use.
 */
export function fromJsonLazy(json: unknown): Value {
  if (json === null || json === undefined) return null;
  if (typeof json !== "object") return fromJson(json);
  if (Array.isArray(json)) return json.map(fromJsonLazy);
  if (json instanceof RegoObject || json instanceof RegoSet || json instanceof BigNumber) return json;
  return RegoObject.lazy(json as Record<string, unknown>, fromJsonLazy);
}

// JSON objects are made by a constructor of our own whose prototype is Object.prototype: they
// are plain objects (their prototype is Object.prototype, their constructor Object), while V8
// gives them hidden classes apart from every other `{}` of the process. Adding keys to them then
// looks through our own transitions only: about 4% of a whole-package query, measured.
function JsonObjectConstructor(): void {}
JsonObjectConstructor.prototype = Object.prototype;
const JsonObject = JsonObjectConstructor as unknown as new () => { [key: string]: Json };

/** A new empty JSON object (a plain object) for a result being built. */
export function jsonObject(): { [key: string]: Json } {
  return new JsonObject();
}

/**
 * Converts a Rego value to JSON: sets become arrays in sort order, non-string object keys
 * become their JSON text (as OPA does), big numbers become doubles.
 */
export function toJson(v: Value): Json {
  if (v === null || typeof v === "boolean" || typeof v === "string" || typeof v === "number") return v;
  if (v instanceof BigNumber) return v.toNumber();
  if (Array.isArray(v)) return (v as readonly Value[]).map(toJson);
  if (v instanceof RegoSet) return v.values().map(toJson);
  const out = jsonObject();
  for (const { key, value } of (v as RegoObject).entries()) {
    setJsonKey(out, typeof key === "string" ? key : JSON.stringify(toJson(key)), toJson(value));
  }
  return out;
}

/** Sets a key of a JSON object being built; `__proto__` becomes an own key, as in JSON.parse. */
export function setJsonKey(out: { [key: string]: Json }, key: string, value: Json): void {
  if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** Whether two values are the same Rego value, by canonical key. */
export function sameValue(a: Value, b: Value): boolean {
  return valueKey(a) === valueKey(b);
}
