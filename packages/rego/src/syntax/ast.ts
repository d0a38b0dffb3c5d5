// Syntax stage: the abstract syntax tree that the parser produces and the compiler consumes.
// Every node is a readonly object tagged with `type` and carries its source location.
// Sugar is kept only where the compiler needs to see it (e.g. `some x in xs`, `every`);
// infix operators are already calls to OPA's builtin names (`plus`, `eq`, `assign`, ...).

import type { Location } from "./location.js";

/** Rego language version of a module: 0 (OPA 0.x syntax) or 1 (OPA 1.x, `if`/`contains` required). */
export type RegoVersion = 0 | 1;

// ---------------------------------------------------------------------------------------------
// Terms

/** `null`. */
export interface NullTerm {
  readonly type: "null";
  readonly location: Location;
}

/** `true` or `false`. */
export interface BooleanTerm {
  readonly type: "boolean";
  readonly value: boolean;
  readonly location: Location;
}

/** A number literal, kept as its source text so that arbitrary precision is never lost. */
export interface NumberTerm {
  readonly type: "number";
  readonly text: string;
  readonly location: Location;
}

/** A string literal (already unescaped; raw strings too). */
export interface StringTerm {
  readonly type: "string";
  readonly value: string;
  readonly location: Location;
}

/** A variable. `_` is the wildcard; the parser renames each `_` to a unique `$wildcardN`. */
export interface VarTerm {
  readonly type: "var";
  readonly name: string;
  readonly location: Location;
}

/**
 * A reference: `head.a[b]["c"]`. The head is a var (`data`, `input`, a local) or, for
 * `f(x).y` and `[1,2][i]`, any other term. `a.b` is stored as the string term "b".
 */
export interface RefTerm {
  readonly type: "ref";
  readonly head: Term;
  readonly path: readonly Term[];
  readonly location: Location;
}

/** `[a, b]`. */
export interface ArrayTerm {
  readonly type: "array";
  readonly items: readonly Term[];
  readonly location: Location;
}

/** `{a, b}` (and `set()` for the empty set). */
export interface SetTerm {
  readonly type: "set";
  readonly items: readonly Term[];
  readonly location: Location;
}

/** `{k: v, ...}`. */
export interface ObjectTerm {
  readonly type: "object";
  readonly entries: readonly (readonly [key: Term, value: Term])[];
  readonly location: Location;
}

/** `[x | body]`. */
export interface ArrayComprehension {
  readonly type: "arraycomp";
  readonly term: Term;
  readonly body: Body;
  readonly location: Location;
}

/** `{x | body}`. */
export interface SetComprehension {
  readonly type: "setcomp";
  readonly term: Term;
  readonly body: Body;
  readonly location: Location;
}

/** `{k: v | body}`. */
export interface ObjectComprehension {
  readonly type: "objectcomp";
  readonly key: Term;
  readonly value: Term;
  readonly body: Body;
  readonly location: Location;
}

/**
 * A call used as a term or as an expression: `count(x)`, `x + 1` (as `plus(x, 1)`),
 * `data.lib.f(x)`. The operator is a ref (for builtins, a ref of string parts: `io.jwt.decode`).
 */
export interface CallTerm {
  readonly type: "call";
  readonly operator: RefTerm;
  readonly args: readonly Term[];
  readonly location: Location;
}

/** Any term. */
export type Term =
  | NullTerm
  | BooleanTerm
  | NumberTerm
  | StringTerm
  | VarTerm
  | RefTerm
  | ArrayTerm
  | SetTerm
  | ObjectTerm
  | ArrayComprehension
  | SetComprehension
  | ObjectComprehension
  | CallTerm;

/** The `type` tag of every term kind. */
export type TermType = Term["type"];

// ---------------------------------------------------------------------------------------------
// Expressions and bodies

/** `with target as value` on an expression. */
export interface WithModifier {
  readonly type: "with";
  readonly target: RefTerm;
  readonly value: Term;
  readonly location: Location;
}

/** A plain term used as an expression: true unless undefined, false or (for refs) missing. */
export interface TermExpr {
  readonly type: "term";
  readonly term: Term;
}

/** A call as an expression: `x = y`, `x := y`, `count(x) > 1`, `f(x, out)`. */
export interface CallExpr {
  readonly type: "callexpr";
  readonly call: CallTerm;
}

/** `some x, y` (declares local variables). */
export interface SomeDecl {
  readonly type: "some";
  readonly vars: readonly VarTerm[];
}

/** `some x in xs` or `some k, v in xs` (the key is absent in the one-variable form). */
export interface SomeIn {
  readonly type: "somein";
  readonly key: Term | undefined;
  readonly value: Term;
  readonly domain: Term;
}

/** `every x in xs { ... }` or `every k, v in xs { ... }`. */
export interface Every {
  readonly type: "every";
  readonly key: VarTerm | undefined;
  readonly value: VarTerm;
  readonly domain: Term;
  readonly body: Body;
}

/** What an expression holds. */
export type ExprKind = TermExpr | CallExpr | SomeDecl | SomeIn | Every;

/** One expression in a body, possibly negated with `not` and modified with `with`. */
export interface Expr {
  readonly kind: ExprKind;
  readonly negated: boolean;
  readonly with: readonly WithModifier[];
  readonly location: Location;
}

