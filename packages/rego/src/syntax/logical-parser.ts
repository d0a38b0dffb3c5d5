// Syntax stage (source -> tokens -> statements; compile comes next): the logical keywords
// (`import future.keywords.and` / `.or` / `.not`) in bodies; parsed here, lowered by
// logical-expr.ts.

import type { Expr, Term } from "./ast.js";
import { BodyParser } from "./body-parser.js";
import type { Location } from "./location.js";
import {
  combine,
  exprSet,
  implicitOperandSet,
  logicalExpr,
  notBlockExpr,
  operandSet,
} from "./logical-expr.js";
import { MAX_DEPTH } from "./term-parser.js";

/** Whether a negated expression holds dynamic terms that OPA expands before negating it. */
function isComposite(expr: Expr): boolean {
  const k = expr.kind;
  const dynamic = (t: Term): boolean => {
    switch (t.type) {
      case "ref":
      case "call":
      case "arraycomp":
      case "setcomp":
      case "objectcomp":
        return true;
      case "array":
      case "set":
        return t.items.some(dynamic);
      case "object":
        return t.entries.some(([a, b]) => dynamic(a) || dynamic(b));
      default:
        return false;
    }
  };
  switch (k.type) {
    case "callexpr":
      return k.call.args.some(dynamic);
    case "term":
      return k.term.type === "ref" && k.term.path.some(dynamic);
    default:
      return false;
  }
}

/** `and`, `or` and `not { ... }` blocks, where imported. */
export abstract class LogicalParser extends BodyParser {
  // -------------------------------------------------------------------------------------------
  // Logical keywords (`import future.keywords.and` / `.or` / `.not`), lowered by logical-expr.ts

  /** Whether any logical keyword is imported. */
  protected logicalActive(): boolean {
    return this.logical.size > 0;
  }

  /** `and` or `or` as an operator here (`or(a, b)`, the builtin, stays a call). */
  protected atLogical(): "and" | "or" | undefined {
    const t = this.tok();
    if (t.kind !== "ident" || (t.text !== "and" && t.text !== "or") || !this.logical.has(t.text))
      return undefined;
    const n = this.peek();
    if (n.kind === "(" && !n.spaceBefore) return undefined;
    return t.text;
  }

  /**
   * A literal led by `{ body }` or by a parenthesized group, when an `and`/`or` chain follows
   * (or the group holds one). `null` when the literal is something else (nothing consumed).
   */
  protected parseLogicalLed(location: Location): Expr | undefined | null {
    const k = this.tok().kind;
    if (k === "{" && (this.logical.has("and") || this.logical.has("or"))) {
      const s = this.save();
      const body = this.parseBraceBody();
      if (body !== undefined && this.atLogical() !== undefined) {
        return this.finishLogical(operandSet(body, location), location);
      }
      this.restore(s);
      return null;
    }
    if (k === "(") {
      const s = this.save();
      const inner = this.parseGroup();
      if (inner !== undefined && (this.logicalExprs.has(inner) || this.atLogical() !== undefined)) {
        return this.finishLogical(exprSet(inner), location, inner);
      }
      this.restore(s);
    }
    return null;
  }

  /** `( literal )`: a literal in parentheses, which may itself be a chain with its own `with`. */
  protected parseGroup(): Expr | undefined {
    if (++this.depth > MAX_DEPTH) return this.tooDeep();
    try {
      this.next();
      const inner = this.parseLiteral();
      if (inner === undefined) return undefined;
      if (this.tok().kind !== ")") {
        this.errorAt(this.tok().location, "non-terminated expression");
        return undefined;
      }
      this.next();
      return inner;
    } finally {
      this.depth--;
    }
  }

  /** After `not` (with `future.keywords.not`): `{ body }` or `( literal )`, as a negated block. */
  protected parseNotBlock(location: Location): Expr | undefined {
    if (this.tok().kind === "{") {
      const body = this.parseBraceBody();
      return body === undefined ? undefined : notBlockExpr(body, location);
    }
    const inner = this.parseGroup();
    return inner === undefined ? undefined : notBlockExpr([inner], location);
  }

