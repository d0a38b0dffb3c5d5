// Compile stage: turns parsed modules into a rule tree ready for evaluation. Resolves names,
// replaces `rego.metadata` calls by the annotations they read, orders bodies (safety), checks
// calls against builtins and functions, detects recursion and conflicting rules, and builds
// rule indexes. Every problem is reported as an error value; as OPA's compiler stops after its
// first stage with errors, only that stage's errors are reported (stage-errors.ts).

import type { BuiltinDefinition } from "../builtins/builtin.js";
import type { RegoErrorDetail } from "../errors.js";
import type { Body, CallTerm, Expr, Module, RefTerm, Rule, Term } from "../syntax/ast.js";
import { builtinArity } from "../builtins/special-builtins.js";
import { isGround } from "../syntax/term-facts.js";
import { AnnotationSet } from "./annotation-set.js";
import { rewriteMetadataCalls } from "./metadata-calls.js";
import { checkMembership, checkUnification } from "./match-check.js";
import { rewriteNegatedCalls, rewriteNegatedCallsInQuery } from "./negated-calls.js";
import { checkRecursion } from "./recursion.js";
import { type ModuleNames, type RenameCounter, Resolver } from "./resolve.js";
import { buildRuleIndex } from "./rule-index.js";
import { checkArgTypes, literalTypes, RuleTypes, type TermTypes } from "./type-check.js";
import { type CompiledRule, draft, type PathStep, type RuleKind, RuleNode, splitHeadRef } from "./rule-tree.js";
import { exprVars, SafetyChecker, termVars } from "./safety.js";
import { StageErrors } from "./stage-errors.js";
import { checkDeprecatedCalls, checkRootShadowingRule, followsRegoV1 } from "./v1-strictness.js";

/** The result of compiling a set of modules. */
export interface CompiledPolicy {
  readonly root: RuleNode;
  readonly modules: readonly Module[];
  /** Builtins (by name) this policy may call. */
  readonly builtins: ReadonlyMap<string, BuiltinDefinition>;
  /** The types of its rules, as far as the type checker knows them (for checking queries). */
  readonly types: RuleTypes;
}

/** A compiled query: its ordered body and the variables it reports. */
export interface CompiledQuery {
  readonly body: Body;
  /** The query's own variables, in order of first appearance. */
  readonly vars: readonly string[];
}

