// Syntax stage (source -> tokens -> statements; compile comes next): terms. Infix operators
// loosest first (`in`, relations, `|`, `&`, `+ -`, `* / %`), then scalars, refs, calls,
// collections and comprehensions, template strings; terms are cached by position so that
// backtracking stays linear.

import type { RegoErrorDetail } from "../errors.js";
import type { Body, CallTerm, Expr, RefTerm, Term } from "./ast.js";
import type { TokenKind } from "./lexer.js";
import type { Location } from "./location.js";
import { checkNumberLiteral } from "./number-literal.js";
import { ParserState, type SavedState } from "./parser-state.js";
import {
  checkTemplateHole,
  lowerTemplateString,
  TEMPLATE_STRINGS_UNSUPPORTED,
  type TemplatePiece,
  templateHoleRelation,
} from "./template-string.js";
import { valueName } from "./term-facts.js";

// Nesting deeper than this is refused rather than risking the JS stack.
export const MAX_DEPTH = 400;

/** Operators written infix, and the builtin each one calls. */
export const INFIX_BUILTIN: Partial<Record<TokenKind, string>> = {
  "=": "eq",
  ":=": "assign",
  "==": "equal",
  "!=": "neq",
  "<": "lt",
  "<=": "lte",
  ">": "gt",
  ">=": "gte",
  "+": "plus",
  "-": "minus",
  "*": "mul",
  "/": "div",
  "%": "rem",
  "&": "and",
  "|": "or",
};

export const RELATION_OPS: ReadonlySet<TokenKind> = new Set(["==", "!=", "<", "<=", ">", ">="]);

const NO_ERRORS: readonly RegoErrorDetail[] = [];

const OR_OPS: ReadonlySet<TokenKind> = new Set(["|"]);

const AND_OPS: ReadonlySet<TokenKind> = new Set(["&"]);

const ARITH_OPS: ReadonlySet<TokenKind> = new Set(["+", "-"]);

const FACTOR_OPS: ReadonlySet<TokenKind> = new Set(["*", "/", "%"]);

/** The ref naming a builtin operator, e.g. `plus`. */
export function opRef(name: string, location: Location): RefTerm {
  return { type: "ref", head: { type: "var", name, location }, path: [], location };
}

/** A call to `internal.member_2` (`x in xs`) or `internal.member_3` (`k, v in xs`). */
function memberCall(arity: 2 | 3, args: Term[], opLocation: Location, location: Location): CallTerm {
  const operator: RefTerm = {
    type: "ref",
    head: { type: "var", name: "internal", location: opLocation },
    path: [{ type: "string", value: `member_${arity}`, location: opLocation }],
    location: opLocation,
  };
  return { type: "call", operator, args, location };
}

/** Terms and infix operators. */
export abstract class TermParser extends ParserState {
  protected abstract parseBody(end: TokenKind): Body | undefined;
  protected abstract parseLiteral(): Expr | undefined;
  protected abstract tooDeep(): undefined;

  // -------------------------------------------------------------------------------------------
  // Infix terms, loosest first: `in`, relations, `|`, `&`, `+ -`, `* / %`

  protected parseTermInfixCall(): Term | undefined {
    return this.parseTermIn(true);
  }

  protected parseTermInfixCallInList(): Term | undefined {
    return this.parseTermIn(false);
  }

  /** `x in xs` and (where `keyVal`, i.e. not inside a list) `k, v in xs`. */
  protected parseTermIn(keyVal: boolean): Term | undefined {
    let lhs = this.parseTermRelation();
    if (lhs === undefined) return undefined;
    if (keyVal && this.tok().kind === ",") {
      const s = this.save();
      this.next();
      const mhs = this.parseTermRelation();
      if (mhs !== undefined && this.atInOperator()) {
        const opLoc = this.tok().location;
        this.next();
        const rhs = this.parseTermRelation();
        if (rhs !== undefined) {
          lhs = memberCall(3, [lhs, mhs, rhs], opLoc, lhs.location);
          return this.continueIn(lhs);
        }
      }
      this.restore(s);
    }
    return this.continueIn(lhs);
  }

