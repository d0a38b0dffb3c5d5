// Builtins, GraphQL: the parser, second stage after the lexer. A recursive-descent parser over one
// token of lookahead with gqlparser's grammar and error messages; this file holds the parts shared
// by both document kinds (values, types, directives) and the query (executable) document grammar.
// The first error ends parsing; nesting deeper than MAX_NESTING is refused before it can exhaust
// the stack.

import {
  type Argument,
  type ChildValue,
  type Directive,
  type FragmentDefinition,
  type GqlValue,
  GraphqlError,
  MAX_NESTING,
  type OperationDefinition,
  type OperationType,
  type Position,
  type QueryDocument,
  type Selection,
  type TypeRef,
  ValueKind,
  type VariableDefinition,
} from "./graphql-ast.js";
import { GraphqlLexer, kindText, type Token, type TokenKind } from "./graphql-lexer.js";
import { goQuote } from "../value/format-value.js";

/** How error messages show a token: its kind, and its value when it has one (`Name "foo"`). */
export function tokenText(t: Token): string {
  return t.value === "" ? kindText(t.kind) : `${kindText(t.kind)} ${goQuote(t.value)}`;
}

/** Token handling and the grammar both document kinds share. */
export class GraphqlParser {
  private readonly lexer: GraphqlLexer;
  private peeked: Token | undefined;
  /** The token consumed last. */
  prev: Token | undefined;
  private depth = 0;

  constructor(text: string) {
    this.lexer = new GraphqlLexer(text);
  }

  /** The next token, without consuming it. */
  peek(): Token {
    if (this.peeked === undefined) this.peeked = this.lexer.next();
    return this.peeked;
  }

  /** Where the next token starts. */
  peekPos(): Position {
    return this.peek().position;
  }

  /** Consumes the next token; consuming an invalid one raises the lexer's error. */
  next(): Token {
    const t = this.peek();
    this.peeked = undefined;
    if (t.error !== undefined) throw t.error;
    this.prev = t;
    return t;
  }

  /** Raises a syntax error at a token. */
  fail(tok: Token, message: string): never {
    throw new GraphqlError(message, tok.position);
  }

  /** Raises `Unexpected <token>` (at the next token by default). */
  unexpected(tok: Token = this.peek()): never {
    return this.fail(tok, `Unexpected ${tokenText(tok)}`);
  }

  /** Consumes a token of the given kind, or fails. */
  expect(kind: TokenKind): Token {
    const tok = this.peek();
    if (tok.kind === kind) return this.next();
    return this.fail(tok, `Expected ${kindText(kind)}, found ${kindText(tok.kind)}`);
  }

  /** Consumes the given keyword, or fails. */
  expectKeyword(value: string): Token {
    const tok = this.peek();
    if (tok.kind === "Name" && tok.value === value) return this.next();
    return this.fail(tok, `Expected ${goQuote(value)}, found ${tokenText(tok)}`);
  }

  /** Consumes a token of the given kind if it comes next. */
  skip(kind: TokenKind): boolean {
    if (this.peek().kind !== kind) return false;
    this.next();
    return true;
  }

  /** `start item* end`, when the next token is `start`. */
  many(start: TokenKind, end: TokenKind, item: () => void): void {
    if (!this.skip(start)) return;
    while (this.peek().kind !== end) item();
    this.next();
  }

  /** `start item+ end`, when the next token is `start`. */
  some(start: TokenKind, end: TokenKind, item: () => void): void {
    if (!this.skip(start)) return;
    let called = false;
    while (this.peek().kind !== end) {
      called = true;
      item();
    }
    if (!called) {
      const tok = this.peek();
      this.fail(tok, `expected at least one definition, found ${kindText(tok.kind)}`);
    }
    this.next();
  }

  /** Runs `body` one nesting level deeper, refusing input nested beyond MAX_NESTING. */
  nested<T>(body: () => T): T {
    if (this.depth >= MAX_NESTING) {
      this.fail(this.peek(), `nesting is deeper than ${MAX_NESTING} levels`);
    }
    this.depth++;
    try {
      return body();
    } finally {
      this.depth--;
    }
  }