  /**
   * The `and`/`or` chain after a first operand, `and` binding tighter than `or`, then a `with`
   * that applies to the whole. `whole` is the first operand's expression when no chain follows.
   */
  protected finishLogical(first: Term, location: Location, whole?: Expr): Expr | undefined {
    if (this.atLogical() === undefined && whole !== undefined) {
      if (!this.atKeyword("with")) return whole;
      const withs = this.parseWith();
      return withs === undefined ? undefined : { ...whole, with: [...whole.with, ...withs] };
    }
    let acc: Term | undefined = first;
    if (this.atLogical() === "and") acc = this.parseAndChain(acc, location);
    while (acc !== undefined && this.atLogical() === "or") {
      this.next();
      let rhs = this.parseOperand("or");
      if (rhs !== undefined && this.atLogical() === "and") rhs = this.parseAndChain(rhs, location);
      acc = rhs === undefined ? undefined : combine("or", acc, rhs, location);
    }
    if (acc === undefined) return undefined;
    let expr = logicalExpr(acc, location);
    if (this.atKeyword("with")) {
      const withs = this.parseWith();
      if (withs === undefined) return undefined;
      const after = this.atLogical();
      if (after !== undefined) {
        this.errorAt(
          withs[0]?.location ?? location,
          `\`with\` modifier is not allowed on operand of \`${after}\``,
        );
        return undefined;
      }
      expr = { ...expr, with: withs };
    }
    this.logicalExprs.add(expr);
    return expr;
  }

  protected parseAndChain(first: Term, location: Location): Term | undefined {
    let acc: Term | undefined = first;
    while (acc !== undefined && this.atLogical() === "and") {
      this.next();
      const rhs = this.parseOperand("and");
      acc = rhs === undefined ? undefined : combine("and", acc, rhs, location);
    }
    return acc;
  }

  /** One operand after `and`/`or`: `{ body }`, `( ... )`, `not ...`, or a single expression. */
  protected parseOperand(operator: "and" | "or"): Term | undefined {
    const location = this.tok().location;
    if (this.tok().kind === "{") {
      const body = this.parseBraceBody();
      return body === undefined ? undefined : operandSet(body, location);
    }
    if (this.tok().kind === "(") {
      const inner = this.parseGroup();
      return inner === undefined ? undefined : exprSet(inner);
    }
    let negated = false;
    if (this.atKeyword("not")) {
      this.next();
      negated = true;
      if (this.logical.has("not") && (this.tok().kind === "{" || this.tok().kind === "(")) {
        const block = this.parseNotBlock(location);
        return block === undefined ? undefined : exprSet(block);
      }
    }
    const kind = this.parseExpr();
    if (kind === undefined) return undefined;
    // A `with` after the last operand applies to the whole expression (finishLogical reads it).
    const expr: Expr = { kind, negated, with: [], location };
    if (!this.checkImplicitOperand(expr, operator)) return undefined;
    return implicitOperandSet(this.wrapNegation(expr));
  }

  /** A single-expression operand may not assign (its variables could never be seen). */
  protected checkImplicitOperand(expr: Expr, operator: "and" | "or"): boolean {
    const k = expr.kind;
    if (k.type !== "callexpr") return true;
    const op = k.call.operator;
    if (op.head.type !== "var" || op.head.name !== "assign" || op.path.length > 0) return true;
    this.errors.push({
      code: "rego_compile_error",
      message: `cannot assign vars inside implicit ${operator} operand`,
      location: expr.location,
    });
    return false;
  }

  /**
   * With `future.keywords.not`, `not` over a composite expression negates its whole expansion
   * (`not f(input.x)` holds when `input.x` is undefined), as a negated block of that expression.
   */
  protected wrapNegation(expr: Expr): Expr {
    if (!expr.negated || !this.logical.has("not") || !isComposite(expr)) return expr;
    const block = notBlockExpr([{ ...expr, negated: false, with: [] }], expr.location);
    return { ...block, with: expr.with };
  }
}