/** Compiles modules; returns the policy or every error found. */
export function compileModules(
  modules: readonly Module[],
  builtins: ReadonlyMap<string, BuiltinDefinition>,
): { policy: CompiledPolicy; errors: readonly RegoErrorDetail[] } {
  const stages = new StageErrors();
  // What OPA finds before it checks rule conflicts: names, imports, annotations, metadata calls.
  const errors: RegoErrorDetail[] = [];
  // Calls to builtins v1 removed, which OPA checks last of all.
  const deprecated: RegoErrorDetail[] = [];
  const counter: RenameCounter = { next: 0 };
  const root = new RuleNode([]);

  // Rule names per package, over all modules of the package.
  const ruleNames = new Map<string, Set<string>>();
  for (const m of modules) {
    const key = packageKey(m);
    let names = ruleNames.get(key);
    if (!names) {
      names = new Set();
      ruleNames.set(key, names);
    }
    for (const r of m.rules) if (r.head.ref.head.type === "var") names.add(r.head.ref.head.name);
  }

  for (const m of modules) draft(nodeAt(root, packagePath(m))).isPackage = true;

  // METADATA annotations of every module, for `rego.metadata.chain()` and `rego.metadata.rule()`.
  const annotations = AnnotationSet.build(modules);
  errors.push(...annotations.errors);

  // Pass 1: resolve names, then replace the rego.metadata calls by their values.
  const resolved: { rule: Rule; path: string[]; keys: Term[]; module: Module }[] = [];
  for (const m of modules) {
    const regoV1 = followsRegoV1(m);
    const names: ModuleNames = {
      packagePath: packagePath(m),
      imports: importsOf(m, errors),
      ruleNames: ruleNames.get(packageKey(m)) ?? new Set(),
      regoV1,
    };
    const resolver = new Resolver(names, counter);
    m.rules.forEach((r, index) => {
      if (regoV1) {
        const shadowing = checkRootShadowingRule(r);
        if (shadowing) errors.push(shadowing);
      }
      const withMetadata = rewriteMetadataCalls(resolver.resolveRule(r), annotations.set, m, index, errors);
      const rule = rewriteNegatedCalls(withMetadata, counter);
      if (regoV1) checkDeprecatedCalls(rule, deprecated);
      const { staticPath, keys } = splitHeadRef(rule.head.ref);
      resolved.push({ rule, path: [...names.packagePath, ...staticPath], keys, module: m });
    });
    errors.push(...resolver.errors);
  }

  // Declaration errors (`:=` on an argument, a local shadowing `data`) are not followed by what
  // they would cause later (recursion); the later passes need not see such modules.
  stages.add("declarations", errors);
  stages.add("deprecated", deprecated);
  if (stages.failedBy("declarations")) {
    return { policy: { root, modules, builtins, types: new RuleTypes(root) }, errors: stages.reported() };
  }
  const conflicts: RegoErrorDetail[] = [];

  // Function arities, for output arguments and call checks.
  const functionArity = new Map<string, number>();
  for (const r of resolved) {
    if (r.rule.head.args && r.keys.length === 0) functionArity.set(pathName(r.path), r.rule.head.args.length);
  }
  const arityOf = (op: RefTerm): number | undefined => {
    const name = operatorName(op);
    if (name === undefined) return undefined;
    if (name.startsWith("data.")) return functionArity.get(name.slice(5));
    return builtinArity(name, builtins);
  };

  // Pass 2: order bodies, build compiled rules, place them in the tree.
  const safety = new SafetyChecker(arityOf);
  // Keyed defaults seen per node, by their keys' values (see scalarKeys).
  const keyedDefaults = new Map<RuleNode, Set<string>>();
  for (const r of resolved) {
    const node = nodeAt(root, r.path);
    const kind = ruleKind(r.rule, r.keys);
    const compiled = compileRule(r.rule, kind, r.keys, node, safety, `data.${r.path.join(".")}`);
    const defaultKeys = r.rule.isDefault ? scalarKeys(r.keys) : undefined;
    if (defaultKeys !== undefined) {
      // `default p[true] := 1`: OPA's path is static (data.z.p[true]), one default per path.
      // The node holds it among its object rules; its value applies where no rule gives one.
      let seen = keyedDefaults.get(node);
      if (!seen) {
        seen = new Set();
        keyedDefaults.set(node, seen);
      }
      if (seen.has(defaultKeys)) {
        conflicts.push({
          code: "rego_type_error",
          message: `multiple default rules ${node.name}${defaultKeys} found`,
          location: r.rule.location,
        });
        continue;
      }
      seen.add(defaultKeys);
    } else if (r.rule.isDefault) {
      if (node.defaultRule) {
        conflicts.push({
          code: "rego_type_error",
          message: `multiple default rules ${node.name} found`,
          location: r.rule.location,
        });
      }
      draft(node).defaultRule = compiled;
      if (node.kind === undefined) draft(node).kind = kind;
      continue;
    }
    if (node.kind !== undefined && node.kind !== kind) {
      conflicts.push({
        code: "rego_type_error",
        message: `conflicting rules ${node.name} found`,
        location: r.rule.location,
      });
      continue;
    }
    draft(node).kind = kind;
    draft(node).rules.push(compiled);
  }
  checkTree(root, conflicts);
  stages.add("conflicts", conflicts);
  stages.add("safety", safety.errors);
  const dependencies = checkRecursion(root);
  // As OPA does, rules are checked in dependency order, each rule's type learnt before the rules
  // that read it; a rule whose definitions have errors is not learnt (OPA types it as any).
  const types = new RuleTypes(root);
  const scope: CallScope = { arityOf, builtins, types };
  const definitionsAt = new Map<RuleNode, Rule[]>();
  for (const r of resolved) {
    const node = nodeAt(root, r.path);
    const rules = definitionsAt.get(node);
    if (rules) rules.push(r.rule);
    else definitionsAt.set(node, [r.rule]);
  }
  const callErrors = new Map<Rule, CallErrors>();
  const checkDefinition = (rule: Rule): CallErrors => {
    const found: CallErrors = { calls: [], types: [] };
    checkCalls(rule, scope, found);
    callErrors.set(rule, found);
    return found;
  };
  for (const node of dependencies.order) {
    let clean = true;
    for (const rule of definitionsAt.get(node) ?? []) {
      const found = checkDefinition(rule);
      if (found.calls.length > 0 || found.types.length > 0) clean = false;
    }
    if (clean) types.learn(node);
  }
  // Rules left out of the tree (conflicting ones) too; errors are reported in source order.
  for (const r of resolved) {
    const found = callErrors.get(r.rule) ?? checkDefinition(r.rule);
    stages.add("calls", found.calls);
    stages.add("types", found.types);
  }
  stages.add("recursion", dependencies.errors);
  indexTree(root);
  return { policy: { root, modules, builtins, types }, errors: stages.reported() };
}

