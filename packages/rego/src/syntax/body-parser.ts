// Syntax stage (source -> tokens -> statements; compile comes next): bodies and their
// literals. Queries separated by `;` or newlines, `not`, `some`, `every`, `with` modifiers, and
// the expressions inside them.

import type { Body, CallTerm, Every, Expr, ExprKind, RefTerm, Term, VarTerm, WithModifier } from "./ast.js";
import type { TokenKind } from "./lexer.js";
import type { Location } from "./location.js";
import { exprSet, implicitOperandSet } from "./logical-expr.js";
import { valueName } from "./term-facts.js";
import { INFIX_BUILTIN, MAX_DEPTH, opRef, TermParser } from "./term-parser.js";

/** 2 or 3 when the call is `internal.member_2/3` with the right argument count. */
function memberArity(call: CallTerm): 2 | 3 | undefined {
  const op = call.operator;
  if (op.head.type !== "var" || op.head.name !== "internal" || op.path.length !== 1) return undefined;
  const p = op.path[0];
  if (p?.type !== "string") return undefined;
  if (p.value === "member_2" && call.args.length === 2) return 2;
  if (p.value === "member_3" && call.args.length === 3) return 3;
  return undefined;
}

/** Bodies, literals and expressions. */
export abstract class BodyParser extends TermParser {
  protected abstract atLogical(): "and" | "or" | undefined;
  protected abstract checkImplicitOperand(expr: Expr, operator: "and" | "or"): boolean;
  protected abstract finishLogical(first: Term, location: Location, whole?: Expr): Expr | undefined;
  protected abstract logicalActive(): boolean;
  protected abstract parseBraceBody(): Body | undefined;
  protected abstract parseLogicalLed(location: Location): Expr | undefined | null;
  protected abstract parseNotBlock(location: Location): Expr | undefined;
  protected abstract wrapNegation(expr: Expr): Expr;

  // -------------------------------------------------------------------------------------------
  // Bodies and literals

  protected parseBody(end: TokenKind): Body | undefined {
    if (++this.depth > MAX_DEPTH) return this.tooDeep();
    try {
      return this.parseQuery(false, end);
    } finally {
      this.depth--;
    }
  }

  protected tooDeep(): undefined {
    this.errorAt(this.tok().location, "max parsing recursion depth exceeded");
    return undefined;
  }

  /**
   * A conjunction ending at `end`. Expressions are separated by `;` or a line break; with
   * `requireSemi` (top-level statements) a line break ends the statement instead.
   */
  protected parseQuery(requireSemi: boolean, end: TokenKind): Body | undefined {
    if (this.tok().kind === end) {
      this.errorAt(this.tok().location, "found empty body");
      return undefined;
    }
    const body: Expr[] = [];
    for (;;) {
      const expr = this.parseLiteral();
      if (expr === undefined) return undefined;
      body.push(expr);
      if (this.tok().kind === ";") {
        this.next();
        continue;
      }
      if (this.tok().kind === end || requireSemi) return body;
      if (!this.tok().newlineBefore) {
        this.illegal(`expected a newline, ";" or "${end}"`);
        return undefined;
      }
    }
  }

  protected parseLiteral(): Expr | undefined {
    const location = this.tok().location;
    if (this.logicalActive()) {
      const led = this.parseLogicalLed(location);
      if (led !== null) return led;
    }
    if (this.atKeywordRefHead()) {
      this.identOverride = this.pos;
      return this.parseLiteralExpr(false, location);
    }
    let negated = false;
    if (this.atKeyword("not")) {
      this.next();
      negated = true;
      if (this.logical.has("not") && (this.tok().kind === "{" || this.tok().kind === "(")) {
        const block = this.parseNotBlock(location);
        return block === undefined ? undefined : this.finishLogical(exprSet(block), location, block);
      }
    }
    if (this.atKeyword("some")) {
      if (negated) {
        this.illegal("illegal negation of 'some'");
        return undefined;
      }
      return this.parseSome(location);
    }
    if (this.atKeyword("every")) {
      if (negated) {
        this.illegal("illegal negation of 'every'");
        return undefined;
      }
      return this.parseEvery(location);
    }
    const expr = this.parseLiteralExpr(negated, location);
    if (expr === undefined || !this.logicalActive()) return expr;
    const operator = this.atLogical();
    if (operator === undefined) return this.wrapNegation(expr);
    if (expr.with.length > 0) {
      this.errorAt(expr.location, `\`with\` modifier is not allowed on operand of \`${operator}\``);
      return undefined;
    }
    if (!this.checkImplicitOperand(expr, operator)) return undefined;
    return this.finishLogical(implicitOperandSet(this.wrapNegation(expr)), location);
  }

