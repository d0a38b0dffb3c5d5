// Syntax stage, in the module builder: attaches the METADATA blocks read by metadata-block.ts
// to the statements they sit above, as OPA's parseModule does (attachAnnotationsNodes, then
// attachRuleAnnotations): a block belongs to the first statement below its `# METADATA` line,
// takes that statement's default scope when it names none, and must suit it.

import type { RegoErrorDetail } from "../errors.js";
import type { Annotations, AnnotationScope, Package, Rule, Term } from "./ast.js";
import type { MetadataBlock } from "./metadata-block.js";
import { isGround } from "./term-facts.js";

/** A statement of a module, in source order, as far as attaching annotations goes. */
export type AnnotatableStatement =
  | { readonly type: "package"; readonly row: number }
  | { readonly type: "import"; readonly row: number }
  | { readonly type: "rule"; readonly row: number; readonly ruleIndex: number };

/** The blocks attached to their statements, or every error found doing so (`rego_parse_error`). */
export type AttachedAnnotations =
  | { readonly ok: true; readonly annotations: readonly Annotations[] }
  | { readonly ok: false; readonly errors: readonly RegoErrorDetail[] };

/** Attaches each block to the first statement below it, with its scope defaulted and checked. */
export function attachAnnotations(
  blocks: readonly MetadataBlock[],
  statements: readonly AnnotatableStatement[],
): AttachedAnnotations {
  const annotations: Annotations[] = [];
  const errors: RegoErrorDetail[] = [];
  for (const block of blocks) {
    const node = statements.find((s) => s.row > block.location.row);
    let scope = block.scope;
    if (scope === "" && node !== undefined) {
      switch (node.type) {
        case "rule":
          scope = block.entrypoint ? "document" : "rule";
          break;
        case "package":
          scope = "package";
          break;
        case "import":
          // Not a scope: set so that the error below names what the block sits above.
          scope = "import";
          break;
      }
    }
    const fail = (message: string) =>
      errors.push({ code: "rego_parse_error", message, location: block.location });
    const have = node === undefined ? "" : ` (have ${node.type})`;
    let valid: AnnotationScope | undefined;
    switch (scope) {
      case "rule":
      case "document":
        if (node?.type === "rule") valid = scope;
        else fail(`annotation scope '${scope}' must be applied to rule${have}`);
        break;
      case "package":
      case "subpackages":
        if (node?.type === "package") valid = scope;
        else fail(`annotation scope '${scope}' must be applied to package${have}`);
        break;
      default:
        fail(
          `invalid annotation scope '${scope}'. Use one of 'rule', 'document', 'package', or 'subpackages'`,
        );
    }
    if (block.entrypoint && scope !== "document" && scope !== "package") {
      fail(`annotation entrypoint applied to non-document or package scope '${scope}'`);
    }
    if (valid === undefined || node === undefined || node.type === "import") continue;
    annotations.push({
      type: "annotations",
      scope: valid,
      title: block.title,
      description: block.description,
      entrypoint: block.entrypoint,
      organizations: block.organizations,
      relatedResources: block.relatedResources,
      authors: block.authors,
      schemas: block.schemas,
      custom: block.custom,
      target: node.type === "rule" ? { type: "rule", ruleIndex: node.ruleIndex } : { type: "package" },
      location: block.location,
    });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, annotations };
}

/**
 * The annotations that apply to each rule of a module (OPA's attachRuleAnnotations): every
 * `document`-scoped block of the rule's path, and the `rule`-scoped blocks of that path above
 * it; as in OPA, the last of those is then taken off the list the next rules draw from.
 */
export function ruleAnnotations(
  pkg: Package,
  rules: readonly Pick<Rule, "head" | "location">[],
  annotations: readonly Annotations[],
): Annotations[][] {
  const targetKey = (a: Annotations) =>
    a.target.type === "package"
      ? groundPathKey(pkg.path.path)
      : groundPathKey(ruleGroundPath(pkg, rules[a.target.ruleIndex] as Pick<Rule, "head">));
  const remaining = annotations.map((a) => ({ a, key: targetKey(a) }));
  return rules.map((rule) => {
    const key = groundPathKey(ruleGroundPath(pkg, rule));
    const out: Annotations[] = [];
    let consumed = -1;
    remaining.forEach(({ a, key: k }, i) => {
      if (k !== key) return;
      if (a.scope === "document") out.push(a);
      else if (a.scope === "rule" && rule.location.row > a.location.row) {
        consumed = i;
        out.push(a);
      }
    });
    if (consumed >= 0) remaining.splice(consumed, 1);
    return out;
  });
}

/**
 * The path under `data` of the document a rule defines, up to its first non-ground part (OPA:
 * `rule.Ref().GroundPrefix()` without `data`): the package path, the rule name, then the
 * ground terms of its head ref. `compiled` gives the path as OPA's compiler sees it, once
 * composite terms in the head ref have become variables: it stops at the first non-scalar.
 */
export function ruleGroundPath(pkg: Package, rule: Pick<Rule, "head">, compiled = false): Term[] {
  const ref = rule.head.ref;
  const out: Term[] = [...pkg.path.path];
  if (ref.head.type === "var")
    out.push({ type: "string", value: ref.head.name, location: ref.head.location });
  else return out;
  for (const t of ref.path) {
    const scalar = t.type === "string" || t.type === "number" || t.type === "boolean" || t.type === "null";
    if (compiled ? !scalar : !isGround(t)) break;
    out.push(t);
  }
  return out;
}

/** A key identifying a path of ground terms (equal paths, equal keys). */
export function groundPathKey(path: readonly Term[]): string {
  return path.map(groundTermKey).join("\u0000");
}

/** A key identifying one ground term of a path. */
export function groundTermKey(t: Term): string {
  switch (t.type) {
    case "null":
      return "null";
    case "boolean":
      return `b:${t.value}`;
    case "number":
      return `n:${t.text}`;
    case "string":
      return `s:${JSON.stringify(t.value)}`;
    case "var":
      return `v:${t.name}`;
    case "ref":
      return `r:${groundTermKey(t.head)}[${t.path.map(groundTermKey).join(",")}]`;
    case "array":
      return `a:[${t.items.map(groundTermKey).join(",")}]`;
    case "set":
      return `S:{${t.items.map(groundTermKey).sort().join(",")}}`;
    case "object":
      return `o:{${t.entries
        .map(([k, v]) => `${groundTermKey(k)}:${groundTermKey(v)}`)
        .sort()
        .join(",")}}`;
    case "arraycomp":
    case "setcomp":
    case "objectcomp":
    case "call":
      return `?${t.type}@${t.location.offset}`;
  }
}
