// Compile stage, first pass: resolves every name in a rule or query to what it means.
// Imports and rules of the same package become `data.` refs, bare `input`/`data` become refs,
// and variables declared with `some`, `:=`, `some .. in` or `every` are renamed to names unique
// within their rule, so that nested scopes never capture each other's variables at run time.

import type { RegoErrorDetail } from "../errors.js";
import type {
  Body,
  CallTerm,
  Expr,
  ExprKind,
  RefTerm,
  Rule,
  RuleHead,
  Term,
  VarTerm,
  WithModifier,
} from "../syntax/ast.js";
import type { Location } from "../syntax/location.js";

/** What names mean inside one module: its package, its imports and its package's rules. */
export interface ModuleNames {
  /** Package path below `data`, e.g. ["authz", "login"]. */
  readonly packagePath: readonly string[];
  /** Import alias → the ref it stands for (`data.x.y`, `input.z`). */
  readonly imports: ReadonlyMap<string, RefTerm>;
  /** First segment of every rule name defined in this package (over all its modules). */
  readonly ruleNames: ReadonlySet<string>;
  /**
   * The module follows Rego v1's rules (v1, or v0 with `import rego.v1`): a local named `input`
   * or `data` is an error instead of shadowing the root document.
   */
  readonly regoV1?: boolean;
}

/** Counter shared by a compilation, so renamed variables are unique. */
export interface RenameCounter {
  next: number;
}

class Scope {
  readonly declared = new Map<string, string>();
  readonly assigned = new Set<string>();
  /** The function's arguments (in a rule's own scope). */
  readonly args = new Set<string>();

  constructor(
    readonly parent: Scope | undefined,
    readonly rename: boolean,
  ) {}

  lookup(name: string): string | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const d = s.declared.get(name);
      if (d !== undefined) return d;
    }
    return undefined;
  }
}

/** Whether a variable name was made by the compiler or parser (never shown in bindings). */
export function isGeneratedVar(name: string): boolean {
  return name.startsWith("$") || name.includes("$");
}

/** Resolves names in rules and queries of one module. */
export class Resolver {
  readonly errors: RegoErrorDetail[] = [];

  constructor(
    private readonly names: ModuleNames,
    private readonly counter: RenameCounter,
  ) {}

  /** Resolves a rule (and its else chain); function arguments are declared in its scope. */
  resolveRule(rule: Rule, sharedArgs?: readonly Term[]): Rule {
    const scope = new Scope(undefined, true);
    const argsSource = sharedArgs ?? rule.head.args;
    let args: Term[] | undefined;
    if (argsSource) {
      for (const a of argsSource) this.declarePattern(a, scope, false);
      for (const a of argsSource) this.collectArgNames(a, scope.args);
      args = argsSource.map((a) => this.term(a, scope));
    }
    const body = this.body(rule.body, scope);
    const h = rule.head;
    const head: RuleHead = {
      ref: { ...h.ref, path: h.ref.path.map((p) => this.term(p, scope)) },
      args,
      key: h.key && this.term(h.key, scope),
      value: h.value && this.term(h.value, scope),
      assign: h.assign,
      location: h.location,
    };
    const elseRule = rule.elseRule ? this.resolveRule(rule.elseRule, argsSource) : undefined;
    return { ...rule, head, body, elseRule };
  }

  /** Resolves a query; top-level variables keep their names (they are the result's bindings). */
  resolveQuery(body: Body): Body {
    return this.body(body, new Scope(undefined, false));
  }

  private body(body: Body, scope: Scope): Body {
    return body.map((e) => this.expr(e, scope));
  }

  private expr(e: Expr, scope: Scope): Expr {
    const withs = e.with.map((w) => this.with(w, scope));
    const kind = this.exprKind(e.kind, scope, e.location);
    return { ...e, kind, with: withs };
  }