  protected continueIn(lhs: Term): Term | undefined {
    let result = lhs;
    while (this.atInOperator()) {
      const opLoc = this.tok().location;
      this.next();
      const rhs = this.parseTermRelation();
      if (rhs === undefined) return undefined;
      result = memberCall(2, [result, rhs], opLoc, lhs.location);
    }
    return result;
  }

  protected atInOperator(): boolean {
    return this.atKeyword("in") && !this.atKeywordRefHead();
  }

  protected parseTermRelation(): Term | undefined {
    return this.parseBinary(RELATION_OPS, () => this.parseTermOr());
  }

  protected parseTermOr(): Term | undefined {
    return this.parseBinary(OR_OPS, () => this.parseTermAnd());
  }

  protected parseTermAnd(): Term | undefined {
    return this.parseBinary(AND_OPS, () => this.parseTermArith());
  }

  protected parseTermArith(): Term | undefined {
    return this.parseBinary(ARITH_OPS, () => this.parseTermFactor());
  }

  protected parseTermFactor(): Term | undefined {
    return this.parseBinary(FACTOR_OPS, () => this.parseTerm());
  }

  /** One left-associative precedence level. */
  protected parseBinary(ops: ReadonlySet<TokenKind>, operand: () => Term | undefined): Term | undefined {
    let lhs = operand();
    if (lhs === undefined) return undefined;
    const start = lhs.location;
    while (ops.has(this.tok().kind)) {
      const op = this.tok();
      this.next();
      const rhs = operand();
      if (rhs === undefined) return undefined;
      lhs = {
        type: "call",
        operator: opRef(INFIX_BUILTIN[op.kind] as string, op.location),
        args: [lhs, rhs],
        location: start,
      };
    }
    return lhs;
  }

  // -------------------------------------------------------------------------------------------
  // Terms

  protected parseTerm(): Term | undefined {
    const start = this.pos;
    const cacheable = this.identOverride !== start;
    if (cacheable) {
      const hit = this.cache.get(start);
      if (hit !== undefined) {
        this.pos = hit.pos;
        this.wildcard = hit.wildcard;
        this.errors.push(...hit.errors);
        return hit.term;
      }
    }
    if (++this.depth > MAX_DEPTH) {
      this.depth--;
      return this.tooDeep();
    }
    const errorsBefore = this.errors.length;
    let term: Term | undefined;
    try {
      term = this.parseTermHead();
      if (term !== undefined) term = this.parseTermFinish(term);
    } finally {
      this.depth--;
    }
    if (cacheable) {
      this.cache.set(start, {
        term,
        pos: this.pos,
        wildcard: this.wildcard,
        errors: this.errors.length === errorsBefore ? NO_ERRORS : this.errors.slice(errorsBefore),
      });
    }
    return term;
  }

  protected parseTermHead(): Term | undefined {
    const t = this.tok();
    switch (t.kind) {
      case "ident": {
        if (this.identOverride !== this.pos && this.isKeyword(t.text)) {
          if (t.text === "null") {
            this.next();
            return { type: "null", location: t.location };
          }
          if (t.text === "true" || t.text === "false") {
            this.next();
            return { type: "boolean", value: t.text === "true", location: t.location };
          }
          // `contains` is a keyword only in rule heads; elsewhere it names the builtin, as
          // `and(a, b)` and `or(a, b)` (called) do when the logical keywords are imported.
          const call =
            (t.text === "and" || t.text === "or") && this.peek().kind === "(" && !this.peek().spaceBefore;
          if (t.text !== "contains" && !call) {
            this.illegal("expected term");
            return undefined;
          }
        }
        this.next();
        return this.makeVar(t);
      }
      case "-": {
        // Unary minus on a reference (`-input.n`) is `minus(0, input.n)`, as in OPA 1.x.
        const n = this.peek();
        if (n.kind === "ident" && (n.text === "contains" || !this.isKeyword(n.text))) {
          this.next();
          const v = this.makeVar(this.tok());
          this.next();
          const operand = this.parseTermFinish(v);
          if (operand === undefined) return undefined;
          const zero: Term = { type: "number", text: "0", location: t.location };
          return {
            type: "call",
            operator: opRef("minus", t.location),
            args: [zero, operand],
            location: t.location,
          };
        }
        return this.parseNumber();
      }
      case "number":
      case ".":
        return this.parseNumber();
      case "string":
        this.next();
        return { type: "string", value: t.value ?? "", location: t.location };
      case "template":
        if (t.template?.first === true) return this.parseTemplateString();
        this.illegal("expected term");
        return undefined;
      case "[":
        return this.parseArray();
      case "{":
        return this.parseSetOrObject();
      case "(": {
        this.next();
        const inner = this.parseTermInfixCall();
        if (inner === undefined) return undefined;
        if (this.tok().kind !== ")") {
          this.errorAt(this.tok().location, "non-terminated expression");
          return undefined;
        }
        this.next();
        return inner;
      }
      default:
        this.illegal("expected term");
        return undefined;
    }
  }

