// Builtins: IP networks (`net.cidr_*`), IPv4 and IPv6 addresses as bigint, with Go's net parsing.

import { RegoObject, RegoSet, typeName, type Value } from "../value/value.js";
import { type BuiltinDefinition, BuiltinError, operandError, type TypeSpec } from "./builtin.js";

/** An IP address: 32-bit for IPv4 (including IPv4-mapped IPv6 text), 128-bit for IPv6. */
export interface IpAddress {
  readonly bits: 32 | 128;
  readonly value: bigint;
  /** An IPv4 address as a number (0 for IPv6): containment tests on numbers allocate nothing. */
  readonly v4: number;
}

/** A network: its first address and prefix length. */
export interface IpNetwork {
  readonly bits: 32 | 128;
  readonly base: bigint;
  readonly prefix: number;
  /** An IPv4 network's first address and mask as numbers (0 for IPv6). */
  readonly v4Base: number;
  readonly v4Mask: number;
}

function address(bits: 32 | 128, value: bigint): IpAddress {
  return { bits, value, v4: bits === 32 ? Number(value) : 0 };
}

function network(bits: 32 | 128, base: bigint, prefix: number): IpNetwork {
  const v4 = bits === 32;
  return { bits, base, prefix, v4Base: v4 ? Number(base) : 0, v4Mask: v4 ? Number(mask(32, prefix)) : 0 };
}

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p[0] === "0")) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIPv6(s: string): bigint | undefined {
  let text = s;
  const lastColon = text.lastIndexOf(":");
  if (lastColon >= 0 && text.slice(lastColon + 1).includes(".")) {
    // An embedded dotted IPv4 tail stands for the last two groups.
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const group = (g: string): bigint | undefined =>
    /^[0-9a-fA-F]{1,4}$/.test(g) ? BigInt(`0x${g}`) : undefined;
  const read = (h: string): bigint[] | undefined => {
    if (h === "") return [];
    const out: bigint[] = [];
    for (const g of h.split(":")) {
      const v = group(g);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  };
  const head = read(halves[0] as string);
  if (!head) return undefined;
  let groups: bigint[];
  if (halves.length === 2) {
    const rest = read(halves[1] as string);
    if (!rest) return undefined;
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return undefined;
    groups = [...head, ...new Array<bigint>(fill).fill(0n), ...rest];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

// Policies test the same addresses and networks on every request: parsed forms are kept.
const MEMO_LIMIT = 4096;
const ipMemo = new Map<string, IpAddress | undefined>();
const cidrMemo = new Map<string, IpNetwork | undefined>();

function memo<T>(cache: Map<string, T | undefined>, key: string, parse: (s: string) => T | undefined): T | undefined {
  const known = cache.get(key);
  if (known !== undefined || cache.has(key)) return known;
  const v = parse(key);
  if (cache.size >= MEMO_LIMIT) cache.clear();
  cache.set(key, v);
  return v;
}

// The last address parsed: a policy testing the caller's address against many networks parses it
// once per evaluation without a lookup in the memo each time.
let lastIpText: string | undefined;
let lastIp: IpAddress | undefined;

/** Parses an IP address (IPv4, IPv6, IPv4-mapped IPv6); undefined if malformed. */
export function parseIp(s: string): IpAddress | undefined {
  if (s !== lastIpText) {
    lastIp = memo(ipMemo, s, parseIpUncached);
    lastIpText = s;
  }
  return lastIp;
}

/** Parses a CIDR network (`10.0.0.0/8`, `2001:db8::/32`); undefined if malformed. */
export function parseCidr(s: string): IpNetwork | undefined {
  return memo(cidrMemo, s, parseCidrUncached);
}

// As Go's net.ParseIP: IPv4-mapped IPv6 becomes IPv4.
function parseIpUncached(s: string): IpAddress | undefined {
  if (s.includes(":")) {
    const v = parseIPv6(s);
    if (v === undefined) return undefined;
    if (v >> 32n === 0xffffn) return address(32, v & 0xffffffffn);
    return address(128, v);
  }
  const v4 = parseIPv4(s);
  return v4 === undefined ? undefined : address(32, v4);
}

function computeMask(bits: number, prefix: number): bigint {
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
}

// Every network mask, by prefix length, computed once.
const MASKS_32 = Array.from({ length: 33 }, (_, p) => computeMask(32, p));
const MASKS_128 = Array.from({ length: 129 }, (_, p) => computeMask(128, p));

/** The network mask of a prefix length, as a bigint of `bits` bits. */
export function mask(bits: number, prefix: number): bigint {
  return (bits === 32 ? MASKS_32[prefix] : MASKS_128[prefix]) ?? computeMask(bits, prefix);
}

// As Go's net.ParseCIDR.
function parseCidrUncached(s: string): IpNetwork | undefined {
  const slash = s.indexOf("/");
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const len = s.slice(slash + 1);
  if (!/^[0-9]+$/.test(len)) return undefined;
  const prefix = Number(len);
  if (addr.includes(":")) {
    const v = parseIPv6(addr);
    if (v === undefined || prefix > 128) return undefined;
    // Go treats a network on an IPv4-mapped address as the IPv4 network it covers.
    if (v >> 32n === 0xffffn && prefix >= 96) {
      return network(32, v & 0xffffffffn & mask(32, prefix - 96), prefix - 96);
    }
    return network(128, v & mask(128, prefix), prefix);
  }
  const v4 = parseIPv4(addr);
  if (v4 === undefined || prefix > 32) return undefined;
  return network(32, v4 & mask(32, prefix), prefix);
}

function lastAddress(n: IpNetwork): bigint {
  return n.base | ((1n << BigInt(n.bits - n.prefix)) - 1n);
}

function containsIp(n: IpNetwork, ip: IpAddress): boolean {
  if (n.bits !== ip.bits) return false;
  // Bitwise operators work on 32 bits: `>>> 0` reads the result back as unsigned.
  if (n.bits === 32) return (ip.v4 & n.v4Mask) >>> 0 === n.v4Base;
  return (ip.value & mask(n.bits, n.prefix)) === n.base;
}

/** Formats an address as Go's net.IP.String does. */
export function formatIp(bits: 32 | 128, value: bigint): string {
  if (bits === 32 || value >> 32n === 0xffffn) {
    const v = value & 0xffffffffn;
    return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join(".");
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

function formatCidr(n: IpNetwork): string {
  return `${formatIp(n.bits, n.base)}/${n.prefix}`;
}

function cidrOperand(v: Value, pos: number): IpNetwork {
  if (typeof v !== "string") throw operandError(pos, "string", typeName(v));
  const n = parseCidr(v);
  if (!n) throw new BuiltinError("builtin", `invalid CIDR address: ${v}`);
  return n;
}

/** OPA's cidr_contains: an IP inside the network, or a network wholly inside it. */
function cidrContains(network: IpNetwork, other: string): boolean {
  const ip = parseIp(other);
  if (ip) return containsIp(network, ip);
  const inner = parseCidr(other);
  if (!inner) throw new BuiltinError("builtin", `invalid CIDR address: ${other}`);
  return (
    containsIp(network, address(inner.bits, inner.base)) &&
    containsIp(network, address(inner.bits, lastAddress(inner)))
  );
}

/** Merges networks into the smallest covering list, per address family. */
export function mergeCidrs(networks: readonly IpNetwork[]): IpNetwork[] {
  const out: IpNetwork[] = [];
  for (const bits of [32, 128] as const) {
    const list = networks
      .filter((n) => n.bits === bits)
      .sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : a.prefix - b.prefix));
    // Drop networks inside an earlier one.
    const kept: IpNetwork[] = [];
    for (const n of list) {
      const prev = kept[kept.length - 1];
      if (prev && n.base >= prev.base && lastAddress(n) <= lastAddress(prev)) continue;
      kept.push(n);
    }
    // Join sibling halves until nothing changes.
    let changed = true;
    let current = kept;
    while (changed) {
      changed = false;
      const next: IpNetwork[] = [];
      for (const n of current) {
        const prev = next[next.length - 1];
        if (
          prev &&
          prev.prefix === n.prefix &&
          n.prefix > 0 &&
          lastAddress(prev) + 1n === n.base &&
          (prev.base & mask(bits, n.prefix - 1)) === prev.base
        ) {
          next[next.length - 1] = network(bits, prev.base, n.prefix - 1);
          changed = true;
          const grown = next[next.length - 1] as IpNetwork;
          // The grown network may now swallow or pair with its predecessor.
          while (next.length >= 2) {
            const before = next[next.length - 2] as IpNetwork;
            if (grown.base >= before.base && lastAddress(grown) <= lastAddress(before)) {
              next.pop();
            } else {
              break;
            }
          }
        } else {
          next.push(n);
        }
      }
      current = next;
    }
    out.push(...current);
  }
  return out;
}

/** Go's classful default mask for a bare IPv4 address, as OPA's cidr_merge uses. */
function defaultPrefix(v: bigint): number {
  const first = Number(v >> 24n);
  if (first < 0x80) return 8;
  if (first < 0xc0) return 16;
  return 24;
}

function mergeElement(v: Value): IpNetwork {
  if (typeof v !== "string") throw new BuiltinError("builtin", "element must be string");
  const ip = parseIp(v);
  if (ip) {
    if (ip.bits === 128) throw new BuiltinError("builtin", "IPv6 invalid: needs prefix length");
    const prefix = defaultPrefix(ip.value);
    return network(32, ip.value & mask(32, prefix), prefix);
  }
  const n = parseCidr(v);
  if (!n) throw new BuiltinError("builtin", `invalid CIDR address: ${v}`);
  return n;
}

// Policies are untrusted: expanding a /8 would build millions of strings in one call.
const EXPAND_LIMIT = 1n << 16n;

/** One side of cidr_contains_matches: (key, cidr) pairs. */
function matchTerms(v: Value, pos: number): [Value, string][] {
  const cidrOf = (x: Value): string => {
    if (typeof x === "string") return x;
    if (Array.isArray(x)) {
      const arr = x as readonly Value[];
      if (arr.length === 0) throw new BuiltinError("builtin", "cidr tuple must have length > 0");
      return cidrOf(arr[0] as Value);
    }
    throw new BuiltinError("builtin", "cidr term must be string or array");
  };
  if (typeof v === "string") return [[v, v]];
  if (Array.isArray(v)) return (v as readonly Value[]).map((x, i) => [i, cidrOf(x)]);
  if (v instanceof RegoSet) return v.values().map((x) => [x, cidrOf(x)]);
  if (v instanceof RegoObject) return v.entries().map((e) => [e.key, cidrOf(e.value)]);
  throw operandError(pos, "string, array, set or object", typeName(v));
}

const S: TypeSpec = { type: "string" };
const B: TypeSpec = { type: "boolean" };
const STRING_SET: TypeSpec = { type: "set", of: S };
const CIDR_TERM: TypeSpec = { type: "any", of: [S, { type: "array", dynamic: { type: "any" } }] };
const CIDR_COLLECTION: TypeSpec = {
  type: "any",
  of: [
    S,
    { type: "array", dynamic: CIDR_TERM },
    { type: "object", dynamic: { key: S, value: CIDR_TERM } },
    { type: "set", of: CIDR_TERM },
  ],
};

/** cidr_contains of a network and an operand (checked to be a string, the second). */
function containsOperand(network: IpNetwork, other: Value): boolean {
  if (typeof other !== "string") throw operandError(2, "string", typeName(other));
  return cidrContains(network, other);
}

const contains: BuiltinDefinition = {
  name: "net.cidr_contains",
  arity: 2,
  decl: { args: [S, S], result: B },
  impl: (args) => containsOperand(cidrOperand(args[0] as Value, 1), args[1] as Value),
  // A constant network (`net.cidr_contains("10.0.0.0/8", input.ip)`) is parsed once; one that
  // does not parse is left to `impl`, which refuses it at each call as before.
  prepare: ([first]) => {
    const network = typeof first === "string" ? parseCidr(first) : undefined;
    return network === undefined ? undefined : (args) => containsOperand(network, args[1] as Value);
  },
};

/** Every `net.cidr_*` builtin. */
export const NET_BUILTINS: readonly BuiltinDefinition[] = [
  contains,
  { ...contains, name: "net.cidr_overlap" },
  {
    name: "net.cidr_intersects",
    arity: 2,
    decl: { args: [S, S], result: B },
    impl: (args) => {
      const a = cidrOperand(args[0] as Value, 1);
      const b = cidrOperand(args[1] as Value, 2);
      return containsIp(a, address(b.bits, b.base)) || containsIp(b, address(a.bits, a.base));
    },
  },
  {
    name: "net.cidr_is_valid",
    arity: 1,
    decl: { args: [S], result: B },
    impl: (args) => {
      const v = args[0] as Value;
      return typeof v === "string" && parseCidr(v) !== undefined;
    },
  },
  {
    name: "net.cidr_expand",
    arity: 1,
    decl: { args: [S], result: STRING_SET },
    impl: (args) => {
      const n = cidrOperand(args[0] as Value, 1);
      const count = 1n << BigInt(n.bits - n.prefix);
      if (count > EXPAND_LIMIT) {
        throw new BuiltinError(
          "builtin",
          `CIDR ${formatCidr(n)} has ${count} addresses, more than the ${EXPAND_LIMIT} this engine expands`,
        );
      }
      const out = new RegoSet();
      for (let i = 0n; i < count; i++) out.add(formatIp(n.bits, n.base + i));
      return out;
    },
  },
  {
    name: "net.cidr_merge",
    arity: 1,
    decl: {
      args: [{ type: "any", of: [{ type: "array", dynamic: { type: "any", of: [S] } }, STRING_SET] }],
      result: STRING_SET,
    },
    impl: (args) => {
      const v = args[0] as Value;
      let items: readonly Value[];
      if (Array.isArray(v)) items = v as readonly Value[];
      else if (v instanceof RegoSet) items = v.values();
      else throw operandError(1, "array or set", typeName(v));
      return RegoSet.of(mergeCidrs(items.map(mergeElement)).map(formatCidr));
    },
  },
  {
    name: "net.cidr_contains_matches",
    arity: 2,
    decl: {
      args: [CIDR_COLLECTION, CIDR_COLLECTION],
      result: { type: "set", of: { type: "array", static: [{ type: "any" }, { type: "any" }] } },
    },
    impl: (args) => {
      const cidrs = matchTerms(args[0] as Value, 1);
      const others = matchTerms(args[1] as Value, 2);
      const out = new RegoSet();
      for (const [k1, c] of cidrs) {
        const network = parseCidr(c);
        if (!network) throw new BuiltinError("builtin", `invalid CIDR address: ${c}`);
        for (const [k2, o] of others) {
          if (cidrContains(network, o)) out.add([k1, k2]);
        }
      }
      return out;
    },
  },
];