  private exprKind(k: ExprKind, scope: Scope, location: Location): ExprKind {
    switch (k.type) {
      case "term":
        return { type: "term", term: this.term(k.term, scope) };
      case "callexpr":
        return { type: "callexpr", call: this.callExpr(k.call, scope) };
      case "some":
        for (const v of k.vars) this.declareSome(v, scope);
        return { type: "some", vars: k.vars.map((v) => this.term(v, scope) as VarTerm) };
      case "somein": {
        const domain = this.term(k.domain, scope);
        if (k.key) this.declareSomeIn(k.key, scope);
        this.declareSomeIn(k.value, scope);
        return {
          type: "somein",
          key: k.key && this.term(k.key, scope),
          value: this.term(k.value, scope),
          domain,
        };
      }
      case "every": {
        const domain = this.term(k.domain, scope);
        const inner = new Scope(scope, true);
        if (k.key) this.declare(k.key, inner, false);
        this.declare(k.value, inner, false);
        const key = k.key && (this.term(k.key, inner) as VarTerm);
        const value = this.term(k.value, inner) as VarTerm;
        return { type: "every", key, value, domain, body: this.body(k.body, inner) };
      }
      default: {
        const never: never = k;
        throw new Error(`unknown expression at ${location.row}: ${String(never)}`);
      }
    }
  }

  private callExpr(call: CallTerm, scope: Scope): CallTerm {
    const op = call.operator;
    if (
      op.head.type === "var" &&
      op.path.length === 0 &&
      op.head.name === "assign" &&
      call.args.length === 2
    ) {
      const [lhs, rhs] = call.args as [Term, Term];
      const r = this.term(rhs, scope);
      this.declarePattern(lhs, scope, true);
      return { ...call, args: [this.term(this.rootAsVar(lhs), scope), r] };
    }
    return this.call(call, scope);
  }

  private call(call: CallTerm, scope: Scope): CallTerm {
    return {
      ...call,
      operator: this.operator(call.operator),
      args: call.args.map((a) => this.term(a, scope)),
    };
  }

  /** A call's operator: a package function becomes a `data.` ref; builtins stay as written. */
  private operator(op: RefTerm): RefTerm {
    if (op.head.type !== "var") return op;
    const name = op.head.name;
    const imp = this.names.imports.get(name);
    if (imp) return { ...op, head: imp.head, path: [...imp.path, ...op.path] };
    if (this.names.ruleNames.has(name)) return this.packageRef(name, op.path, op.location);
    return op;
  }

  private with(w: WithModifier, scope: Scope): WithModifier {
    const target = w.target;
    let resolved: RefTerm = target;
    if (target.head.type === "var" && target.head.name !== "input" && target.head.name !== "data") {
      resolved = this.operator(target);
    }
    return { ...w, target: resolved, value: this.term(w.value, scope) };
  }

  private packageRef(name: string, rest: readonly Term[], location: Location): RefTerm {
    const path: Term[] = [...this.names.packagePath, name].map((s) => ({
      type: "string",
      value: s,
      location,
    }));
    return {
      type: "ref",
      head: { type: "var", name: "data", location },
      path: [...path, ...rest],
      location,
    };
  }

  /** Resolves a term. */
  term(t: Term, scope: Scope): Term {
    switch (t.type) {
      case "null":
      case "boolean":
      case "number":
      case "string":
        return t;
      case "var":
        return this.varTerm(t, scope);
      case "ref": {
        const path = t.path.map((p) => this.term(p, scope));
        const head = t.head.type === "var" ? this.varTerm(t.head, scope) : this.term(t.head, scope);
        if (head.type === "ref") return { ...t, head: head.head, path: [...head.path, ...path] };
        // A bare `input`/`data` declared as a local (v0 `input := 1`) is that local.
        if (path.length === 0 && head.type === "var") return head;
        return { ...t, head, path };
      }
      case "array":
        return { ...t, items: t.items.map((i) => this.term(i, scope)) };
      case "set":
        return { ...t, items: t.items.map((i) => this.term(i, scope)) };
      case "object":
        return {
          ...t,
          entries: t.entries.map(([k, v]) => [this.term(k, scope), this.term(v, scope)] as const),
        };
      case "arraycomp":
      case "setcomp": {
        const inner = new Scope(scope, true);
        const body = this.body(t.body, inner);
        return { ...t, body, term: this.term(t.term, inner) };
      }
      case "objectcomp": {
        const inner = new Scope(scope, true);
        const body = this.body(t.body, inner);
        return { ...t, body, key: this.term(t.key, inner), value: this.term(t.value, inner) };
      }
      case "call":
        return this.call(t, scope);
      default: {
        const never: never = t;
        return never;
      }
    }
  }

  private varTerm(v: VarTerm, scope: Scope): Term {
    const name = v.name;
    const local = scope.lookup(name);
    if (local !== undefined) return local === name ? v : { ...v, name: local };
    if (name === "input" || name === "data") return { type: "ref", head: v, path: [], location: v.location };
    const imp = this.names.imports.get(name);
    if (imp) return { ...imp, location: v.location };
    if (this.names.ruleNames.has(name)) return this.packageRef(name, [], v.location);
    return v;
  }