  /**
   * A template string, from its first part: each hole is one expression (a literal, as OPA
   * parses it), checked as OPA checks it, and the whole is lowered to OPA's
   * `internal.template_string` call. The lexer has already found where each hole ends.
   */
  protected parseTemplateString(): Term | undefined {
    const start = this.tok();
    if (this.version === 0) {
      // OPA's v0 capabilities lack the template_strings feature.
      this.errorAt(start.location, TEMPLATE_STRINGS_UNSUPPORTED);
      return undefined;
    }
    const pieces: TemplatePiece[] = [];
    let part = start;
    for (;;) {
      pieces.push({ type: "text", value: part.value ?? "", location: part.location });
      this.next();
      if (part.template?.last !== false) break;
      const expr = this.parseLiteral();
      if (expr === undefined) {
        this.errorAt(this.tok().location, "invalid template-string expression");
        return undefined;
      }
      const checked = checkTemplateHole(expr);
      if (!checked.ok) {
        this.errorAt(expr.location, checked.message);
        return undefined;
      }
      const relation = templateHoleRelation(checked.hole);
      // OPA's compiler (not its parser) refuses this, so parsing goes on.
      if (relation !== undefined) {
        this.errors.push({ code: "rego_compile_error", message: relation, location: expr.location });
      }
      pieces.push({ type: "hole", hole: checked.hole, capture: this.newWildcard(expr.location) });
      const close = this.tok();
      if (close.template === undefined || close.template.first) {
        this.errorAt(close.location, "expected } to end template string expression");
        return undefined;
      }
      if (close.kind === "illegal") {
        this.illegal();
        return undefined;
      }
      part = close;
    }
    const after = this.tok();
    if (!after.spaceBefore && (after.kind === "(" || after.kind === "." || after.kind === "[")) {
      // Reported as OPA does, and parsing goes on (the statement fails on the error).
      this.errorAt(start.location, "illegal ref (head cannot be templatestring)");
    }
    return lowerTemplateString(pieces, start.location);
  }

  protected parseNumber(): Term | undefined {
    const location = this.tok().location;
    let negative = false;
    let leadingDot = false;
    if (this.tok().kind === "-") {
      negative = true;
      this.next();
      if (this.tok().kind !== "number" && this.tok().kind !== ".") {
        this.illegal("expected number");
        return undefined;
      }
    }
    if (this.tok().kind === ".") {
      leadingDot = true;
      this.next();
      if (this.tok().kind !== "number") {
        this.illegal("expected number");
        return undefined;
      }
    }
    const t = this.tok();
    const check = checkNumberLiteral(negative, leadingDot, t.text);
    if (!check.ok) {
      if (check.message === "number too big") this.errorAt(t.location, check.message);
      else this.illegal(check.message);
      return undefined;
    }
    this.next();
    return { type: "number", text: check.text, location };
  }

  /** After a term: a ref or call continues only when `.`, `[` or `(` follows with no space. */
  protected parseTermFinish(head: Term): Term | undefined {
    const t = this.tok();
    if (!t.spaceBefore && (t.kind === "(" || t.kind === "." || t.kind === "[")) return this.parseRef(head);
    if (head.type === "var" && (head.name === "data" || head.name === "input")) {
      return { type: "ref", head, path: [], location: head.location };
    }
    return head;
  }

