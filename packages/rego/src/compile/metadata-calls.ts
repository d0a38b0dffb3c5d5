// Compile stage, after names are resolved and before bodies are ordered: replaces every call
// to `rego.metadata.chain()` and `rego.metadata.rule()` in a rule by the constant it stands
// for, as OPA's compiler does (rewriteRegoMetadataCalls in v1/ast/compile.go). The values are
// those of OPA's createMetadataChain and Annotations.toObject. A call left in a query reaches
// the builtin itself, which fails as OPA's does (builtins/rego-metadata.ts).

import type { RegoErrorDetail } from "../errors.js";
import type {
  Annotations,
  AnnotationValue,
  Body,
  CallTerm,
  Expr,
  ExprKind,
  Module,
  ObjectTerm,
  RefTerm,
  Rule,
  Term,
} from "../syntax/ast.js";
import type { Location } from "../syntax/location.js";
import { termToString } from "../syntax/term-facts.js";
import type { AnnotationSet, ChainLink } from "./annotation-set.js";

const CHAIN = "chain";
const RULE = "rule";

/** Which metadata builtin a call operator names, if it is `rego.metadata.chain` or `rego.metadata.rule`. */
function metadataBuiltin(op: RefTerm): typeof CHAIN | typeof RULE | undefined {
  if (op.head.type !== "var" || op.head.name !== "rego" || op.path.length !== 2) return undefined;
  const [a, b] = op.path;
  if (a?.type !== "string" || a.value !== "metadata" || b?.type !== "string") return undefined;
  return b.value === CHAIN ? CHAIN : b.value === RULE ? RULE : undefined;
}

/**
 * Rewrites the metadata calls of a rule (resolved already) and of its `else` branches, each
 * branch with its own values: as in OPA, an `else` branch has no `rule`-scoped annotations of
 * its own. Conversion errors (a non-finite number in `custom`) are added to `errors`.
 */
export function rewriteMetadataCalls(
  rule: Rule,
  set: AnnotationSet,
  module: Module,
  ruleIndex: number,
  errors: RegoErrorDetail[],
): Rule {
  const rewrite = (r: Rule, isElse: boolean): Rule => {
    const elseRule = r.elseRule ? rewrite(r.elseRule, true) : undefined;
    if (!ownCalls(r)) return elseRule === r.elseRule ? r : { ...r, elseRule };
    let chain: Term | undefined | null = null;
    let own: Term | undefined | null = null;
    const values: MetadataValues = {
      // Built once per rule, at its first call (where OPA binds the value to a variable).
      chain: (at) => {
        if (chain === null)
          chain = convert(() => chainTerm(set.chain(module, ruleIndex, isElse), at), errors);
        return chain;
      },
      rule: (at) => {
        if (own === null) {
          const a = set.ruleAnnotations(module, isElse ? undefined : ruleIndex);
          own = convert(() => (a ? annotationsTerm(a, at) : object([], at)), errors);
        }
        return own;
      },
    };
    const x = new Rewriter(values);
    const h = r.head;
    return {
      ...r,
      head: {
        ...h,
        ref: { ...h.ref, path: h.ref.path.map((t) => x.term(t)) },
        args: h.args?.map((t) => x.term(t)),
        key: h.key && x.term(h.key),
        value: h.value && x.term(h.value),
      },
      body: x.body(r.body),
      elseRule,
    };
  };
  return rewrite(rule, false);
}

/** The constant a call stands for (undefined when it could not be built). */
interface MetadataValues {
  chain(at: Location): Term | undefined;
  rule(at: Location): Term | undefined;
}

class Rewriter {
  constructor(private readonly values: MetadataValues) {}

  body(b: Body): Body {
    return b.map((e) => this.expr(e));
  }

  private expr(e: Expr): Expr {
    const k = e.kind;
    if (k.type === "callexpr") {
      const which = metadataBuiltin(k.call.operator);
      const value = which && this.values[which](k.call.location);
      if (value) {
        // As OPA's rewrite, the call becomes `value` (or `out = value` when it has an output
        // argument) in a new expression: its `not` and `with` modifiers are not carried over.
        const first = k.call.args[0];
        const kind: ExprKind =
          first === undefined
            ? { type: "term", term: value }
            : { type: "callexpr", call: eqCall(this.term(first), value, k.call.location) };
        return { kind, negated: false, with: [], location: e.location };
      }
    }
    return {
      ...e,
      kind: this.exprKind(k),
      with: e.with.map((w) => ({ ...w, value: this.term(w.value) })),
    };
  }