  private declare(v: VarTerm, scope: Scope, assign: boolean): void {
    if (v.name.startsWith("$")) {
      scope.declared.set(v.name, v.name);
      return;
    }
    if (assign) {
      if (scope.args.has(v.name)) {
        this.error(`arg ${v.name} redeclared`, v.location);
      } else if (scope.assigned.has(v.name)) {
        this.errors.push({
          code: "rego_compile_error",
          message: `var ${v.name} assigned above`,
          location: v.location,
        });
      }
      scope.assigned.add(v.name);
    }
    if (scope.declared.has(v.name)) return;
    const renamed = scope.rename ? `${v.name}$${this.counter.next++}` : v.name;
    scope.declared.set(v.name, renamed);
  }

  /**
   * Declares the variables of a pattern. The left of `:=` may hold only variables, arrays and
   * objects of them (OPA: "cannot assign to number"); `input`/`data` there declare a local of
   * that name in v0 and are an error in v1.
   */
  private declarePattern(t: Term, scope: Scope, assign: boolean): void {
    switch (t.type) {
      case "var":
        this.declare(t, scope, assign);
        return;
      case "array":
        for (const i of t.items) this.declarePattern(i, scope, assign);
        return;
      case "object":
        for (const [, v] of t.entries) this.declarePattern(v, scope, assign);
        return;
      case "ref": {
        const root = rootVar(t);
        if (root !== undefined && (assign || this.names.regoV1 !== true)) {
          if (this.names.regoV1 === true) {
            this.error(
              `variables must not shadow ${root.name} (use a different variable name)`,
              root.location,
            );
          } else this.declare(root, scope, assign);
          return;
        }
        if (assign) this.error("cannot assign to ref", t.location);
        return;
      }
      default:
        if (assign) this.error(`cannot assign to ${assignedTypeName(t)}`, t.location);
        return;
    }
  }

  /** `some x`: a variable assigned above in the same scope cannot be declared again. */
  private declareSome(v: VarTerm, scope: Scope): void {
    if (!v.name.startsWith("$") && scope.assigned.has(v.name)) {
      this.error(`var ${v.name} assigned above`, v.location);
    }
    this.declare(v, scope, false);
  }

  /** The variables of `some k, v in xs`, checked like `some x`. */
  private declareSomeIn(t: Term, scope: Scope): void {
    const names = new Set<string>();
    this.collectArgNames(t, names);
    for (const name of names) {
      if (scope.assigned.has(name)) this.error(`var ${name} assigned above`, t.location);
    }
    this.declarePattern(t, scope, false);
  }

  /** The variables of an argument pattern. */
  private collectArgNames(t: Term, out: Set<string>): void {
    switch (t.type) {
      case "var":
        if (!t.name.startsWith("$")) out.add(t.name);
        return;
      case "array":
        for (const i of t.items) this.collectArgNames(i, out);
        return;
      case "object":
        for (const [, v] of t.entries) this.collectArgNames(v, out);
        return;
      default:
        return;
    }
  }

  /** `input`/`data` written as the target of `:=` in v0: the local variable of that name. */
  private rootAsVar(t: Term): Term {
    if (this.names.regoV1 === true) return t;
    switch (t.type) {
      case "ref":
        return rootVar(t) ?? t;
      case "array":
        return { ...t, items: t.items.map((i) => this.rootAsVar(i)) };
      case "object":
        return { ...t, entries: t.entries.map(([k, v]) => [k, this.rootAsVar(v)] as const) };
      default:
        return t;
    }
  }

  private error(message: string, location: Location): void {
    this.errors.push({ code: "rego_compile_error", message, location });
  }
}

/** The root variable of a bare `input` or `data` ref (no path). */
function rootVar(t: RefTerm): VarTerm | undefined {
  if (t.path.length > 0 || t.head.type !== "var") return undefined;
  return t.head.name === "input" || t.head.name === "data" ? t.head : undefined;
}

/** OPA's TypeName of a term that cannot be assigned to. */
function assignedTypeName(t: Term): string {
  switch (t.type) {
    case "arraycomp":
      return "arraycomprehension";
    case "setcomp":
      return "setcomprehension";
    case "objectcomp":
      return "objectcomprehension";
    default:
      return t.type;
  }
}
