// Compile stage: the METADATA annotations of every module, indexed as OPA's AnnotationSet
// (v1/ast/annotations.go): `rule` scope by rule, `package` scope by package path, `document`
// and `subpackages` scope in one tree of paths under `data`. The chain of a rule, what
// `rego.metadata.chain()` returns, is read from here.

import type { RegoErrorDetail } from "../errors.js";
import { groundPathKey, groundTermKey, ruleGroundPath } from "../syntax/annotations.js";
import type { Annotations, Module, Term } from "../syntax/ast.js";
import type { Location } from "../syntax/location.js";

/** One link of a rule's chain: a path under `data` and the annotations declared for it, if any. */
export interface ChainLink {
  readonly path: readonly Term[];
  readonly annotations: Annotations | undefined;
}

/** Annotations together with the path of the package or rule they are attached to. */
interface Targeted {
  readonly annotations: Annotations;
  readonly path: readonly Term[];
}

class PathNode {
  value: Targeted | undefined;
  readonly children = new Map<string, PathNode>();
}

/** The annotations of a set of modules, by scope. */
export class AnnotationSet {
  private readonly byRule = new Map<Module, Map<number, Annotations[]>>();
  private readonly byPackage = new Map<string, Targeted>();
  private readonly byPath = new PathNode();

  private constructor() {}

  /**
   * Indexes the annotations of the modules, taken in order of file name as OPA does; a second
   * `package`, `document` or `subpackages` block for the same path is an error
   * (`rego_type_error`, "... annotation redeclared").
   */
  static build(modules: readonly Module[]): { set: AnnotationSet; errors: RegoErrorDetail[] } {
    const set = new AnnotationSet();
    const errors: RegoErrorDetail[] = [];
    const sorted = [...modules].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    for (const m of sorted) {
      for (const a of m.annotations) {
        const clash = set.add(m, a);
        if (clash) {
          errors.push({
            code: "rego_type_error",
            message: `${a.scope} annotation redeclared: ${clash.file}:${clash.row}`,
            location: a.location,
          });
        }
      }
    }
    return { set, errors };
  }

  /** Adds one block; returns the location of the block it clashes with, if any. */
  private add(m: Module, a: Annotations): Location | undefined {
    const target = a.target;
    switch (a.scope) {
      case "rule": {
        if (target.type !== "rule") return undefined;
        let rules = this.byRule.get(m);
        if (!rules) {
          rules = new Map();
          this.byRule.set(m, rules);
        }
        const list = rules.get(target.ruleIndex) ?? [];
        list.push(a);
        rules.set(target.ruleIndex, list);
        return undefined;
      }
      case "package": {
        if (target.type !== "package") return undefined;
        const key = groundPathKey(m.package.path.path);
        const existing = this.byPackage.get(key);
        if (existing) return existing.annotations.location;
        this.byPackage.set(key, { annotations: a, path: m.package.path.path });
        return undefined;
      }
      case "document": {
        const rule = target.type === "rule" ? m.rules[target.ruleIndex] : undefined;
        if (!rule) return undefined;
        return this.insert(ruleGroundPath(m.package, rule, true), a);
      }
      case "subpackages":
        if (target.type !== "package") return undefined;
        return this.insert(m.package.path.path, a);
      default: {
        const never: never = a.scope;
        throw new Error(`unknown annotation scope ${String(never)}`);
      }
    }
  }

  /** Sets the annotations of a path in the tree, unless it has some already. */
  private insert(path: readonly Term[], a: Annotations): Location | undefined {
    let node = this.byPath;
    for (const t of path) {
      const key = groundTermKey(t);
      let child = node.children.get(key);
      if (!child) {
        child = new PathNode();
        node.children.set(key, child);
      }
      node = child;
    }
    // OPA fails (it dereferences a missing value) when a `document` block lands on a path
    // only known as the parent of another one; here the block is simply recorded.
    if (node.value) return node.value.annotations.location;
    node.value = { annotations: a, path };
    return undefined;
  }

  private lookup(path: readonly Term[]): PathNode | undefined {
    let node: PathNode | undefined = this.byPath;
    for (const t of path) {
      node = node.children.get(groundTermKey(t));
      if (!node) return undefined;
    }
    return node;
  }

  /** The `rule`-scoped blocks of a rule, the one declared closest to it first. */
  private ruleScope(m: Module, ruleIndex: number | undefined): Annotations[] {
    if (ruleIndex === undefined) return [];
    const list = [...(this.byRule.get(m)?.get(ruleIndex) ?? [])];
    return list.sort((a, b) => compareLocations(b.location, a.location));
  }

  /**
   * The `rule`-scoped annotations `rego.metadata.rule()` returns: the block closest above the
   * rule. An `else` branch (ruleIndex undefined) has none, as in OPA.
   */
  ruleAnnotations(m: Module, ruleIndex: number | undefined): Annotations | undefined {
    return this.ruleScope(m, ruleIndex)[0];
  }

  /**
   * The chain of a rule (OPA: AnnotationSet.Chain): its `rule`-scoped blocks, closest first (or
   * one link without annotations), then the `document` block of its path, its package's
   * `package` block, and the `subpackages` blocks from its package up to the root.
   */
  chain(m: Module, ruleIndex: number, isElse: boolean): ChainLink[] {
    const rule = m.rules[ruleIndex];
    if (!rule) return [];
    const path = ruleGroundPath(m.package, rule, true);
    const links: ChainLink[] = [];
    const own = this.ruleScope(m, isElse ? undefined : ruleIndex);
    if (own.length === 0) links.push({ path, annotations: undefined });
    for (const a of own) links.push({ path, annotations: a });
    const doc = this.lookup(path)?.value;
    if (doc) links.push({ path: doc.path, annotations: doc.annotations });
    const pkg = this.byPackage.get(groundPathKey(m.package.path.path));
    if (pkg) links.push({ path: pkg.path, annotations: pkg.annotations });
    // Every `subpackages` block on the way from the root to the package, closest first.
    const above: Targeted[] = [];
    let node: PathNode | undefined = this.byPath;
    for (const t of m.package.path.path) {
      node = node.children.get(groundTermKey(t));
      if (!node) break;
      if (node.value) above.push(node.value);
    }
    for (const t of above.reverse()) links.push({ path: t.path, annotations: t.annotations });
    return links;
  }
}

/** OPA's Location.Compare: by file, row, then column. */
function compareLocations(a: Location, b: Location): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.row - b.row || a.col - b.col;
}
