// Evaluation (the interpreter, over the compiled policy): references into `data` and values.
// `data` refs walk the rule tree alongside the base documents, with `with` overrides applied;
// whole packages are built as values or directly as JSON.

import { type IndexRefReader, type RuleIndex, candidateRules, candidates } from "../compile/rule-index.js";
import type { CompiledRule, RuleNode } from "../compile/rule-tree.js";
import { RegoError } from "../errors.js";
import { NOT_JSON } from "../plan/plan-host.js";
import type { RefTerm, Term } from "../syntax/ast.js";
import { type Json, jsonObject, setJsonKey, toJson } from "../value/json.js";
import { forEachElement, lookup } from "../value/lookup.js";
import { structuralObject } from "../value/path-object.js";
import { RegoObject, type Value, valuesEqual } from "../value/value.js";
import { type Context, type Frame, type LiveSetCache, MISSING } from "./context.js";
import type { VK } from "./evaluation-base.js";
import { setPath } from "./expressions.js";
import { LiveSet, partitionChildren, staticChildren } from "./live-set.js";
import { hasUnbound, NO_POS, TermEvaluation } from "./terms.js";

/** Whether `with` replaces functions in a context. */
function functionsReplaced(c: Context): boolean {
  return c.functionOverrides.size > 0;
}

/** References: `input`, locals, and `data` over rules and base documents. */
export abstract class DataEvaluation extends TermEvaluation {
  protected abstract indexValue(ref: RefTerm, c: Context): Value | undefined;
  /** `indexValue` as a function, for indexes within indexes (made on first use). */
  private indexReader: IndexRefReader<Context> | undefined;

  /** The candidate rules of a rule index in a context (see rule-index.ts). */
  protected indexCandidates(index: RuleIndex, c: Context): readonly CompiledRule[] {
    if (!index.rest && !index.range && !index.cidr) return candidates(index, this.indexValue(index.ref, c));
    this.indexReader ??= (ref, ctx) => this.indexValue(ref, ctx);
    return candidateRules(index, this.indexReader, functionsReplaced, c);
  }
  abstract nodeValue(node: RuleNode, c: Context): Value | undefined;

  // -------------------------------------------------------------------------------------------
  // References

  protected evalRef(ref: RefTerm, f: Frame, c: Context, vk: VK): boolean {
    const head = ref.head;
    if (head.type === "var") {
      switch (head.name) {
        case "input":
          if (c.input === undefined) return false;
          return this.walk(c.input, ref.path, 0, f, c, vk);
        case "data":
          return this.evalData(this.root, this.baseData, [], ref.path, 0, f, c, vk);
        default: {
          const v = f.vals.get(head.name);
          if (v === undefined)
            throw RegoError.of("eval_internal_error", `var ${head.name} is unbound`, head.location);
          return this.walk(v, ref.path, 0, f, c, vk);
        }
      }
    }
    return this.evalTerm(head, f, c, (v) => this.walk(v, ref.path, 0, f, c, vk));
  }

  /** Walks a plain value along a ref path; unbound variables in the path enumerate. */
  protected walk(v: Value, path: readonly Term[], i: number, f: Frame, c: Context, vk: VK): boolean {
    if (i === path.length) return vk(v);
    const p = path[i] as Term;
    if (p.type === "string") {
      const child = lookup(v, p.value);
      return child === undefined ? false : this.walk(child, path, i + 1, f, c, vk);
    }
    if (hasUnbound(p, f)) {
      return forEachElement(v, (key, child) => {
        this.tick(p.location);
        return this.unifyValue(p, key, f, c, () => this.walk(child, path, i + 1, f, c, vk));
      });
    }
    return this.evalTerm(p, f, c, (key) => {
      const child = lookup(v, key);
      return child === undefined ? false : this.walk(child, path, i + 1, f, c, vk);
    });
  }