  private exprKind(k: ExprKind): ExprKind {
    switch (k.type) {
      case "term":
        return { type: "term", term: this.term(k.term) };
      case "callexpr":
        return { type: "callexpr", call: { ...k.call, args: k.call.args.map((a) => this.term(a)) } };
      case "some":
        return k;
      case "somein":
        return {
          type: "somein",
          key: k.key && this.term(k.key),
          value: this.term(k.value),
          domain: this.term(k.domain),
        };
      case "every":
        return { ...k, domain: this.term(k.domain), body: this.body(k.body) };
      default: {
        const never: never = k;
        throw new Error(`unexpected expression ${String(never)}`);
      }
    }
  }

  term(t: Term): Term {
    switch (t.type) {
      case "null":
      case "boolean":
      case "number":
      case "string":
      case "var":
        return t;
      case "ref":
        return { ...t, head: this.term(t.head), path: t.path.map((p) => this.term(p)) };
      case "array":
      case "set":
        return { ...t, items: t.items.map((i) => this.term(i)) };
      case "object":
        return { ...t, entries: t.entries.map(([k, v]) => [this.term(k), this.term(v)] as const) };
      case "arraycomp":
      case "setcomp":
        return { ...t, term: this.term(t.term), body: this.body(t.body) };
      case "objectcomp":
        return { ...t, key: this.term(t.key), value: this.term(t.value), body: this.body(t.body) };
      case "call": {
        const which = t.args.length === 0 ? metadataBuiltin(t.operator) : undefined;
        const value = which && this.values[which](t.location);
        return value ?? { ...t, args: t.args.map((a) => this.term(a)) };
      }
      default: {
        const never: never = t;
        return never;
      }
    }
  }
}

function eqCall(lhs: Term, rhs: Term, location: Location): CallTerm {
  return {
    type: "call",
    operator: { type: "ref", head: { type: "var", name: "eq", location }, path: [], location },
    args: [lhs, rhs],
    location,
  };
}

// ---------------------------------------------------------------------------------------------
// Whether a rule calls the builtins (its head and body; its `else` branches count on their own)

function ownCalls(r: Rule): boolean {
  const h = r.head;
  return (
    h.ref.path.some(termCalls) ||
    (h.args ?? []).some(termCalls) ||
    (h.key !== undefined && termCalls(h.key)) ||
    (h.value !== undefined && termCalls(h.value)) ||
    bodyCalls(r.body)
  );
}

function bodyCalls(b: Body): boolean {
  return b.some((e) => e.with.some((w) => termCalls(w.value)) || exprKindCalls(e.kind));
}

function exprKindCalls(k: ExprKind): boolean {
  switch (k.type) {
    case "term":
      return termCalls(k.term);
    case "callexpr":
      return metadataBuiltin(k.call.operator) !== undefined || termCalls(k.call);
    case "some":
      return false;
    case "somein":
      return (k.key !== undefined && termCalls(k.key)) || termCalls(k.value) || termCalls(k.domain);
    case "every":
      return termCalls(k.domain) || bodyCalls(k.body);
    default: {
      const never: never = k;
      throw new Error(`unexpected expression ${String(never)}`);
    }
  }
}

function termCalls(t: Term): boolean {
  switch (t.type) {
    case "null":
    case "boolean":
    case "number":
    case "string":
    case "var":
      return false;
    case "ref":
      return termCalls(t.head) || t.path.some(termCalls);
    case "array":
    case "set":
      return t.items.some(termCalls);
    case "object":
      return t.entries.some(([k, v]) => termCalls(k) || termCalls(v));
    case "arraycomp":
    case "setcomp":
      return termCalls(t.term) || bodyCalls(t.body);
    case "objectcomp":
      return termCalls(t.key) || termCalls(t.value) || bodyCalls(t.body);
    case "call":
      return (t.args.length === 0 && metadataBuiltin(t.operator) !== undefined) || t.args.some(termCalls);
    default: {
      const never: never = t;
      return never;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The constants: OPA's createMetadataChain and Annotations.toObject

/** An annotation that cannot be turned into a value (OPA's CompileErr from toObject). */
class ConversionError extends Error {
  constructor(
    message: string,
    readonly location: Location,
  ) {
    super(message);
  }
}

function convert(build: () => Term, errors: RegoErrorDetail[]): Term | undefined {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof ConversionError)) throw e;
    errors.push({ code: "rego_compile_error", message: e.message, location: e.location });
    return undefined;
  }
}