  /** A name token's text. */
  parseName(): string {
    return this.expect("Name").value;
  }

  /** `$name`, returning the name. */
  parseVariable(): string {
    this.expect("Dollar");
    return this.parseName();
  }

  /** A value literal; variables are refused where `isConst`. */
  parseValueLiteral(isConst: boolean): GqlValue {
    const token = this.peek();
    let kind: ValueKind;
    switch (token.kind) {
      case "BracketL":
        return this.parseList(isConst);
      case "BraceL":
        return this.parseObject(isConst);
      case "Dollar":
        if (isConst) this.unexpected();
        return {
          kind: ValueKind.Variable,
          raw: this.parseVariable(),
          children: [],
          position: token.position,
        };
      case "Int":
        kind = ValueKind.Int;
        break;
      case "Float":
        kind = ValueKind.Float;
        break;
      case "String":
        kind = ValueKind.String;
        break;
      case "BlockString":
        kind = ValueKind.Block;
        break;
      case "Name":
        kind =
          token.value === "true" || token.value === "false"
            ? ValueKind.Boolean
            : token.value === "null"
              ? ValueKind.Null
              : ValueKind.Enum;
        break;
      default:
        return this.unexpected();
    }
    this.next();
    return { kind, raw: token.value, children: [], position: token.position };
  }

  private parseList(isConst: boolean): GqlValue {
    const position = this.peekPos();
    const children: ChildValue[] = [];
    this.nested(() =>
      this.many("BracketL", "BracketR", () => {
        children.push({ name: "", value: this.parseValueLiteral(isConst) });
      }),
    );
    return { kind: ValueKind.List, raw: "", children, position };
  }

  private parseObject(isConst: boolean): GqlValue {
    const position = this.peekPos();
    const children: ChildValue[] = [];
    this.nested(() =>
      this.many("BraceL", "BraceR", () => {
        const fieldPosition = this.peekPos();
        const name = this.parseName();
        this.expect("Colon");
        children.push({ name, value: this.parseValueLiteral(isConst), position: fieldPosition });
      }),
    );
    return { kind: ValueKind.Object, raw: "", children, position };
  }

  /** `@name(args)*`. */
  parseDirectives(isConst: boolean): Directive[] {
    const directives: Directive[] = [];
    while (this.peek().kind === "At") {
      this.expect("At");
      const position = this.peekPos();
      const name = this.parseName();
      directives.push({ name, arguments: this.parseArguments(isConst), position });
    }
    return directives;
  }

  /** `(name: value, ...)`, possibly empty or absent. */
  parseArguments(isConst: boolean): Argument[] {
    const args: Argument[] = [];
    this.many("ParenL", "ParenR", () => {
      const position = this.peekPos();
      const name = this.parseName();
      this.expect("Colon");
      args.push({ name, value: this.parseValueLiteral(isConst), position });
    });
    return args;
  }

  /** `Name`, `[Type]`, each optionally followed by `!`. */
  parseTypeReference(): TypeRef {
    let namedType = "";
    let elem: TypeRef | undefined;
    let position: Position;
    if (this.skip("BracketL")) {
      position = this.peekPos();
      elem = this.nested(() => this.parseTypeReference());
      this.expect("BracketR");
    } else {
      position = this.peekPos();
      namedType = this.parseName();
    }
    let nonNull = false;
    if (this.skip("Bang")) {
      // gqlparser records the position of the token after the `!`.
      position = this.peekPos();
      nonNull = true;
    }
    return elem === undefined ? { namedType, nonNull, position } : { namedType, elem, nonNull, position };
  }

  /** `query`, `mutation` or `subscription`. */
  parseOperationType(): OperationType {
    const tok = this.next();
    switch (tok.value) {
      case "query":
      case "mutation":
      case "subscription":
        return tok.value;
      default:
        return this.unexpected(tok);
    }
  }
}

