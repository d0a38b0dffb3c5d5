import { describe, expect, it } from "vitest";
import { errorOf } from "../test-support/error-of.js";
import type { Expr } from "./ast.js";
import { parseModule } from "./parser.js";
import { termToString } from "./term-facts.js";

function body(imports: string, rule: string): readonly Expr[] {
  const m = parseModule("p.rego", `package z\n${imports}\n${rule}`);
  return m.rules[0]?.body ?? [];
}

function text(e: Expr | undefined): string {
  if (e?.kind.type !== "callexpr") return `${e?.kind.type}`;
  return termToString(e.kind.call);
}

describe("logical keywords", () => {
  it("join single-expression operands of `and` in one body, so the right one short-circuits", () => {
    const [e] = body("import future.keywords.and", "p if input.a == 1 and input.b == 2 and {input.c}");
    expect(text(e)).toBe("equal(and({true | ...}, {true | ...}), {true})");
    const first = e?.kind.type === "callexpr" ? e.kind.call.args[0] : undefined;
    const inner = first?.type === "call" ? first.args[0] : undefined;
    expect(inner?.type === "setcomp" ? inner.body.length : 0).toBe(2);
  });

  it("lower `and`/`or` to set algebra over operand comprehensions, `and` binding tighter", () => {
    const [e] = body(
      "import future.keywords.and\nimport future.keywords.or",
      "p if input.a or {input.b} and input.c",
    );
    expect(text(e)).toBe("equal(or({true | ...}, and({true | ...}, {true | ...})), {true})");
  });

  it("lower `not { body }` to an empty comprehension, and leave `not` alone without the import", () => {
    const [e] = body("import future.keywords.not", "p if not { input.a; input.b }");
    expect(text(e)).toBe("equal({true | ...}, set())");
    const comp = e?.kind.type === "callexpr" ? e.kind.call.args[0] : undefined;
    expect(comp?.type === "setcomp" ? comp.body.length : 0).toBe(2);
    const [plain] = body("", "p if not input.a");
    expect(plain?.negated).toBe(true);
  });

  it("are keywords only when imported, and keep and(..)/or(..) callable", () => {
    expect(errorOf(() => body("", "p if { input.a or input.b }")).code).toBe("rego_parse_error");
    const [e] = body("import future.keywords.or", "p if or({1}, {2}) == {1, 2}");
    expect(text(e)).toBe("equal(or({1}, {2}), {1, 2})");
  });
});
