// Builtins: UUIDs (`uuid.rfc4122` random version 4, stable per argument within one evaluation;
// `uuid.parse` into OPA's description object).

import type { BuiltinDecl, BuiltinDefinition } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { arg, fromBigInt, stringArg } from "./operands.js";
import { T_ANY, T_STR, tObject } from "./type-specs.js";
import { RegoObject, type Value, valueKey } from "../value/value.js";

const CACHE_KEY = "uuid.rfc4122";
/** 100-ns intervals between the Gregorian epoch (1582-10-15) and the Unix epoch. */
const GREGORIAN_OFFSET = 122192928000000000n;

function hex(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Formats 16 bytes as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
function formatUuid(b: readonly number[]): string {
  return [
    hex(b.slice(0, 4)),
    hex(b.slice(4, 6)),
    hex(b.slice(6, 8)),
    hex(b.slice(8, 10)),
    hex(b.slice(10)),
  ].join("-");
}

/** Parses the forms Go's uuid.Parse accepts (plain, `urn:uuid:`, braces, 32 hex digits). */
export function parseUuidBytes(input: string): number[] | undefined {
  let s = input;
  if (s.length === 45) {
    if (s.slice(0, 9).toLowerCase() !== "urn:uuid:") return undefined;
    s = s.slice(9);
  } else if (s.length === 38) {
    if (s[0] !== "{" || s[37] !== "}") return undefined;
    s = s.slice(1, 37);
  }
  let digits: string;
  if (s.length === 36) {
    if (s[8] !== "-" || s[13] !== "-" || s[18] !== "-" || s[23] !== "-") return undefined;
    digits = s.slice(0, 8) + s.slice(9, 13) + s.slice(14, 18) + s.slice(19, 23) + s.slice(24);
  } else if (s.length === 32) {
    digits = s;
  } else {
    return undefined;
  }
  if (!/^[0-9a-fA-F]{32}$/.test(digits)) return undefined;
  const out: number[] = [];
  for (let i = 0; i < 32; i += 2) out.push(Number.parseInt(digits.slice(i, i + 2), 16));
  return out;
}

function variantName(b8: number): string {
  if ((b8 & 0xc0) === 0x80) return "RFC4122";
  if ((b8 & 0xe0) === 0xc0) return "Microsoft";
  if ((b8 & 0xe0) === 0xe0) return "Future";
  return "Reserved";
}

function u16(b: readonly number[], i: number): bigint {
  return BigInt(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0));
}

function u32(b: readonly number[], i: number): bigint {
  return (u16(b, i) << 16n) | u16(b, i + 2);
}

const DOMAINS = ["Person", "Group", "Org"];

/** OPA's description of a UUID: version and variant, plus time fields for versions 1 and 2. */
export function describeUuid(b: readonly number[]): RegoObject {
  const version = (b[6] ?? 0) >> 4;
  const o = new RegoObject();
  o.set("version", version);
  o.set("variant", variantName(b[8] ?? 0));
  if (version === 1 || version === 2) {
    const hi = (u16(b, 6) & 0xfffn) << 48n;
    const mid = u16(b, 4) << 32n;
    const low = u32(b, 0);
    o.set("time", fromBigInt(((hi | mid | low) - GREGORIAN_OFFSET) * 100n));
    o.set("clocksequence", (((b[8] ?? 0) & 0x3f) << 8) | (b[9] ?? 0));
    const node = b.slice(10);
    o.set("nodeid", node.map((x) => x.toString(16).padStart(2, "0")).join("-"));
    const first = node[0] ?? 0;
    o.set("macvariables", `${first & 0x02 ? "local" : "global"}:${first & 0x01 ? "multicast" : "unicast"}`);
  }
  if (version === 2) {
    const d = b[9] ?? 0;
    o.set("domain", DOMAINS[d] ?? `Domain${d}`);
    o.set("id", fromBigInt(u32(b, 0)));
  }
  return o;
}

const defs = defineBuiltins(
  {
    "uuid.rfc4122": { args: [T_STR], result: T_STR },
    "uuid.parse": { args: [T_STR], result: tObject(T_STR, T_ANY) },
  } satisfies Record<string, BuiltinDecl>,
  {
    "uuid.rfc4122": (args, ctx) => {
      // OPA keys the cache by the argument's hash, whatever its type.
      const key = valueKey(arg(args, 0));
      let cache = ctx.cache.get(CACHE_KEY) as Map<string, string> | undefined;
      if (!cache) {
        cache = new Map();
        ctx.cache.set(CACHE_KEY, cache);
      }
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
      const bytes = Array.from({ length: 16 }, () => Math.min(255, Math.floor(ctx.random() * 256)));
      bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
      bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
      const id = formatUuid(bytes);
      cache.set(key, id);
      return id;
    },
    "uuid.parse": (args): Value | undefined => {
      const bytes = parseUuidBytes(stringArg(args, 0));
      return bytes ? describeUuid(bytes) : undefined;
    },
  },
);

/** UUID builtins. */
export const UUID_BUILTINS: readonly BuiltinDefinition[] = defs.map((d) =>
  d.name === "uuid.rfc4122" ? { ...d, nondeterministic: true } : d,
);