  /** Walks `data`: the rule tree and base documents side by side. */
  protected evalData(
    node: RuleNode | undefined,
    base: Value | undefined,
    pos: readonly Value[],
    path: readonly Term[],
    i: number,
    f: Frame,
    c: Context,
    vk: VK,
    liveIn?: LiveSet,
  ): boolean {
    const live = liveIn ?? (node?.subtreeIndex ? this.liveNodes(node, c) : undefined);
    if (c.dataOverrides.length > 0) {
      const o = findOverride(c.dataOverrides, pos);
      if (o !== undefined) return this.walk(o, path, i, f, c, vk);
    }
    if (node?.kind !== undefined) {
      const v = this.withOverridesBelow(this.nodeValue(node, c), pos, c);
      return v === undefined ? false : this.walk(v, path, i, f, c, vk);
    }
    if (i === path.length) {
      const v = this.materialize(node, base, pos, c, live);
      return v === undefined ? false : vk(v);
    }
    const p = path[i] as Term;
    const step = (k: Value): boolean => {
      // Base documents and rule paths are keyed by strings: `data.x[2]` means `data.x["2"]`.
      const key =
        typeof k === "number" && !(base !== undefined && lookup(base, k) !== undefined) ? String(k) : k;
      const named = typeof key === "string" ? node?.children.get(key) : undefined;
      const childNode =
        named && (!live || named.kind === undefined || !named.coveredOnly || live.has(named))
          ? named
          : undefined;
      const childBase = base === undefined ? undefined : lookup(base, key);
      const childPos = c.dataOverrides.length > 0 ? [...pos, key] : NO_POS;
      if (!childNode?.hasRules()) {
        if (c.dataOverrides.length > 0 && hasOverrideAtOrBelow(c.dataOverrides, childPos)) {
          return this.evalData(undefined, childBase, childPos, path, i + 1, f, c, vk);
        }
        if (childBase === undefined) return false;
        return childBase instanceof RegoObject
          ? this.evalData(undefined, childBase, childPos, path, i + 1, f, c, vk)
          : this.walk(childBase, path, i + 1, f, c, vk);
      }
      return this.evalData(childNode, childBase, childPos, path, i + 1, f, c, vk, live);
    };
    if (p.type === "string") return step(p.value);
    if (hasUnbound(p, f)) {
      const keys = new Map<string, Value>();
      if (node) {
        for (const [name, child] of node.children) {
          if (
            child.hasRules() &&
            (!live || child.kind === undefined || !child.coveredOnly || live.has(child))
          ) {
            keys.set(name, name);
          }
        }
      }
      if (base instanceof RegoObject)
        for (const key of base.keys())
          if (typeof key !== "string" || !keys.has(key))
            keys.set(typeof key === "string" ? key : `\u0000${keys.size}`, key);
      const sorted = [...keys.values()];
      return sorted.some((key) => this.unifyValue(p, key, f, c, () => step(key)));
    }
    return this.evalTerm(p, f, c, step);
  }

  /** The value of a data node and everything below it, merged with base documents. */
  protected materialize(
    node: RuleNode | undefined,
    base: Value | undefined,
    pos: readonly Value[],
    c: Context,
    liveIn?: LiveSet,
  ): Value | undefined {
    const live = liveIn ?? (node?.subtreeIndex ? this.liveNodes(node, c) : undefined);
    if (c.dataOverrides.length > 0) {
      const o = findOverride(c.dataOverrides, pos);
      if (o !== undefined) return o;
    }
    if (!node?.hasRules()) return this.withOverridesBelow(base, pos, c);
    if (node.kind !== undefined) return this.withOverridesBelow(this.nodeValue(node, c), pos, c);
    // A path node's value depends only on the context when nothing under data is overridden.
    const cacheable = c.dataOverrides.length === 0 && liveIn === undefined;
    if (cacheable) {
      const cached = c.cache.get(node);
      if (cached !== MISSING) return cached as Value | undefined;
    }
    const v = this.materializePath(node, base, pos, c, live);
    if (cacheable) c.cache.set(node, v);
    return v;
  }

  protected materializePath(
    node: RuleNode,
    base: Value | undefined,
    pos: readonly Value[],
    c: Context,
    live: LiveSet | undefined,
  ): Value | undefined {
    const out = structuralObject();
    if (base instanceof RegoObject) for (const e of base.entries()) out.set(e.key, e.value);
    let children: Iterable<readonly [string, RuleNode]> = node.sortedChildren();
    if (live) {
      // Only rules the index selected can be defined: leaves not selected are undefined (and
      // never visited), paths with no selected leaf below are empty objects.
      const { uncovered, coveredPaths } = partitionChildren(node);
      for (const [name, child] of coveredPaths) if (!live.has(child)) out.set(name, structuralObject());
      children = [
        ...uncovered,
        ...coveredPaths.filter(([, child]) => live.has(child)),
        ...live.leavesUnder(node),
      ];
    }
    for (const [name, child] of children) {
      const childPos = c.dataOverrides.length > 0 ? [...pos, name] : NO_POS;
      const v = this.materialize(
        child,
        base === undefined ? undefined : lookup(base, name),
        childPos,
        c,
        live,
      );
      if (v !== undefined) out.set(name, v);
    }
    return this.withOverridesBelow(out, pos, c);
  }

