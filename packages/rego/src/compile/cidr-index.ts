// Compile stage: the network tests a rule index can select rules by. When many rules of one node
// begin by testing whether an input field's address lies in a constant network
// (`net.cidr_contains("10.3.0.0/16", input.request.remote_ip)`), the networks are grouped by
// address family and prefix length; an address then finds the networks holding it with one
// lookup per prefix length instead of one test per rule. Only a rule's first expression counts:
// when it fails nothing else of the rule runs, so skipping the rule is exactly evaluating it.

import { type IpNetwork, mask, parseCidr, parseIp } from "../builtins/net.js";
import type { Expr, RefTerm, Term } from "../syntax/ast.js";
import type { CompiledRule } from "./compiled-rule.js";

/** A test of an input field's address against a constant network, as the first expression of a rule. */
export interface CidrTest {
  readonly ref: RefTerm;
  readonly network: IpNetwork;
}

/** The networks of one address family and prefix length, by first address. */
interface PrefixGroup<K> {
  readonly prefix: number;
  /** The prefix's mask: an address masked with it is the first address of its network here. */
  readonly mask: K;
  /** Per network, its rules (in source order) and a key naming the list, made once. */
  readonly byBase: Map<K, CidrMatch>;
}

/** The rules that test one field, by the networks holding the field's value. */
export interface CidrTests {
  readonly v4: readonly PrefixGroup<number>[];
  readonly v6: readonly PrefixGroup<bigint>[];
  /** Every rule testing the field, in source order: the candidates when the value is no plain address. */
  readonly all: readonly CompiledRule[];
  /** The rules of several matching networks, merged in source order once per combination. */
  readonly combined: Map<string, CompiledRule[]>;
}

/** The rules whose network holds a value, and a key naming that list (for caches of merged lists). */
export interface CidrMatch {
  readonly key: string;
  readonly rules: CompiledRule[];
}

// Networks are kept per rule: a bound on the lists made at compile time.
const MAX_TESTED = 4096;
// Combinations of matching networks merged and kept: a bound on memory a caller's addresses can grow.
const MAX_COMBINED = 1024;

const NONE: CidrMatch = { key: "#cidr:none", rules: [] };

/**
 * The network test a rule begins with, when its first expression is `net.cidr_contains` (or its
 * alias `net.cidr_overlap`) of a constant, valid network and a ground input ref (`isRef`).
 */
export function cidrTest(rule: CompiledRule, isRef: (t: Term) => t is RefTerm): CidrTest | undefined {
  if (rule.elseRule) return undefined;
  const e: Expr | undefined = rule.body[0];
  if (!e || e.negated || e.with.length > 0 || e.kind.type !== "callexpr") return undefined;
  const { operator: op, args } = e.kind.call;
  // A package function is a `data.` ref once resolved: a `net.` head is the builtin.
  if (op.head.type !== "var" || op.head.name !== "net" || op.path.length !== 1) return undefined;
  const name = op.path[0] as Term;
  if (name.type !== "string" || (name.value !== "cidr_contains" && name.value !== "cidr_overlap"))
    return undefined;
  if (args.length !== 2) return undefined;
  const [cidr, field] = args as [Term, Term];
  if (cidr.type !== "string" || !isRef(field)) return undefined;
  // A network that does not parse fails at each call: such a rule is left to evaluate.
  const network = parseCidr(cidr.value);
  return network === undefined ? undefined : { ref: field, network };
}

/** Groups the tests' networks by address family and prefix length. */
export function buildCidrTests(
  tested: readonly { rule: CompiledRule; test: CidrTest }[],
): CidrTests | undefined {
  if (tested.length > MAX_TESTED) return undefined;
  const v4 = new Map<number, PrefixGroup<number>>();
  const v6 = new Map<number, PrefixGroup<bigint>>();
  for (const { rule, test } of tested) {
    const n = test.network;
    if (n.bits === 32) {
      let group = v4.get(n.prefix);
      if (!group) {
        group = { prefix: n.prefix, mask: n.v4Mask, byBase: new Map() };
        v4.set(n.prefix, group);
      }
      add(group.byBase, n.v4Base, `#cidr:32/${n.prefix}/${n.v4Base}`, rule);
    } else {
      let group = v6.get(n.prefix);
      if (!group) {
        group = { prefix: n.prefix, mask: mask(128, n.prefix), byBase: new Map() };
        v6.set(n.prefix, group);
      }
      add(group.byBase, n.base, `#cidr:128/${n.prefix}/${n.base}`, rule);
    }
  }
  const byOrdinal = (x: CompiledRule, y: CompiledRule) => x.ordinal - y.ordinal;
  for (const group of [...v4.values(), ...v6.values()])
    for (const match of group.byBase.values()) match.rules.sort(byOrdinal);
  const all = tested.map((t) => t.rule).sort(byOrdinal);
  return { v4: [...v4.values()], v6: [...v6.values()], all, combined: new Map() };
}

function add<K>(map: Map<K, CidrMatch>, base: K, key: string, rule: CompiledRule): void {
  const match = map.get(base);
  if (match) match.rules.push(rule);
  else map.set(base, { key, rules: [rule] });
}

/**
 * The rules whose network holds `v`, when `v` is a plain address (IPv4, IPv6 or IPv4-mapped, as
 * the builtin parses it); undefined otherwise: a network (`cidr_contains` also takes one), a
 * malformed string or another type is left to the rules themselves, every one a candidate.
 */
export function cidrMatches(tests: CidrTests, v: unknown): CidrMatch | undefined {
  if (typeof v !== "string") return undefined;
  const ip = parseIp(v);
  if (ip === undefined) return undefined;
  let first: CidrMatch | undefined;
  let more: CidrMatch[] | undefined;
  if (ip.bits === 32) {
    for (const g of tests.v4) {
      // Bitwise operators work on 32 bits: `>>> 0` reads the result back as unsigned.
      const match = g.byBase.get((ip.v4 & g.mask) >>> 0);
      if (match === undefined) continue;
      if (first === undefined) first = match;
      else if (more === undefined) more = [match];
      else more.push(match);
    }
  } else {
    for (const g of tests.v6) {
      const match = g.byBase.get(ip.value & g.mask);
      if (match === undefined) continue;
      if (first === undefined) first = match;
      else if (more === undefined) more = [match];
      else more.push(match);
    }
  }
  if (first === undefined) return NONE;
  if (more === undefined) return first;
  return combine(tests, [first, ...more]);
}

/** The rules of several matches in source order, merged once per combination while few are kept. */
function combine(tests: CidrTests, matches: readonly CidrMatch[]): CidrMatch {
  const key = matches.map((m) => m.key).join("|");
  let rules = tests.combined.get(key);
  if (rules === undefined) {
    rules = matches.flatMap((m) => m.rules).sort((x, y) => x.ordinal - y.ordinal);
    if (tests.combined.size < MAX_COMBINED) tests.combined.set(key, rules);
  }
  return { key, rules };
}