/** Parses a query document, or throws GraphqlError at the first syntax error. */
export function parseQueryDocument(text: string): QueryDocument {
  const p = new GraphqlParser(text);
  const operations: OperationDefinition[] = [];
  const fragments: FragmentDefinition[] = [];
  while (p.peek().kind !== "EOF") {
    const tok = p.peek();
    if (tok.kind === "BraceL") {
      operations.push(parseOperationDefinition(p));
    } else if (tok.kind === "Name" && ["query", "mutation", "subscription"].includes(tok.value)) {
      operations.push(parseOperationDefinition(p));
    } else if (tok.kind === "Name" && tok.value === "fragment") {
      fragments.push(parseFragmentDefinition(p));
    } else {
      p.unexpected();
    }
  }
  return { operations, fragments };
}

function parseOperationDefinition(p: GraphqlParser): OperationDefinition {
  const position = p.peekPos();
  if (p.peek().kind === "BraceL") {
    return {
      operation: "query",
      name: "",
      variableDefinitions: [],
      directives: [],
      selectionSet: parseRequiredSelectionSet(p),
      position,
    };
  }
  const operation = p.parseOperationType();
  const name = p.peek().kind === "Name" ? p.next().value : "";
  const variableDefinitions = parseVariableDefinitions(p);
  const directives = p.parseDirectives(false);
  return {
    operation,
    name,
    variableDefinitions,
    directives,
    selectionSet: parseRequiredSelectionSet(p),
    position,
  };
}

function parseVariableDefinitions(p: GraphqlParser): VariableDefinition[] {
  const defs: VariableDefinition[] = [];
  p.many("ParenL", "ParenR", () => {
    const position = p.peekPos();
    const variable = p.parseVariable();
    p.expect("Colon");
    const type = p.parseTypeReference();
    const defaultValue = p.skip("Equals") ? p.parseValueLiteral(true) : undefined;
    const directives = p.parseDirectives(false);
    defs.push({ variable, type, defaultValue, directives, used: false, position });
  });
  return defs;
}

function parseSelections(p: GraphqlParser): Selection[] {
  const selections: Selection[] = [];
  p.nested(() =>
    p.some("BraceL", "BraceR", () => {
      selections.push(parseSelection(p));
    }),
  );
  return selections;
}

function parseRequiredSelectionSet(p: GraphqlParser): Selection[] {
  const tok = p.peek();
  if (tok.kind !== "BraceL") p.fail(tok, `Expected ${kindText("BraceL")}, found ${kindText(tok.kind)}`);
  return parseSelections(p);
}

function parseSelection(p: GraphqlParser): Selection {
  if (p.peek().kind === "Spread") return parseFragment(p);
  const position = p.peekPos();
  const alias = p.parseName();
  const name = p.skip("Colon") ? p.parseName() : alias;
  const args = p.parseArguments(false);
  const directives = p.parseDirectives(false);
  const selectionSet = p.peek().kind === "BraceL" ? parseSelections(p) : [];
  return { kind: "field", alias, name, arguments: args, directives, selectionSet, position };
}

function parseFragment(p: GraphqlParser): Selection {
  p.expect("Spread");
  const peek = p.peek();
  if (peek.kind === "Name" && peek.value !== "on") {
    const position = peek.position;
    const name = parseFragmentName(p);
    return { kind: "fragmentSpread", name, directives: p.parseDirectives(false), position };
  }
  const position = p.peekPos();
  let typeCondition = "";
  // As gqlparser, any token whose text is `on` starts a type condition.
  if (p.peek().value === "on") {
    p.next();
    typeCondition = p.parseName();
  }
  const directives = p.parseDirectives(false);
  return {
    kind: "inlineFragment",
    typeCondition,
    directives,
    selectionSet: parseRequiredSelectionSet(p),
    position,
  };
}

function parseFragmentDefinition(p: GraphqlParser): FragmentDefinition {
  const position = p.peekPos();
  p.expectKeyword("fragment");
  const name = parseFragmentName(p);
  const variableDefinitions = parseVariableDefinitions(p);
  p.expectKeyword("on");
  const typeCondition = p.parseName();
  const directives = p.parseDirectives(false);
  return {
    name,
    variableDefinitions,
    typeCondition,
    directives,
    selectionSet: parseRequiredSelectionSet(p),
    position,
  };
}

function parseFragmentName(p: GraphqlParser): string {
  if (p.peek().value === "on") p.unexpected();
  return p.parseName();
}