  /**
   * The JSON value of `data` at a path of names that ends above rules, as `dataValue` would
   * give it: walked like `evalData`, then built by `materializeJson`. Undefined when undefined;
   * NOT_JSON where the walk reaches a rule or `with` overrides data (the caller converts).
   */
  dataJson(segs: readonly string[], c: Context): Json | undefined | typeof NOT_JSON {
    if (c.dataOverrides.length > 0) return NOT_JSON;
    let node: RuleNode | undefined = this.root;
    let base: Value | undefined = this.baseData;
    let live: LiveSet | undefined;
    for (let i = 0; ; i++) {
      if (node !== undefined) {
        if (node.kind !== undefined) return NOT_JSON;
        live ??= node.subtreeIndex ? this.liveNodes(node, c) : undefined;
      }
      if (i === segs.length) return this.materializeJson(node, base, c, live);
      const key = segs[i] as string;
      const named: RuleNode | undefined = node?.children.get(key);
      const child: RuleNode | undefined =
        named && (!live || named.kind === undefined || !named.coveredOnly || live.has(named))
          ? named
          : undefined;
      base = base === undefined ? undefined : lookup(base, key);
      if (!child?.hasRules()) {
        // Base documents only from here down.
        if (base === undefined) return undefined;
        node = undefined;
        live = undefined;
      } else node = child;
    }
  }

  /** The JSON value of a package node with no base document at its path (a plan's). */
  packageJson(node: RuleNode, c: Context): Json | undefined {
    return this.materializeJson(node, undefined, c, undefined);
  }

  /**
   * `materialize` as JSON, built directly, in a context without data overrides: the value of a
   * node and everything below it, merged with base documents, in key order. The value of a query
   * of a whole package, where building the object would only be converted.
   */
  materializeJson(
    node: RuleNode | undefined,
    base: Value | undefined,
    c: Context,
    liveIn: LiveSet | undefined,
  ): Json | undefined {
    if (!node?.hasRules()) return base === undefined ? undefined : toJson(base);
    if (node.kind !== undefined) {
      const v = this.nodeValue(node, c);
      return v === undefined ? undefined : toJson(v);
    }
    const live = liveIn ?? (node.subtreeIndex ? this.liveNodes(node, c) : undefined);
    if (liveIn === undefined) {
      const cached = c.cache.get(node);
      if (typeof cached !== "symbol") return cached === undefined ? undefined : toJson(cached);
    }
    if (base === undefined && live === undefined) {
      // A package: its children with rules, already in key order.
      const out = jsonObject();
      const { names, nodes } = node.ruleChildren();
      for (let i = 0; i < names.length; i++) {
        const name = names[i] as string;
        const child = nodes[i] as RuleNode;
        // A rule: straight to its value (this runs for every rule of a queried package).
        if (child.kind !== undefined) {
          this.setRuleJson(out, name, child, c);
          continue;
        }
        const v = this.materializeJson(child, undefined, c, undefined);
        if (v !== undefined) setJsonKey(out, name, v);
      }
      return out;
    }
    if (base === undefined && live !== undefined) return this.liveJson(node, c, live);
    // As materializePath: base's keys, then empty objects for paths the index ruled out, then
    // the children's values (replacing base's at the same key).
    const entries = new Map<string, Json>();
    if (base instanceof RegoObject) {
      for (const e of base.entries()) {
        if (typeof e.key !== "string")
          return toJson(this.materialize(node, base, NO_POS, c, liveIn) as Value);
        entries.set(e.key, toJson(e.value));
      }
    }
    let children: Iterable<readonly [string, RuleNode]> = node.sortedChildren();
    if (live) {
      const { uncovered, coveredPaths } = partitionChildren(node);
      for (const [name, child] of coveredPaths) if (!live.has(child)) entries.set(name, {});
      children = [
        ...uncovered,
        ...coveredPaths.filter(([, child]) => live.has(child)),
        ...live.leavesUnder(node),
      ];
    }
    for (const [name, child] of children) {
      const v = this.materializeJson(child, base === undefined ? undefined : lookup(base, name), c, live);
      if (v !== undefined) entries.set(name, v);
    }
    const out = jsonObject();
    for (const key of [...entries.keys()].sort()) setJsonKey(out, key, entries.get(key) as Json);
    return out;
  }

