// Differential testing, generator: renders a generated tree as Rego v1 source. Variable
// references pick among the variables bound at that point (a constant when there are none),
// rule references among the module's rules, builtin calls among the sampled builtins.

import { NUMBERS, STRINGS, type SampledBuiltin, SeededChoice, valueOfType } from "./builtin-sample.js";
import type { GenBody, GenCase, GenElse, GenLiteral, GenRule, GenTerm } from "./generated-module.js";

/** The package every generated module declares; the query is `data.<package>`. */
export const GENERATED_PACKAGE = "gen";

const COMPLETE_NAMES = ["p", "q", "r", "t"];
const SET_NAMES = ["s", "t"];
const OBJECT_NAMES = ["o", "t"];
const FUNCTION_NAMES = ["f", "g"];
const REF_HEAD_PATHS = ["a.b", "a.c", "a"];

/** Renders a generated case's module. */
export function renderModule(c: GenCase, builtins: readonly SampledBuiltin[]): string {
  const r = new Renderer(c.rules, builtins);
  return `package ${GENERATED_PACKAGE}\n\n${c.rules.map((rule) => r.rule(rule)).join("\n\n")}\n`;
}

class Renderer {
  private vars: string[] = [];
  private counter = 0;

  constructor(
    private readonly rules: readonly GenRule[],
    private readonly builtins: readonly SampledBuiltin[],
  ) {}

  rule(rule: GenRule): string {
    this.vars = [];
    this.counter = 0;
    switch (rule.k) {
      case "complete": {
        const name = pick(COMPLETE_NAMES, rule.name);
        if (rule.value === undefined)
          return rule.body.length === 0 ? `${name} := true` : `${name}${this.ifBody(rule.body)}`;
        const body = this.ifBody(rule.body);
        const value = this.term(rule.value);
        return `${name} := ${value}${body}${rule.body.length > 0 ? this.elses(rule.elses) : ""}`;
      }
      case "default":
        return `default ${pick(COMPLETE_NAMES, rule.name)} := ${valueOfType({ type: "any" }, new SeededChoice(rule.seed), false)}`;
      case "set": {
        const body = this.ifBody(rule.body);
        return `${pick(SET_NAMES, rule.name)} contains ${this.term(rule.key)}${body}`;
      }
      case "object": {
        const body = this.ifBody(rule.body);
        return `${pick(OBJECT_NAMES, rule.name)}[${this.term(rule.key)}] := ${this.term(rule.value)}${body}`;
      }
      case "function": {
        const params = Array.from({ length: rule.arity }, () => this.bind());
        const body = this.ifBody(rule.body);
        const value = this.term(rule.value);
        const elses = rule.body.length > 0 ? this.elses(rule.elses) : "";
        return `${pick(FUNCTION_NAMES, rule.name)}(${params.join(", ")}) := ${value}${body}${elses}`;
      }
      case "ref-head": {
        const path = pick(REF_HEAD_PATHS, rule.path);
        const body = this.ifBody(rule.body);
        const key = rule.varKey ? `[${this.term({ t: "var", n: 0 })}]` : "";
        const value = this.term(rule.value);
        return rule.multi ? `${path}${key} contains ${value}${body}` : `${path}${key} := ${value}${body}`;
      }
    }
  }

  private elses(elses: readonly GenElse[]): string {
    const saved = this.vars.length;
    const out: string[] = [];
    for (const e of elses) {
      this.vars.length = saved;
      const body = this.ifBody(e.body);
      out.push(` else := ${this.term(e.value)}${body}`);
      // An `else` without a body ends the chain.
      if (e.body.length === 0) break;
    }
    this.vars.length = saved;
    return out.join("");
  }

  private ifBody(body: GenBody): string {
    if (body.length === 0) return "";
    return ` if {\n${body.map((l) => `  ${this.literal(l)}`).join("\n")}\n}`;
  }

  private inlineBody(body: GenBody): string {
    return body.length === 0 ? "true" : body.map((l) => this.literal(l)).join("; ");
  }

  private bind(): string {
    const v = `v${this.counter++}`;
    this.vars.push(v);
    return v;
  }

  private literal(l: GenLiteral): string {
    switch (l.l) {
      case "assign": {
        const value = this.term(l.term);
        return `${this.bind()} := ${value}`;
      }
      case "term":
        return this.term(l.term);
      case "compare":
        return `${this.term(l.a)} ${l.op} ${this.term(l.b)}`;
      case "unify":
        return `${this.term(l.a)} = ${this.term(l.b)}`;
      case "in":
        return `${this.term(l.a)} in ${this.term(l.b)}`;
      case "some": {
        const source = this.term(l.source);
        return l.pair
          ? `some ${this.bind()}, ${this.bind()} in ${source}`
          : `some ${this.bind()} in ${source}`;
      }
      case "not": {
        const saved = this.vars.length;
        // `not some` and `not every` do not parse: negate their source instead.
        // An assignment under `not` is refused by OPA: kept only now and then (from a variable),
        // else its value is negated, so that most modules compile.
        const inner =
          l.inner.l === "some" || l.inner.l === "every"
            ? this.term(l.inner.source)
            : l.inner.l === "not"
              ? this.literal(l.inner.inner)
              : l.inner.l === "assign" && l.inner.term.t !== "var"
                ? this.term(l.inner.term)
                : this.literal(l.inner);
        this.vars.length = saved;
        return `not ${inner}`;
      }
      case "every": {
        const source = this.term(l.source);
        const saved = this.vars.length;
        const vars = l.pair ? `${this.bind()}, ${this.bind()}` : this.bind();
        // An unused `every` variable is refused by OPA: an empty body tests the value instead.
        const body =
          l.body.length === 0 ? (this.vars[this.vars.length - 1] as string) : this.inlineBody(l.body);
        this.vars.length = saved;
        return `every ${vars} in ${source} { ${body} }`;
      }
      case "with": {
        const inner = this.literal(l.inner);
        const target =
          l.target.k === "input"
            ? l.target.key === undefined
              ? "input"
              : `input.${l.target.key}`
            : this.ruleRef(l.target.n, 0, false);
        return `${inner} with ${target} as ${this.term(l.value)}`;
      }
    }
  }