/** A conjunction of expressions (a rule body, a query, a comprehension body). */
export type Body = readonly Expr[];

// ---------------------------------------------------------------------------------------------
// Rules and modules

/**
 * A rule head. `ref` is the rule's path within its package (`p`, `p.q[x]`, `roles[s][r]`).
 * - complete:      `p := 1`, `p = 1 { }`, `p if { }` (value `true` implied)
 * - partial set:   `p contains x if { }`, v0 `p[x] { }` (key set, value absent)
 * - partial object / ref head: `p[k] := v`, `p.q[r] := v`, v0 `p[k] = v { }`
 * - function:      `f(x) := y if { }` (args set)
 */
export interface RuleHead {
  readonly ref: RefTerm;
  /** Function arguments, when the rule is a function. */
  readonly args: readonly Term[] | undefined;
  /** The element of a partial set (`contains x`, v0 `p[x]`); absent for other rules. */
  readonly key: Term | undefined;
  /** The value; `true` is filled in by the parser when a rule has none. */
  readonly value: Term | undefined;
  /** `:=` (true) or `=` (false). */
  readonly assign: boolean;
  readonly location: Location;
}

/**
 * A rule: head, body, optional `else` chain, `default` flag, and the METADATA annotations that
 * apply to it within its module (OPA's Rule.Annotations: the `rule`-scoped blocks above it and
 * every `document`-scoped block of its path; empty on `else` branches).
 */
export interface Rule {
  readonly type: "rule";
  readonly head: RuleHead;
  readonly body: Body;
  readonly elseRule: Rule | undefined;
  readonly isDefault: boolean;
  readonly annotations: readonly Annotations[];
  readonly location: Location;
}

/** `package a.b.c`: path is the ref `data.a.b.c`. */
export interface Package {
  readonly type: "package";
  readonly path: RefTerm;
  readonly location: Location;
}

/** `import data.x.y as z`, `import input.a`, `import future.keywords.in`, `import rego.v1`. */
export interface Import {
  readonly type: "import";
  readonly path: RefTerm;
  readonly alias: string | undefined;
  readonly location: Location;
}

/** A comment, kept for tooling; METADATA blocks among them are also parsed into `Module.annotations`. */
export interface Comment {
  readonly text: string;
  readonly location: Location;
}

/** A parsed policy module. */
export interface Module {
  readonly type: "module";
  readonly file: string;
  readonly regoVersion: RegoVersion;
  readonly package: Package;
  readonly imports: readonly Import[];
  readonly rules: readonly Rule[];
  readonly comments: readonly Comment[];
  /** Every METADATA block of the module, in source order, each attached to its package or rule. */
  readonly annotations: readonly Annotations[];
}

// ---------------------------------------------------------------------------------------------
// Annotations (METADATA comment blocks)

/**
 * Where a METADATA block applies: `rule` (the rule below it), `document` (every rule of that
 * path, across modules), `package` (the package, across modules) or `subpackages` (the package
 * and every package below it).
 */
export type AnnotationScope = "rule" | "document" | "package" | "subpackages";

/**
 * A value written in a METADATA block (`custom`, inline schema definitions), as JSON holds it:
 * integers as bigint (exact), other numbers as number, mappings as maps with string keys.
 */
export type AnnotationValue =
  | null
  | boolean
  | string
  | number
  | bigint
  | readonly AnnotationValue[]
  | ReadonlyMap<string, AnnotationValue>;

/** An entry of `authors`: a name, an email, or both (the other is ""). */
export interface AnnotationAuthor {
  readonly name: string;
  readonly email: string;
}

/** An entry of `related_resources`: a URL (as Go's net/url prints it) and a description ("" if none). */
export interface AnnotationRelatedResource {
  readonly ref: string;
  readonly description: string;
}

/** An entry of `schemas`: the document it types and a schema reference or an inline definition. */
export interface AnnotationSchema {
  /** The document, e.g. `input`, `data.acl`. */
  readonly path: RefTerm;
  /** A reference into the schema set (`schema.input`), when not defined inline. */
  readonly schema: RefTerm | undefined;
  /** The inline definition, when given as a mapping. */
  readonly definition: AnnotationValue | undefined;
}

/** What a METADATA block is attached to: the package, or a rule (by its index in `Module.rules`). */
export type AnnotationTarget =
  | { readonly type: "package" }
  | { readonly type: "rule"; readonly ruleIndex: number };

/**
 * A METADATA block (OPA's Annotations). Strings absent from the block are "", lists are empty;
 * `location` is that of the `# METADATA` line.
 */
export interface Annotations {
  readonly type: "annotations";
  readonly scope: AnnotationScope;
  readonly title: string;
  readonly description: string;
  readonly entrypoint: boolean;
  readonly organizations: readonly string[];
  readonly relatedResources: readonly AnnotationRelatedResource[];
  readonly authors: readonly AnnotationAuthor[];
  readonly schemas: readonly AnnotationSchema[];
  /** The `custom` mapping, when the block has one. */
  readonly custom: ReadonlyMap<string, AnnotationValue> | undefined;
  readonly target: AnnotationTarget;
  readonly location: Location;
}