/** Compiles a query against a compiled policy. */
export function compileQuery(
  body: Body,
  policy: CompiledPolicy,
): { query: CompiledQuery; errors: readonly RegoErrorDetail[] } {
  const stages = new StageErrors();
  const counter: RenameCounter = { next: 0 };
  const resolver = new Resolver({ packagePath: [], imports: new Map(), ruleNames: new Set() }, counter);
  const resolved = rewriteNegatedCallsInQuery(resolver.resolveQuery(body), counter);
  stages.add("declarations", resolver.errors);
  const functionArity = (op: RefTerm): number | undefined => {
    const name = operatorName(op);
    return name === undefined ? undefined : callArity(policy, name);
  };
  const safety = new SafetyChecker(functionArity);
  const ordered = safety.order(resolved, new Set(), new Set());
  stages.add("safety", safety.errors);
  const scope: CallScope = { arityOf: functionArity, builtins: policy.builtins, types: policy.types };
  const callErrors: CallErrors = { calls: [], types: [] };
  for (const e of resolved) checkExprCalls(e, scope, callErrors);
  stages.add("calls", callErrors.calls);
  stages.add("types", callErrors.types);
  const vars: string[] = [];
  const seen = new Set<string>();
  for (const e of resolved) {
    const vs = new Set<string>();
    collectQueryVars(e, vs);
    for (const v of vs) {
      if (!seen.has(v) && !v.includes("$")) {
        seen.add(v);
        vars.push(v);
      }
    }
  }
  return { query: { body: ordered.body, vars }, errors: stages.reported() };
}

function collectQueryVars(e: Expr, out: Set<string>): void {
  const k = e.kind;
  switch (k.type) {
    case "term":
      termVars(k.term, out, false);
      return;
    case "callexpr":
      termVars(k.call, out, false);
      return;
    case "some":
      for (const v of k.vars) out.add(v.name);
      return;
    case "somein":
      if (k.key) termVars(k.key, out, false);
      termVars(k.value, out, false);
      termVars(k.domain, out, false);
      return;
    case "every":
      termVars(k.domain, out, false);
      return;
    default: {
      const never: never = k;
      throw new Error(`unexpected expression ${String(never)}`);
    }
  }
}

/** The arity of what a call names in a compiled policy: one of its functions, else a builtin. */
export function callArity(policy: CompiledPolicy, name: string): number | undefined {
  if (!name.startsWith("data.")) return builtinArity(name, policy.builtins);
  const node = findNode(policy.root, namePath(name.slice(5)));
  if (node?.kind !== "function") return undefined;
  return node.rules[0]?.args?.length ?? node.defaultRule?.args?.length;
}

/** Finds the node at a path, if any. */
export function findNode(root: RuleNode, path: readonly string[]): RuleNode | undefined {
  let n: RuleNode | undefined = root;
  for (const s of path) {
    n = n.children.get(s);
    if (!n) return undefined;
  }
  return n;
}

/**
 * The dotted name a call operator refers to (`count`, `data.pkg.f`), if it is static. A segment
 * that is not a plain name is written in brackets, as a Rego ref: `data.pkg.f["a.b"]`.
 */
export function operatorName(op: RefTerm): string | undefined {
  if (op.head.type !== "var") return undefined;
  const parts = [op.head.name];
  for (const p of op.path) {
    if (p.type !== "string") return undefined;
    parts.push(p.value);
  }
  return pathName(parts);
}