  protected parseLiteralExpr(negated: boolean, location: Location): Expr | undefined {
    const kind = this.parseExpr();
    if (kind === undefined) return undefined;
    let withs: readonly WithModifier[] = [];
    if (this.atKeyword("with")) {
      const parsed = this.parseWith();
      if (parsed === undefined) return undefined;
      withs = parsed;
    }
    return { kind, negated, with: withs, location };
  }

  protected parseWith(): WithModifier[] | undefined {
    const withs: WithModifier[] = [];
    do {
      const location = this.tok().location;
      this.next();
      if (!this.atIdent()) {
        this.illegal("expected ident");
        return undefined;
      }
      const target = this.parseTerm();
      if (target === undefined) return undefined;
      let ref: RefTerm;
      if (target.type === "ref") ref = target;
      else if (target.type === "var")
        ref = { type: "ref", head: target, path: [], location: target.location };
      else {
        this.errorAt(target.location, `unexpected ${valueName(target)} token: expected with target path`);
        return undefined;
      }
      if (!this.atKeyword("as")) {
        this.illegal("expected as keyword");
        return undefined;
      }
      this.next();
      const value = this.parseTermInfixCall();
      if (value === undefined) return undefined;
      withs.push({ type: "with", target: ref, value, location });
    } while (this.atKeyword("with"));
    return withs;
  }

  protected parseSome(location: Location): Expr | undefined {
    const s = this.save();
    this.next();
    const term = this.parseTermInfixCall();
    if (term?.type === "call") {
      const member = memberArity(term);
      if (member === undefined) {
        this.illegal("expected `x in xs` or `x, y in xs` expression");
        return undefined;
      }
      const [a, b, c] = term.args;
      const kind: ExprKind =
        member === 2
          ? { type: "somein", key: undefined, value: a as Term, domain: b as Term }
          : { type: "somein", key: a, value: b as Term, domain: c as Term };
      let withs: readonly WithModifier[] = [];
      if (this.atKeyword("with")) {
        const parsed = this.parseWith();
        if (parsed === undefined) return undefined;
        withs = parsed;
      }
      return { kind, negated: false, with: withs, location };
    }
    this.restore(s);
    const vars: VarTerm[] = [];
    do {
      this.next();
      if (!this.atIdent()) {
        this.illegal("expected var");
        return undefined;
      }
      vars.push(this.makeVar(this.tok()));
      this.next();
    } while (this.tok().kind === ",");
    return { kind: { type: "some", vars }, negated: false, with: [], location };
  }

  protected parseEvery(location: Location): Expr | undefined {
    this.next();
    const term = this.parseTermInfixCall();
    if (term === undefined) return undefined;
    const member = term.type === "call" ? memberArity(term) : undefined;
    if (term.type !== "call" || member === undefined) {
      this.illegal("expected `x[, y] in xs { ... }` expression");
      return undefined;
    }
    const [a, b, c] = term.args;
    const key = member === 3 ? a : undefined;
    const value = (member === 3 ? b : a) as Term;
    const domain = (member === 3 ? c : b) as Term;
    if (key !== undefined && key.type !== "var") {
      this.illegal("expected key to be a variable");
      return undefined;
    }
    if (value.type !== "var") {
      this.illegal("expected value to be a variable");
      return undefined;
    }
    if (this.tok().kind !== "{") {
      this.illegal("missing body");
      return undefined;
    }
    const body = this.parseBraceBody();
    if (body === undefined) return undefined;
    const kind: Every = { type: "every", key, value, domain, body };
    let withs: readonly WithModifier[] = [];
    if (this.atKeyword("with")) {
      const parsed = this.parseWith();
      if (parsed === undefined) return undefined;
      withs = parsed;
    }
    return { kind, negated: false, with: withs, location };
  }

  protected parseExpr(): ExprKind | undefined {
    const lhs = this.parseTermInfixCall();
    if (lhs === undefined) return undefined;
    const op = this.tok();
    if (op.kind === ":=" || op.kind === "=") {
      this.next();
      const rhs = this.parseTermInfixCall();
      if (rhs === undefined) return undefined;
      const call: CallTerm = {
        type: "call",
        operator: opRef(INFIX_BUILTIN[op.kind] as string, op.location),
        args: [lhs, rhs],
        location: lhs.location,
      };
      return { type: "callexpr", call };
    }
    if (lhs.type === "call") return { type: "callexpr", call: lhs };
    return { type: "term", term: lhs };
  }
}