  /**
   * `materializeJson` of a node under a subtree index, without base documents: the children that
   * are there whatever the input (a covered path the index ruled out is an empty object), merged
   * in key order with the few leaves the index left live.
   */
  protected liveJson(node: RuleNode, c: Context, live: LiveSet): Json {
    const out = jsonObject();
    const leaves = live.sortedLeavesUnder(node);
    let j = 0;
    for (const [name, child] of staticChildren(node)) {
      for (let leaf = leaves[j]; leaf !== undefined && leaf[0] < name; leaf = leaves[++j]) {
        this.setRuleJson(out, leaf[0], leaf[1], c);
      }
      const v = child.coveredOnly && !live.has(child) ? {} : this.materializeJson(child, undefined, c, live);
      if (v !== undefined) setJsonKey(out, name, v);
    }
    for (let leaf = leaves[j]; leaf !== undefined; leaf = leaves[++j])
      this.setRuleJson(out, leaf[0], leaf[1], c);
    return out;
  }

  /** Sets `name` in a JSON object being built to a rule node's value, unless it is undefined. */
  protected setRuleJson(out: { [key: string]: Json }, name: string, rule: RuleNode, c: Context): void {
    const v = this.nodeValue(rule, c);
    if (v !== undefined) setJsonKey(out, name, toJson(v));
  }

  /**
   * The value of a node above rules (a package) with no base document at its path, not itself
   * under a subtree index: an object of its children's values, in key order.
   */
  packageValue(node: RuleNode, c: Context): Value {
    const cached = c.cache.get(node);
    if (cached !== MISSING) return cached as Value;
    const out = structuralObject();
    for (const [name, child] of node.sortedChildren()) {
      if (!child.hasRules()) continue;
      let v: Value | undefined;
      if (child.kind !== undefined) v = this.nodeValue(child, c);
      else if (child.subtreeIndex) v = this.materialize(child, undefined, NO_POS, c);
      else v = this.packageValue(child, c);
      if (v !== undefined) out.set(name, v);
    }
    c.cache.set(node, out);
    return out;
  }

  /** The nodes below a subtree-indexed node whose rules may be defined for this input. */
  protected liveNodes(node: RuleNode, c: Context): LiveSet {
    const sub = node.subtreeIndex as NonNullable<RuleNode["subtreeIndex"]>;
    const live: LiveSetCache = c.live ?? new Map();
    if (!c.live) (c as { live?: LiveSetCache }).live = live;
    const cached = live.get(node);
    if (cached) return cached;
    const out = new LiveSet();
    for (const rule of this.indexCandidates(sub.index, c)) {
      const steps = sub.stepsOf.get(rule);
      if (!steps) continue;
      for (const [parent, seg, child] of steps) out.add(parent, seg, child);
    }
    live.set(node, out);
    return out;
  }

  protected withOverridesBelow(v: Value | undefined, pos: readonly Value[], c: Context): Value | undefined {
    if (c.dataOverrides.length === 0) return v;
    let out = v;
    for (const o of c.dataOverrides) {
      if (o.path.length > pos.length && pos.every((p, j) => valuesEqual(p, o.path[j] as Value))) {
        out = setPath(out, o.path.slice(pos.length), o.value);
      }
    }
    return out;
  }
}

function findOverride(
  overrides: readonly { readonly path: readonly Value[]; readonly value: Value }[],
  pos: readonly Value[],
): Value | undefined {
  for (let j = overrides.length - 1; j >= 0; j--) {
    const o = overrides[j] as { path: readonly Value[]; value: Value };
    if (o.path.length === pos.length && o.path.every((p, n) => valuesEqual(p, pos[n] as Value)))
      return o.value;
  }
  return undefined;
}

function hasOverrideAtOrBelow(
  overrides: readonly { readonly path: readonly Value[] }[],
  pos: readonly Value[],
): boolean {
  return overrides.some(
    (o) => o.path.length >= pos.length && pos.every((p, n) => valuesEqual(p, o.path[n] as Value)),
  );
}