  protected parseRef(head: Term): Term | undefined {
    const location = head.location;
    switch (head.type) {
      case "var":
      case "array":
      case "object":
      case "set":
      case "arraycomp":
      case "setcomp":
      case "objectcomp":
      case "call":
        break;
      default:
        this.errorAt(location, `illegal ref (head cannot be ${valueName(head)})`);
    }
    const path: Term[] = [];
    let first = true;
    for (;;) {
      const t = this.tok();
      if (!first && t.spaceBefore) break;
      first = false;
      if (t.kind === ".") {
        this.next();
        const name = this.tok();
        if (name.kind !== "ident" || name.spaceBefore) {
          this.illegal("expected ident");
          return undefined;
        }
        path.push({ type: "string", value: name.text, location: name.location });
        this.next();
      } else if (t.kind === "[") {
        this.next();
        const inner = this.parseTermInfixCall();
        if (inner === undefined) return undefined;
        if (this.tok().kind !== "]") {
          this.illegal(`expected "]"`);
          return undefined;
        }
        path.push(inner);
        this.next();
      } else if (t.kind === "(") {
        const operator: RefTerm = { type: "ref", head, path, location };
        const call = this.parseCall(operator, location);
        if (call === undefined) return undefined;
        const n = this.tok();
        if (!n.spaceBefore && (n.kind === "." || n.kind === "[")) return this.parseRef(call);
        return call;
      } else {
        break;
      }
    }
    return { type: "ref", head, path, location };
  }

  protected parseCall(operator: RefTerm, location: Location): Term | undefined {
    this.next();
    if (this.tok().kind === ")") {
      this.next();
      if (operator.head.type === "var" && operator.head.name === "set" && operator.path.length === 0) {
        return { type: "set", items: [], location };
      }
      return { type: "call", operator, args: [], location };
    }
    const args = this.parseTermList(")", []);
    if (args === undefined) return undefined;
    this.next();
    return { type: "call", operator, args, location };
  }

  protected parseArray(): Term | undefined {
    const location = this.tok().location;
    this.next();
    if (this.tok().kind === "]") {
      this.next();
      return { type: "array", items: [], location };
    }
    let potentialComprehension = true;
    // A leading comma (`[, x]`) is accepted, as OPA does for backwards compatibility.
    if (this.tok().kind === ",") {
      potentialComprehension = false;
      this.next();
    }
    const s = this.save();
    // A plain term first, so that `[x | body]` wins over `x | y` (an `or` call).
    const head = this.parseTerm();
    if (head === undefined) return undefined;
    switch (this.tok().kind) {
      case "]":
        this.next();
        return { type: "array", items: [head], location };
      case ",": {
        this.next();
        const items = this.parseTermList("]", [head]);
        if (items === undefined) return undefined;
        this.next();
        return { type: "array", items, location };
      }
      case "|":
        if (potentialComprehension) {
          this.next();
          const body = this.parseBody("]");
          if (body !== undefined) {
            this.next();
            return { type: "arraycomp", term: head, body, location };
          }
          if (this.tok().kind !== ",") return undefined;
        }
        break;
      default:
        break;
    }
    this.restore(s);
    const items = this.parseTermList("]", []);
    if (items === undefined) return undefined;
    this.next();
    return { type: "array", items, location };
  }

  protected parseSetOrObject(): Term | undefined {
    const location = this.tok().location;
    this.next();
    if (this.tok().kind === "}") {
      this.next();
      return { type: "object", entries: [], location };
    }
    let potentialComprehension = true;
    if (this.tok().kind === ",") {
      potentialComprehension = false;
      this.next();
    }
    const s = this.save();
    const head = this.parseTerm();
    if (head === undefined) return undefined;
    const k = this.tok().kind;
    if ((k === "|" && potentialComprehension) || k === "}" || k === ",") {
      return this.parseSet(s, head, potentialComprehension, location);
    }
    if (k === ":") return this.parseObject(head, potentialComprehension, location);
    this.restore(s);
    const head2 = this.parseTermInfixCallInList();
    if (head2 === undefined) return undefined;
    const k2 = this.tok().kind;
    if (k2 === "}" || k2 === ",") return this.parseSet(s, head2, false, location);
    if (k2 === ":") return this.parseObject(head2, potentialComprehension, location);
    this.illegal("non-terminated set");
    return undefined;
  }

