// Domain layer, login policies: policies whose only use of the request's time is its civil time
// (`time.clock`, `time.weekday`, `time.date` of `input.request.timestamp_ns`), as time-window
// policies are. Those builtins change at most once a second, so such a policy decides the same for
// the same caller, address and second. This is the data-flow half of the reuse analysis
// (login-policy-inputs.ts): which refs and builtins a policy reaches comes from the compiled policy;
// here the parsed module is walked, conservatively, to see where the timestamp flows.

import type { Module } from "@keygate/rego";

type Rule = Module["rules"][number];
type Body = Rule["body"];
type Expr = Body[number];
type Term = NonNullable<Rule["head"]["value"]>;

// Builtins whose result, for a timestamp, depends only on the second it falls in.
const CIVIL_TIME = new Set(["time.clock", "time.weekday", "time.date"]);

class NotSecondGranular extends Error {}

/**
 * True when the module reads `input.request.timestamp_ns` only as the argument of a civil-time
 * builtin (directly or through a rule-level alias), reads no other part of the input than the
 * session and the address, never aliases nor imports `input`, and uses no `with`.
 */
export function readsTimestampOnlyAsCivilTime(module: Module): boolean {
  try {
    for (const imp of module.imports) {
      if (imp.path.head.type === "var" && imp.path.head.name === "input") throw new NotSecondGranular();
    }
    for (const rule of module.rules) checkRule(rule);
    return true;
  } catch (e) {
    if (e instanceof NotSecondGranular) return false;
    throw e;
  }
}

function checkRule(rule: Rule): void {
  const aliases = new Set<string>();
  collectAliases(rule.body, aliases);
  const walker = new Walker(aliases, new Set(rule.body));
  walker.body(rule.body);
  const h = rule.head;
  for (const t of [h.key, h.value, ...(h.args ?? []), ...h.ref.path]) if (t) walker.term(t);
  if (rule.elseRule) checkRule(rule.elseRule);
}

/** Variables assigned the request's timestamp (`now := input.request.timestamp_ns`). */
function collectAliases(body: Body, out: Set<string>): void {
  for (const e of body) {
    const alias = aliasOf(e);
    if (alias) out.add(alias);
  }
}

function aliasOf(e: Expr): string | undefined {
  if (e.negated || e.with.length > 0 || e.kind.type !== "callexpr") return undefined;
  const call = e.kind.call;
  const op = call.operator;
  if (op.head.type !== "var" || op.path.length > 0 || (op.head.name !== "assign" && op.head.name !== "eq")) {
    return undefined;
  }
  const [a, b] = call.args as [Term, Term];
  if (a.type === "var" && isTimestamp(b)) return a.name;
  if (b.type === "var" && isTimestamp(a) && op.head.name === "eq") return b.name;
  return undefined;
}

function isTimestamp(t: Term): boolean {
  return (
    t.type === "ref" &&
    t.head.type === "var" &&
    t.head.name === "input" &&
    t.path.length === 2 &&
    t.path[0]?.type === "string" &&
    t.path[0].value === "request" &&
    t.path[1]?.type === "string" &&
    t.path[1].value === "timestamp_ns"
  );
}

function stringPath(t: Extract<Term, { type: "ref" }>): string[] | undefined {
  const out: string[] = [];
  for (const p of t.path) {
    if (p.type !== "string") return undefined;
    out.push(p.value);
  }
  return out;
}

function callName(op: Extract<Term, { type: "ref" }>): string | undefined {
  if (op.head.type !== "var") return undefined;
  const path = stringPath(op);
  return path ? [op.head.name, ...path].join(".") : undefined;
}

/** Walks terms; throws NotSecondGranular at the first use that could depend on more. */
class Walker {
  constructor(
    private readonly aliases: ReadonlySet<string>,
    private readonly topLevel: ReadonlySet<Expr>,
  ) {}

  body(body: Body): void {
    for (const e of body) this.expr(e);
  }

  private expr(e: Expr): void {
    if (e.with.length > 0) throw new NotSecondGranular();
    // Only the rule's own top-level aliases are known; one made in a nested body is walked (and refused).
    const alias = aliasOf(e);
    if (alias !== undefined && this.aliases.has(alias) && this.topLevel.has(e)) return;
    const k = e.kind;
    switch (k.type) {
      case "term":
        this.term(k.term);
        return;
      case "callexpr":
        this.term(k.call);
        return;
      case "some":
        for (const v of k.vars) this.term(v);
        return;
      case "somein":
        for (const t of [k.key, k.value, k.domain]) if (t) this.term(t);
        return;
      case "every":
        for (const t of [k.key, k.value, k.domain]) if (t) this.term(t);
        this.body(k.body);
        return;
      default: {
        const never: never = k;
        throw new Error(`unexpected expression ${String(never)}`);
      }
    }
  }

  term(t: Term): void {
    switch (t.type) {
      case "null":
      case "boolean":
      case "number":
      case "string":
        return;
      case "var":
        if (t.name === "input" || this.aliases.has(t.name)) throw new NotSecondGranular();
        return;
      case "ref":
        this.ref(t);
        return;
      case "array":
      case "set":
        for (const i of t.items) this.term(i);
        return;
      case "object":
        for (const [a, b] of t.entries) {
          this.term(a);
          this.term(b);
        }
        return;
      case "arraycomp":
      case "setcomp":
        this.term(t.term);
        this.body(t.body);
        return;
      case "objectcomp":
        this.term(t.key);
        this.term(t.value);
        this.body(t.body);
        return;
      case "call":
        this.call(t);
        return;
      default: {
        const never: never = t;
        throw new Error(`unexpected term ${String(never)}`);
      }
    }
  }

  private ref(t: Extract<Term, { type: "ref" }>): void {
    if (t.head.type === "var" && t.head.name === "input") {
      const [first, second] = t.path;
      const session = first?.type === "string" && first.value === "session";
      const address =
        first?.type === "string" &&
        first.value === "request" &&
        second?.type === "string" &&
        second.value === "remote_ip";
      if (!session && !address) throw new NotSecondGranular();
      for (const p of t.path) this.term(p);
      return;
    }
    this.term(t.head);
    for (const p of t.path) this.term(p);
  }

  private call(t: Extract<Term, { type: "call" }>): void {
    const name = callName(t.operator);
    if (name !== undefined && CIVIL_TIME.has(name)) {
      const [first, ...rest] = t.args;
      if (first) this.civilTimeArgument(first);
      for (const a of rest) this.term(a);
      return;
    }
    // Which builtins are called (and whether they are deterministic) is the compiled analysis' part.
    if (name === undefined) throw new NotSecondGranular();
    for (const a of t.args) this.term(a);
  }

  /** `ts` or `[ts, tz]` where ts is the request's timestamp (or an alias of it). */
  private civilTimeArgument(t: Term): void {
    if (this.isTimestampOrAlias(t)) return;
    if (t.type === "array" && t.items.length > 0 && this.isTimestampOrAlias(t.items[0] as Term)) {
      for (const i of t.items.slice(1)) this.term(i);
      return;
    }
    this.term(t);
  }

  private isTimestampOrAlias(t: Term): boolean {
    return isTimestamp(t) || (t.type === "var" && this.aliases.has(t.name));
  }
}