const PLAIN_SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A path as a dotted name (the inverse of namePath): `a.b`, `f["a.b"]`. */
export function pathName(path: readonly string[]): string {
  let out = "";
  for (const [i, seg] of path.entries()) {
    if (PLAIN_SEGMENT.test(seg)) out += i === 0 ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** The path segments of a dotted name made by pathName (`f["a.b"]` is `f`, `a.b`). */
export function namePath(name: string): string[] {
  if (!name.includes("[")) return name.split(".");
  const out: string[] = [];
  let i = 0;
  while (i < name.length) {
    if (name[i] === ".") i++;
    if (name[i] === "[") {
      // A JSON string in brackets: find its closing quote (escapes skipped).
      let j = i + 2;
      while (j < name.length && name[j] !== '"') j += name[j] === "\\" ? 2 : 1;
      out.push(JSON.parse(name.slice(i + 1, j + 1)) as string);
      i = j + 2;
      continue;
    }
    let j = i;
    while (j < name.length && name[j] !== "." && name[j] !== "[") j++;
    out.push(name.slice(i, j));
    i = j;
  }
  return out;
}

function packagePath(m: Module): string[] {
  return m.package.path.path.map((p) => (p.type === "string" ? p.value : ""));
}

function packageKey(m: Module): string {
  return packagePath(m).join("\u0000");
}

function importsOf(m: Module, errors: RegoErrorDetail[]): Map<string, RefTerm> {
  const out = new Map<string, RefTerm>();
  for (const imp of m.imports) {
    const head = imp.path.head;
    if (head.type !== "var") continue;
    if (head.name !== "data" && head.name !== "input") continue;
    const last = imp.path.path[imp.path.path.length - 1];
    const alias = imp.alias ?? (last?.type === "string" ? last.value : head.name);
    if (out.has(alias)) {
      errors.push({
        code: "rego_compile_error",
        message: `import must not shadow import ${alias}`,
        location: imp.location,
      });
    }
    out.set(alias, imp.path);
  }
  return out;
}

function nodeAt(root: RuleNode, path: readonly string[]): RuleNode {
  let n = root;
  for (const s of path) n = n.child(s);
  return n;
}

/**
 * The keys of a head ref after its leading strings when every one is a scalar literal
 * (`p[true]`, `p[7].q`), written as a path (`[true]["q"]`); else undefined. OPA's rule path is
 * static through such keys, so a default rule may sit there.
 */
function scalarKeys(keys: readonly Term[]): string | undefined {
  if (keys.length === 0) return undefined;
  let out = "";
  for (const k of keys) {
    switch (k.type) {
      case "string":
        out += `[${JSON.stringify(k.value)}]`;
        break;
      case "number":
        out += `[${k.text}]`;
        break;
      case "boolean":
        out += `[${k.value}]`;
        break;
      case "null":
        out += "[null]";
        break;
      default:
        return undefined;
    }
  }
  return out;
}

function ruleKind(rule: Rule, keys: readonly Term[]): RuleKind {
  if (rule.head.args) return "function";
  if (keys.length > 0) return "object";
  return rule.head.key ? "set" : "complete";
}

function compileRule(
  rule: Rule,
  kind: RuleKind,
  keys: readonly Term[],
  node: RuleNode,
  safety: SafetyChecker,
  name: string,
): CompiledRule {
  const bound = new Set<string>();
  for (const a of rule.head.args ?? []) termVars(a, bound, false);
  const outer = new Set<string>(bound);
  for (const k of keys) termVars(k, outer, false);
  if (rule.head.key) termVars(rule.head.key, outer, false);
  if (rule.head.value) termVars(rule.head.value, outer, false);
  const ordered = safety.order(rule.body, bound, outer);
  // Comprehensions in the head are ordered (and checked) like those in the body, closed over
  // what the body binds.
  const scope = new Set(outer);
  for (const e of rule.body) exprVars(e, scope, false);
  const head = (t: Term | undefined) => (t ? safety.orderTerm(t, ordered.bound, scope) : undefined);
  const headKeys = keys.map((k) => head(k) as Term);
  const element = head(rule.head.key);
  const headValue = head(rule.head.value);
  safety.checkHeadTerms([...headKeys, element, headValue], ordered.bound);
  const value: Term = headValue ?? { type: "boolean", value: true, location: rule.head.location };
  const elseRule = rule.elseRule ? compileRule(rule.elseRule, kind, keys, node, safety, name) : undefined;
  return Object.freeze({
    id: node.nextRuleId(),
    kind,
    ordinal: node.rules.length,
    keys: headKeys,
    element,
    value,
    groundValue: isGround(value) && value.type !== "ref" && value.type !== "call",
    groundKeys: headKeys.every((k) => isGround(k) && k.type !== "ref" && k.type !== "call"),
    args: rule.head.args,
    body: ordered.body,
    elseRule,
    isDefault: rule.isDefault,
    location: rule.location,
    name,
  });
}

function checkTree(node: RuleNode, errors: RegoErrorDetail[]): void {
  if (node.kind === "function" && node.rules.length > 1) {
    const arity = node.rules[0]?.args?.length;
    for (const r of node.rules) {
      if (r.args?.length !== arity) {
        errors.push({
          code: "rego_type_error",
          message: `conflicting rules ${node.name} found`,
          location: r.location,
        });
        break;
      }
    }
  }
  if ((node.kind === "complete" || node.kind === "function") && node.children.size > 0) {
    for (const c of node.children.values()) {
      if (c.hasRules()) {
        const loc = node.rules[0]?.location ?? node.defaultRule?.location;
        errors.push({
          code: "rego_type_error",
          message: `rule ${node.name} conflicts with ${c.name}`,
          ...(loc ? { location: loc } : {}),
        });
        break;
      }
    }
  }
  for (const c of node.children.values()) checkTree(c, errors);
}

function indexTree(node: RuleNode, covered = false): void {
  if (node.kind !== "function") draft(node).index = buildRuleIndex(node.rules);
  let coveredBelow = covered;
  if (!covered && node.kind === undefined && node.children.size > 0) {
    const leaves: RuleNode[] = [];
    collectLeaves(node, leaves);
    const stepsOf = new Map<CompiledRule, PathStep[]>();
    for (const leaf of leaves) stepsOf.set(leaf.rules[0] as CompiledRule, stepsTo(node, leaf));
    const index = leaves.length >= 8 ? buildRuleIndex([...stepsOf.keys()]) : undefined;
    if (index) {
      draft(node).subtreeIndex = { index, stepsOf };
      coveredBelow = true;
      markCovered(node, new Set(leaves));
    }
  }
  for (const c of node.children.values()) indexTree(c, coveredBelow);
  draft(node).containsRules = node.hasRules();
  // Their memos are filled now, so that nothing writes to the tree once it is compiled.
  node.sortedChildren();
  node.ruleChildren();
}

/** The steps from a node down to a leaf below it. */
function stepsTo(node: RuleNode, leaf: RuleNode): PathStep[] {
  const steps: PathStep[] = [];
  let n = node;
  for (const seg of leaf.path.slice(node.path.length)) {
    const child = n.children.get(seg);
    if (!child) break;
    steps.push([n, seg, child]);
    n = child;
  }
  return steps;
}

/** Leaves with exactly one plain complete rule: what a subtree index can cover. */
function collectLeaves(node: RuleNode, out: RuleNode[]): void {
  for (const c of node.children.values()) {
    const r = c.rules[0];
    if (
      c.kind === "complete" &&
      c.rules.length === 1 &&
      !c.defaultRule &&
      r &&
      !r.elseRule &&
      c.children.size === 0
    ) {
      out.push(c);
    } else collectLeaves(c, out);
  }
}

function markCovered(node: RuleNode, leaves: ReadonlySet<RuleNode>): boolean {
  let all = node.kind === undefined || leaves.has(node);
  for (const c of node.children.values()) if (!markCovered(c, leaves)) all = false;
  draft(node).coveredOnly = all;
  return all;
}

/** What call checks consult: the arity of what a call names, builtins, and the types of rules. */
interface CallScope {
  readonly arityOf: (op: RefTerm) => number | undefined;
  readonly builtins: ReadonlyMap<string, BuiltinDefinition>;
  readonly types: TermTypes;
}

/**
 * What the call checks find, by OPA's stage: unknown functions and wrong argument counts
 * (CheckUndefinedFuncs, before safety), argument types and match errors (CheckTypes).
 */
interface CallErrors {
  readonly calls: RegoErrorDetail[];
  readonly types: RegoErrorDetail[];
}

function checkCalls(rule: Rule, scope: CallScope, errors: CallErrors): void {
  for (const e of rule.body) checkExprCalls(e, scope, errors);
  for (const t of [rule.head.value, rule.head.key, ...(rule.head.args ?? []), ...rule.head.ref.path]) {
    if (t) checkTermCalls(t, scope, errors);
  }
  if (rule.elseRule) checkCalls(rule.elseRule, scope, errors);
}

function checkExprCalls(e: Expr, outer: CallScope, errors: CallErrors): void {
  const replacesData = e.with.some((w) => w.target.head.type === "var" && w.target.head.name === "data");
  const scope = replacesData ? { ...outer, types: literalTypes } : outer;
  const k = e.kind;
  switch (k.type) {
    case "term":
      checkTermCalls(k.term, scope, errors);
      break;
    case "callexpr": {
      checkCall(k.call, scope, errors, true);
      for (const a of k.call.args) checkTermCalls(a, scope, errors);
      const name = operatorName(k.call.operator);
      const [lhs, rhs] = k.call.args;
      if ((name === "eq" || name === "assign") && lhs && rhs && k.call.args.length === 2) {
        const mismatch = checkUnification(lhs, rhs, e.location);
        if (mismatch) errors.types.push(mismatch);
      }
      break;
    }
    case "some":
      break;
    case "somein": {
      for (const t of [k.key, k.value, k.domain]) if (t) checkTermCalls(t, scope, errors);
      const mismatch = checkMembership(k.value, k.domain, e.location);
      if (mismatch) errors.types.push(mismatch);
      break;
    }
    case "every":
      checkTermCalls(k.domain, scope, errors);
      for (const x of k.body) checkExprCalls(x, scope, errors);
      break;
    default: {
      const never: never = k;
      throw new Error(`unexpected expression ${String(never)}`);
    }
  }
  for (const w of e.with) checkTermCalls(w.value, scope, errors);
}

function checkTermCalls(t: Term, scope: CallScope, errors: CallErrors): void {
  switch (t.type) {
    case "call":
      checkCall(t, scope, errors, false);
      for (const a of t.args) checkTermCalls(a, scope, errors);
      return;
    case "ref":
      checkTermCalls(t.head, scope, errors);
      for (const p of t.path) checkTermCalls(p, scope, errors);
      return;
    case "array":
    case "set":
      for (const i of t.items) checkTermCalls(i, scope, errors);
      return;
    case "object":
      for (const [a, b] of t.entries) {
        checkTermCalls(a, scope, errors);
        checkTermCalls(b, scope, errors);
      }
      return;
    case "arraycomp":
    case "setcomp":
      checkTermCalls(t.term, scope, errors);
      for (const e of t.body) checkExprCalls(e, scope, errors);
      return;
    case "objectcomp":
      checkTermCalls(t.key, scope, errors);
      checkTermCalls(t.value, scope, errors);
      for (const e of t.body) checkExprCalls(e, scope, errors);
      return;
    default:
      return;
  }
}

function checkCall(call: CallTerm, scope: CallScope, errors: CallErrors, asExpr: boolean): void {
  const name = operatorName(call.operator);
  if (name === undefined) return;
  if ((name === "eq" || name === "assign") && call.args.length === 2) return;
  if (name === "print") return;
  const arity = scope.arityOf(call.operator);
  if (arity === undefined) {
    errors.calls.push({ code: "rego_type_error", message: `undefined function ${name}`, location: call.location });
    return;
  }
  const n = call.args.length;
  if (n < arity) {
    errors.calls.push({
      code: "rego_type_error",
      message: `${name}: arity mismatch\n\thave: ${n} argument(s)\n\twant: ${arity} argument(s)`,
      location: call.location,
    });
  } else if (n > arity + (asExpr ? 1 : 0)) {
    errors.calls.push({
      code: "rego_type_error",
      message: `${name}: too many arguments\n\thave: ${n} argument(s)\n\twant: ${arity} argument(s)`,
      location: call.location,
    });
  } else {
    const decl = scope.builtins.get(name)?.decl;
    const message = decl ? checkArgTypes(name, decl, call.args, scope.types) : undefined;
    if (message) errors.types.push({ code: "rego_type_error", message, location: call.location });
  }
}
