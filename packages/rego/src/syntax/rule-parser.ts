// Syntax stage (source -> tokens -> statements; compile comes next): rules. Heads (ref heads,
// functions, `contains`, defaults), `if` and brace bodies, and `else` chains.

import type { Body, CallTerm, Expr, RefTerm, Term } from "./ast.js";
import type { TokenKind } from "./lexer.js";
import type { Location } from "./location.js";
import { LogicalParser } from "./logical-parser.js";
import type { ParsedHead, ParsedRule } from "./parsed-statement.js";
import { isTemplateString, templateStringHoles } from "./template-string.js";
import { isGround, refToString, valueName } from "./term-facts.js";
import { RELATION_OPS } from "./term-parser.js";

const INFIX_OPS: ReadonlySet<TokenKind> = new Set([...RELATION_OPS, "+", "-", "*", "/", "%", "&", "|"]);

/** A mutable head under construction. */
interface HeadDraft {
  ref: RefTerm;
  args: readonly Term[] | undefined;
  key: Term | undefined;
  value: Term | undefined;
  assign: boolean;
  location: Location;
  generatedValue: boolean;
  usedIf: boolean;
  usedContains: boolean;
}

function termExpr(term: Term, location: Location): Expr {
  return { kind: { type: "term", term }, negated: false, with: [], location };
}

function freezeHead(h: HeadDraft): ParsedHead {
  return {
    ref: h.ref,
    args: h.args,
    key: h.key,
    value: h.value,
    assign: h.assign,
    location: h.location,
    generatedValue: h.generatedValue,
    usedIf: h.usedIf,
    usedContains: h.usedContains,
  };
}