  private term(t: GenTerm): string {
    switch (t.t) {
      case "number":
        return pick(NUMBERS, t.n);
      case "string":
        return JSON.stringify(pick(STRINGS, t.n));
      case "bool":
        return String(t.v);
      case "null":
        return "null";
      case "input":
        return `input${t.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("")}`;
      case "var":
        // Counted from the latest binding, so that what was just bound tends to be used.
        return this.vars.length === 0
          ? pick(NUMBERS, t.n)
          : (this.vars[this.vars.length - 1 - (t.n % this.vars.length)] as string);
      case "free":
        return `z${t.n}`;
      case "rule":
        return this.ruleRef(t.n, t.arg, true);
      case "array":
        return `[${t.items.map((x) => this.term(x)).join(", ")}]`;
      case "set":
        return t.items.length === 0 ? "set()" : `{${t.items.map((x) => this.term(x)).join(", ")}}`;
      case "object":
        return `{${t.entries.map(([k, v]) => `${this.term(k)}: ${this.term(v)}`).join(", ")}}`;
      case "arith":
        return `(${this.term(t.a)} ${t.op} ${this.term(t.b)})`;
      case "ref": {
        // Only variables, references, calls and composites can be indexed; scalars become input.
        const rendered = ["number", "string", "bool", "null", "arith"].includes(t.base.t)
          ? "input"
          : this.term(t.base);
        const base = /^[-\d"]|^(true|false|null)$/.test(rendered) ? "input" : rendered;
        return `${base}[${this.term(t.key)}]`;
      }
      case "call":
        return this.call(t);
      case "compr": {
        const saved = this.vars.length;
        const body = this.inlineBody(t.body);
        const head = this.term(t.head);
        const out =
          t.kind === "array"
            ? `[${head} | ${body}]`
            : t.kind === "set"
              ? `{${head} | ${body}}`
              : `{${head}: ${this.term(t.value)} | ${body}}`;
        this.vars.length = saved;
        return out;
      }
    }
  }

  private call(t: Extract<GenTerm, { t: "call" }>): string {
    const b = this.builtins[t.builtin % Math.max(1, this.builtins.length)];
    if (b === undefined) return "null";
    // Four generated arguments for a builtin of fewer: one too many, to provoke arity errors.
    const n = t.args.length === 4 && b.args.length < 4 ? b.args.length + 1 : b.args.length;
    const args: string[] = [];
    for (let i = 0; i < n; i++) {
      const a = t.args[i];
      const declared = b.args[i] ?? { type: "any" };
      if (a === undefined) args.push(valueOfType(declared, new SeededChoice(i + 1), b.sizeSensitive));
      else if ("typed" in a) args.push(valueOfType(declared, new SeededChoice(a.typed), b.sizeSensitive));
      else
        args.push(b.sizeSensitive ? valueOfType(declared, new SeededChoice(i + 7), true) : this.term(a.free));
    }
    return `${b.name}(${args.join(", ")})`;
  }

  /** A reference to the n-th rule: its name, a call for a function, a `data.gen...` path now and then. */
  private ruleRef(n: number, arg: number, allowCall: boolean): string {
    const rule = this.rules[n % Math.max(1, this.rules.length)];
    if (rule === undefined) return "null";
    const full = arg % 2 === 1;
    const path = (name: string) => (full ? `data.${GENERATED_PACKAGE}.${name}` : name);
    switch (rule.k) {
      case "complete":
      case "default":
        return path(pick(COMPLETE_NAMES, rule.name));
      case "set":
        return path(pick(SET_NAMES, rule.name));
      case "object":
        return path(pick(OBJECT_NAMES, rule.name));
      case "ref-head":
        return path(pick(REF_HEAD_PATHS, rule.path));
      case "function": {
        const name = path(pick(FUNCTION_NAMES, rule.name));
        if (!allowCall) return name;
        const args = Array.from({ length: rule.arity }, (_, i) =>
          this.vars.length > 0 && (arg >> (i + 1)) % 2 === 1
            ? (this.vars[(arg >> 2) % this.vars.length] as string)
            : pick(NUMBERS, (arg >> (i + 2)) % 8),
        );
        return `${name}(${args.join(", ")})`;
      }
    }
  }
}

function pick<T>(xs: readonly T[], n: number): T {
  return xs[n % xs.length] as T;
}