  protected parseSet(
    s: SavedState,
    head: Term,
    potentialComprehension: boolean,
    location: Location,
  ): Term | undefined {
    switch (this.tok().kind) {
      case "}":
        this.next();
        return { type: "set", items: [head], location };
      case ",": {
        this.next();
        const items = this.parseTermList("}", [head]);
        if (items === undefined) return undefined;
        this.next();
        return { type: "set", items, location };
      }
      case "|": {
        if (potentialComprehension) {
          this.next();
          const body = this.parseBody("}");
          if (body !== undefined) {
            this.next();
            return { type: "setcomp", term: head, body, location };
          }
          if (this.tok().kind !== ",") return undefined;
        }
        this.restore(s);
        const items = this.parseTermList("}", []);
        if (items === undefined) return undefined;
        this.next();
        return { type: "set", items, location };
      }
      default:
        return undefined;
    }
  }

  protected parseObject(key: Term, potentialComprehension: boolean, location: Location): Term | undefined {
    this.next();
    const s = this.save();
    const value = this.parseTerm();
    if (value === undefined) return undefined;
    let potentialRelation = true;
    if (potentialComprehension) {
      const k = this.tok().kind;
      if (k === "}" || k === ",") {
        potentialRelation = false;
        // Neither a comprehension nor a longer value is possible: keep this attempt's errors.
        return this.parseObjectFinish(key, value, true, location);
      }
      if (k === "|") {
        const r = this.parseObjectFinish(key, value, true, location);
        if (r !== undefined) return r;
      }
    }
    this.restore(s);
    if (potentialRelation) {
      const v = this.parseTermInfixCallInList();
      if (v === undefined) return undefined;
      const k = this.tok().kind;
      if (k === "}" || k === ",") return this.parseObjectFinish(key, v, false, location);
    }
    this.illegal("non-terminated object");
    return undefined;
  }

  protected parseObjectFinish(
    key: Term,
    value: Term,
    potentialComprehension: boolean,
    location: Location,
  ): Term | undefined {
    switch (this.tok().kind) {
      case "}":
        this.next();
        return { type: "object", entries: [[key, value]], location };
      case "|": {
        if (!potentialComprehension) {
          this.illegal("non-terminated object");
          return undefined;
        }
        this.next();
        const body = this.parseBody("}");
        if (body === undefined) return undefined;
        this.next();
        return { type: "objectcomp", key, value, body, location };
      }
      case ",": {
        this.next();
        const entries = this.parseTermPairList([[key, value]]);
        if (entries === undefined) return undefined;
        this.next();
        return { type: "object", entries, location };
      }
      default:
        return undefined;
    }
  }

  /** Comma-separated terms up to `end` (left as the current token); a trailing comma is fine. */
  protected parseTermList(end: TokenKind, initial: readonly Term[]): Term[] | undefined {
    const items = [...initial];
    if (this.tok().kind === end) return items;
    for (;;) {
      const term = this.parseTermInfixCallInList();
      if (term === undefined) return undefined;
      items.push(term);
      const k = this.tok().kind;
      if (k === end) return items;
      if (k !== ",") {
        this.illegal(`expected "," or "${end}"`);
        return undefined;
      }
      this.next();
      if (this.tok().kind === end) return items;
    }
  }

  /** `key: value` pairs up to `}` (left as the current token). */
  protected parseTermPairList(
    initial: readonly (readonly [Term, Term])[],
  ): (readonly [Term, Term])[] | undefined {
    const entries = [...initial];
    if (this.tok().kind === "}") return entries;
    for (;;) {
      const key = this.parseTermInfixCallInList();
      if (key === undefined) return undefined;
      if (this.tok().kind !== ":") {
        this.illegal(`expected ":"`);
        return undefined;
      }
      this.next();
      const value = this.parseTermInfixCallInList();
      if (value === undefined) return undefined;
      entries.push([key, value]);
      const k = this.tok().kind;
      if (k === "}") return entries;
      if (k !== ",") {
        this.illegal(`expected "," or "}"`);
        return undefined;
      }
      this.next();
      if (this.tok().kind === "}") return entries;
    }
  }
}