/** `[{"path": [...], "annotations": {...}}, ...]`: the chain, `data` left out of each path. */
function chainTerm(links: readonly ChainLink[], at: Location): Term {
  return {
    type: "array",
    items: links.map((link) => {
      const entries: [string, Term][] = [["path", pathArray(link.path, at)]];
      if (link.annotations) entries.push(["annotations", annotationsTerm(link.annotations, at)]);
      return object(entries, at);
    }),
    location: at,
  };
}

/** The object OPA makes of annotations: only the fields that are set. */
function annotationsTerm(a: Annotations, at: Location): ObjectTerm {
  const str = (value: string): Term => ({ type: "string", value, location: at });
  const arr = (items: Term[]): Term => ({ type: "array", items, location: at });
  const entries: [string, Term][] = [["scope", str(a.scope)]];
  if (a.title !== "") entries.push(["title", str(a.title)]);
  if (a.entrypoint) entries.push(["entrypoint", { type: "boolean", value: true, location: at }]);
  if (a.description !== "") entries.push(["description", str(a.description)]);
  if (a.organizations.length > 0) entries.push(["organizations", arr(a.organizations.map(str))]);
  if (a.relatedResources.length > 0) {
    const items = a.relatedResources.map((rr) => {
      const e: [string, Term][] = [["ref", str(rr.ref)]];
      if (rr.description !== "") e.push(["description", str(rr.description)]);
      return object(e, at);
    });
    entries.push(["related_resources", arr(items)]);
  }
  if (a.authors.length > 0) {
    const items = a.authors.map((au) => {
      const e: [string, Term][] = [];
      if (au.name !== "") e.push(["name", str(au.name)]);
      if (au.email !== "") e.push(["email", str(au.email)]);
      return object(e, at);
    });
    entries.push(["authors", arr(items)]);
  }
  if (a.schemas.length > 0) {
    const items = a.schemas.map((s) => {
      const e: [string, Term][] = [];
      const path = [s.path.head, ...s.path.path];
      if (path.length > 0) e.push(["path", pathArray(path, at)]);
      if (s.schema) e.push(["schema", pathArray([s.schema.head, ...s.schema.path], at)]);
      if (s.definition !== undefined) {
        e.push(["definition", valueTerm(s.definition, at, "invalid definition in schema annotation: ", a)]);
      }
      return object(e, at);
    });
    entries.push(["schemas", arr(items)]);
  }
  if (a.custom !== undefined && a.custom.size > 0) {
    entries.push(["custom", valueTerm(a.custom, at, "invalid custom annotation ", a)]);
  }
  return object(entries, at);
}

function object(entries: readonly (readonly [string, Term])[], at: Location): ObjectTerm {
  return {
    type: "object",
    entries: entries.map(([k, v]) => [{ type: "string", value: k, location: at }, v] as const),
    location: at,
  };
}

/** OPA's Ref.toArray: each part as a string (strings as they are, others as Rego prints them). */
function pathArray(path: readonly Term[], at: Location): Term {
  return {
    type: "array",
    items: path.map((t) => ({
      type: "string",
      value: t.type === "string" ? t.value : termToString(t),
      location: at,
    })),
    location: at,
  };
}

/** A YAML value as a term; a non-finite number cannot be one (Go's JSON encoding rejects it). */
function valueTerm(v: AnnotationValue, at: Location, context: string, a: Annotations): Term {
  if (v === null) return { type: "null", location: at };
  if (typeof v === "boolean") return { type: "boolean", value: v, location: at };
  if (typeof v === "string") return { type: "string", value: v, location: at };
  if (typeof v === "bigint") return { type: "number", text: v.toString(), location: at };
  if (typeof v === "number") {
    if (!Number.isFinite(v)) {
      const go = Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
      throw new ConversionError(`${context}json: unsupported value: ${go}`, a.location);
    }
    return { type: "number", text: String(v), location: at };
  }
  if (Array.isArray(v))
    return { type: "array", items: v.map((x) => valueTerm(x, at, context, a)), location: at };
  const m = v as ReadonlyMap<string, AnnotationValue>;
  return object(
    [...m].map(([k, x]) => [k, valueTerm(x, at, context, a)] as const),
    at,
  );
}