/** The first var, ref or call in a default value (outside comprehensions), by OPA's kind name. */
function forbiddenInDefault(t: Term): string | undefined {
  switch (t.type) {
    case "call":
      return isTemplateString(t) ? forbiddenInTemplateString(t) : t.type;
    case "var":
    case "ref":
      return t.type;
    case "array":
    case "set":
      for (const i of t.items) {
        const bad = forbiddenInDefault(i);
        if (bad !== undefined) return bad;
      }
      return undefined;
    case "object":
      for (const [k, v] of t.entries) {
        const bad = forbiddenInDefault(k) ?? forbiddenInDefault(v);
        if (bad !== undefined) return bad;
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * The first var, ref or call in a template string's holes, walked as OPA walks the parsed
 * template: a call expression shows its operator (a ref) first, `with` targets are refs, and
 * literal holes hold nothing.
 */
function forbiddenInTemplateString(call: CallTerm): string | undefined {
  for (const hole of templateStringHoles(call)) {
    const k = hole.kind;
    // A nested template string is a term to OPA, not a call.
    if (k.type === "callexpr" && !isTemplateString(k.call)) return "ref";
    const term = k.type === "term" ? k.term : k.type === "callexpr" ? k.call : undefined;
    const bad = term === undefined ? undefined : forbiddenInDefault(term);
    if (bad !== undefined) return bad;
    if (hole.with.length > 0) return "ref";
  }
  return undefined;
}

/** Rule statements. */
export abstract class RuleParser extends LogicalParser {
  // -------------------------------------------------------------------------------------------
  // Rules

  protected parseRules(): ParsedRule[] | undefined {
    const location = this.tok().location;
    if (this.atKeywordRefHead()) this.identOverride = this.pos;
    let isDefault = false;
    if (this.atKeyword("default")) {
      isDefault = true;
      this.next();
      if (this.atKeywordRefHead()) this.identOverride = this.pos;
    }
    if (!this.atIdent()) return undefined;
    const head = this.parseHead(isDefault);
    if (head === undefined) return undefined;

    if (isDefault) {
      if (!this.validateDefault(head, location)) return undefined;
      const body: Body = [termExpr({ type: "boolean", value: true, location }, location)];
      return [
        { head: freezeHead(head), body, elseRule: undefined, isDefault, location, generatedBody: false },
      ];
    }

    const hasIf = this.atKeyword("if");
    const refLength = 1 + head.ref.path.length;
    if (hasIf && !head.usedContains && refLength === 2 && head.value === undefined) {
      head.value = { type: "boolean", value: true, location: head.location };
      head.generatedValue = true;
    }
    // v0 `p[x] { ... }` is a partial set; `p[k] = v { ... }` a partial object (ref `p[k]`).
    if (
      !hasIf &&
      !head.usedContains &&
      head.args === undefined &&
      refLength === 2 &&
      head.value === undefined
    ) {
      head.key = head.ref.path[0];
      head.ref = { ...head.ref, path: [] };
    }

    let body: Body;
    let generatedBody = false;
    let ruleLocation = location;
    if (hasIf) {
      head.usedIf = true;
      this.next();
      const parsed = this.parseIfBody();
      if (parsed === undefined) return undefined;
      body = parsed;
    } else if (this.tok().kind === "{") {
      const parsed = this.parseBraceBody();
      if (parsed === undefined) return undefined;
      body = parsed;
    } else if (head.usedContains) {
      body = [termExpr({ type: "boolean", value: true, location }, location)];
      generatedBody = true;
      ruleLocation = head.location;
      const rule: ParsedRule = {
        head: freezeHead(head),
        body,
        elseRule: undefined,
        isDefault,
        location: ruleLocation,
        generatedBody,
      };
      return [rule];
    } else {
      return undefined;
    }

    let elseRule: ParsedRule | undefined;
    if (this.atKeyword("else") && !this.atKeywordRefHead()) {
      if (refLength > 1 && !head.ref.path.every(isGround)) {
        this.errorAt(this.tok().location, "else keyword cannot be used on rules with variables in head");
        return undefined;
      }
      if (head.key !== undefined) {
        this.errorAt(this.tok().location, "else keyword cannot be used on multi-value rules");
        return undefined;
      }
      elseRule = this.parseElse(head);
      if (elseRule === undefined) return undefined;
    }

    const first: ParsedRule = {
      head: freezeHead(head),
      body,
      elseRule,
      isDefault,
      location: ruleLocation,
      generatedBody,
    };
    const rules: ParsedRule[] = [first];
    while (this.tok().kind === "{") {
      if (elseRule !== undefined) {
        this.errorAt(this.tok().location, "expected else keyword");
        return undefined;
      }
      const loc = this.tok().location;
      const nextBody = this.parseBraceBody();
      if (nextBody === undefined) return undefined;
      const copy: ParsedHead = {
        ...freezeHead(head),
        args: this.freshWildcardArgs(head.args, loc),
        location: loc,
      };
      rules.push({
        head: copy,
        body: nextBody,
        elseRule: undefined,
        isDefault: false,
        location: loc,
        generatedBody: false,
      });
    }
    return rules;
  }

  /** After `if`: one literal (`p if x > 1`) or a braced body (a set literal is read as a body). */
  protected parseIfBody(): Body | undefined {
    if (this.tok().kind !== "{") {
      const expr = this.parseLiteral();
      return expr === undefined ? undefined : [expr];
    }
    const s = this.save();
    const expr = this.parseLiteral();
    if (expr !== undefined && !(expr.kind.type === "term" && expr.kind.term.type === "set")) {
      // `p if {}` (an empty object) and `p if {x | ...}` are single expressions, as in OPA.
      return [expr];
    }
    this.restore(s);
    return this.parseBraceBody();
  }

  /** `{ body }`, consuming both braces. */
  protected parseBraceBody(): Body | undefined {
    this.next();
    const body = this.parseBody("}");
    if (body === undefined) return undefined;
    this.next();
    return body;
  }

  protected parseHead(isDefault: boolean): HeadDraft | undefined {
    const location = this.tok().location;
    const name = this.makeVar(this.tok());
    this.next();
    const after = this.tok();
    if (!after.spaceBefore && INFIX_OPS.has(after.kind)) this.illegal();
    let term: Term | undefined = name;
    // In rule heads (only), whitespace may separate the name from `[`, `(` or `.`.
    if (after.kind === "(" || after.kind === "." || after.kind === "[") term = this.parseRef(name);
    if (term === undefined) {
      this.illegal("expected rule head name");
      return undefined;
    }
    let ref: RefTerm;
    let args: readonly Term[] | undefined;
    if (term.type === "var") {
      ref = { type: "ref", head: term, path: [], location: term.location };
    } else if (term.type === "ref" && term.head.type === "var") {
      ref = term;
    } else if (term.type === "call") {
      if (term.operator.head.type !== "var") {
        this.illegal(`rule head ref ${refToString(term.operator)} invalid`);
        return undefined;
      }
      ref = term.operator;
      // As in OPA, a rule is a function only when it has arguments: `f() := 1` is the rule `f`.
      args = term.args.length > 0 ? term.args : undefined;
    } else {
      return undefined;
    }
    const head: HeadDraft = {
      ref,
      args,
      key: undefined,
      value: undefined,
      assign: false,
      location,
      generatedValue: false,
      usedIf: false,
      usedContains: false,
    };
    const headName = refToString(ref);
    if (this.atKeyword("contains")) {
      if (args !== undefined) {
        this.illegal(
          `the contains keyword can only be used with multi-value rule definitions (e.g., ${headName} contains <VALUE> { ... })`,
        );
        return undefined;
      }
      this.next();
      head.key = this.parseTermInfixCall();
      if (head.key === undefined) {
        this.illegal(`expected rule key term (e.g., ${headName} contains <VALUE> { ... })`);
        return undefined;
      }
      head.usedContains = true;
      return head;
    }
    const op = this.tok().kind;
    if (op === "=" || op === ":=") {
      this.next();
      head.assign = op === ":=";
      head.value = this.parseTermInfixCall();
      if (head.value === undefined) {
        const example =
          args !== undefined
            ? `${headName}(...) ${op} <VALUE> { ... }`
            : isDefault
              ? `default ${headName} ${op} <VALUE>`
              : `${headName} ${op} <VALUE> { ... }`;
        this.illegal(`expected rule value term (e.g., ${example})`);
        return undefined;
      }
    }
    if (head.value === undefined && (ref.path.length !== 1 || args !== undefined)) {
      head.value = { type: "boolean", value: true, location };
      head.generatedValue = true;
    }
    return head;
  }

  protected validateDefault(head: HeadDraft, location: Location): boolean {
    if (head.value === undefined) {
      this.errorAt(location, "illegal default rule (must have a value)");
      return false;
    }
    const bad = forbiddenInDefault(head.value);
    if (bad !== undefined) {
      this.errorAt(location, `illegal default rule (value cannot contain ${bad})`);
      return false;
    }
    const seen = new Set<string>();
    for (const a of head.args ?? []) {
      if (a.type !== "var") {
        this.errorAt(location, `illegal default rule (arguments cannot contain ${valueName(a)})`);
        return false;
      }
      if (seen.has(a.name)) {
        this.errorAt(location, `illegal default rule (arguments cannot be repeated ${a.name})`);
        return false;
      }
      seen.add(a.name);
    }
    return true;
  }

  protected parseElse(parent: HeadDraft): ParsedRule | undefined {
    const location = this.tok().location;
    this.next();
    let value: Term | undefined;
    let assign = parent.assign;
    let generatedValue = false;
    const op = this.tok().kind;
    if (op === "{" || this.atKeyword("if")) {
      value = { type: "boolean", value: true, location };
      generatedValue = true;
    } else if (op === "=" || op === ":=") {
      assign = op === ":=";
      this.next();
      value = this.parseTermInfixCall();
      if (value === undefined) return undefined;
    } else {
      this.illegal("expected else value term or rule body");
      return undefined;
    }
    const head: ParsedHead = {
      ...freezeHead(parent),
      args: this.freshWildcardArgs(parent.args, location),
      value,
      assign,
      location,
      generatedValue,
    };
    const hasIf = this.atKeyword("if");
    if (!hasIf && this.tok().kind !== "{") {
      const body: Body = [termExpr({ type: "boolean", value: true, location }, location)];
      return { head, body, elseRule: undefined, isDefault: false, location, generatedBody: true };
    }
    if (hasIf) this.next();
    let body: Body | undefined;
    if (this.tok().kind === "{") {
      body = this.parseBraceBody();
    } else if (this.tok().kind !== "eof") {
      const expr = this.parseLiteral();
      body = expr === undefined ? undefined : [expr];
    } else {
      this.illegal("rule body expected");
    }
    if (body === undefined) return undefined;
    let elseRule: ParsedRule | undefined;
    if (this.atKeyword("else")) {
      elseRule = this.parseElse(parent);
      if (elseRule === undefined) return undefined;
    }
    // Each `else` body needs its own `if` in v1 (OPA checks every branch of the chain).
    const finalHead: ParsedHead = { ...head, usedIf: hasIf };
    return { head: finalHead, body, elseRule, isDefault: false, location, generatedBody: false };
  }

  /** A copy of the head's arguments with fresh names for wildcards (each rule gets its own). */
  protected freshWildcardArgs(
    args: readonly Term[] | undefined,
    location: Location,
  ): readonly Term[] | undefined {
    if (args === undefined) return undefined;
    return args.map((a) => (a.type === "var" && a.name.startsWith("$") ? this.newWildcard(location) : a));
  }
}
