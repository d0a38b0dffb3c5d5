import { describe, expect, it } from "vitest";
import { Engine, type EngineOptions } from "../engine/engine.js";
import { errorOf } from "../test-support/error-of.js";

const MODES = [
  { name: "planned", options: {} },
  { name: "interpreted", options: { interpretOnly: true } },
] as const;

function engine(sources: readonly string[], options: EngineOptions = {}): Engine {
  const e = new Engine(options);
  e.addModules(sources.map((source, i) => ({ file: `m${i}.rego`, source })));
  return e;
}

// Every case runs with rule plans and with the interpreter only: both must agree.
for (const { name, options } of MODES) {
  const value = (sources: readonly string[], query: string): unknown => {
    const rs = engine(sources, options).evalQuery(query);
    return rs.length === 0 ? undefined : rs[0]?.expressions[0]?.value;
  };

  describe(`rego.metadata.rule() and rego.metadata.chain() (${name})`, () => {
    // The three cases of OPA's test/cases/testdata/v1/regometadatachain.
    it("returns the chain of a rule: its own block, then its package's", () => {
      const src = `# METADATA
# description: The Rego test suite
package testing

# METADATA
# title: Testing annotations
# authors:
# - The OPA contributors
p := x if {
	x := rego.metadata.chain()
}`;
      expect(value([src], "data.testing.p")).toEqual([
        {
          annotations: {
            authors: [{ name: "The OPA contributors" }],
            scope: "rule",
            title: "Testing annotations",
          },
          path: ["testing", "p"],
        },
        { annotations: { description: "The Rego test suite", scope: "package" }, path: ["testing"] },
      ]);
    });

    it("puts the document block of the rule's path after the rule's own block", () => {
      const src = `# METADATA
# description: The Rego test suite
package testing

# METADATA
# scope: document
# title: Testing annotations
# authors:
# - The OPA contributors
p := "foo" if {
	false
}

# METADATA
# title: Another annotation
p := x if {
	x := rego.metadata.chain()
}`;
      expect(value([src], "data.testing.p")).toEqual([
        { annotations: { scope: "rule", title: "Another annotation" }, path: ["testing", "p"] },
        {
          annotations: {
            authors: [{ name: "The OPA contributors" }],
            scope: "document",
            title: "Testing annotations",
          },
          path: ["testing", "p"],
        },
        { annotations: { description: "The Rego test suite", scope: "package" }, path: ["testing"] },
      ]);
    });

    it("finds package annotations declared in another module of the package", () => {
      const a =
        "# METADATA\n# description: A set of package annotations seen across multiple modules\npackage testing\n";
      const b = "package testing\n\np := rego.metadata.chain()\n";
      expect(value([a, b], "data.testing.p")).toEqual([
        { path: ["testing", "p"] },
        {
          annotations: {
            description: "A set of package annotations seen across multiple modules",
            scope: "package",
          },
          path: ["testing"],
        },
      ]);
    });

    it("returns the rule's own annotations from rego.metadata.rule(), or {}", () => {
      const src = `package p

# METADATA
# title: Deny invalid numbers
# description: Numbers may not be higher than 5
# related_resources:
# - https://example.com/numbers
# organizations: [Acme]
# schemas:
#   - input: schema.input
#   - input.n: {type: number}
# custom:
#  severity: MEDIUM
#  weight: 2.5
#  limit: 5
output := {"severity": a.custom.severity, "message": a.description, "all": a} if {
	input.number > 5
	a := rego.metadata.rule()
}

plain := rego.metadata.rule()
`;
      const e = engine([src], options);
      const rs = e.evalQuery("data.p", { input: { number: 11 } });
      expect(rs[0]?.expressions[0]?.value).toEqual({
        output: {
          severity: "MEDIUM",
          message: "Numbers may not be higher than 5",
          all: {
            scope: "rule",
            title: "Deny invalid numbers",
            description: "Numbers may not be higher than 5",
            related_resources: [{ ref: "https://example.com/numbers" }],
            organizations: ["Acme"],
            schemas: [
              { path: ["input"], schema: ["schema", "input"] },
              { path: ["input", "n"], definition: { type: "number" } },
            ],
            custom: { severity: "MEDIUM", weight: 2.5, limit: 5 },
          },
        },
        plain: {},
      });
    });

    it("gives the block closest above a rule first, when several are", () => {
      const src =
        "package p\n# METADATA\n# title: far\n\n# METADATA\n# title: near\nr := [rego.metadata.rule().title, [l.annotations.title | some l in rego.metadata.chain()]]\n";
      expect(value([src], "data.p.r")).toEqual(["near", ["near", "far"]]);
    });

    it("walks subpackages blocks from the package up to the root, across modules", () => {
      const root = "# METADATA\n# scope: subpackages\n# organizations: [Acme]\npackage org\n";
      const team = "# METADATA\n# description: the team\npackage org.team\n";
      const rules = "package org.team\n\np := rego.metadata.chain()\n";
      const own =
        "# METADATA\n# scope: subpackages\n# title: team and below\npackage org.team.x\n\nq := rego.metadata.chain()\n";
      expect(value([root, team, rules, own], "data.org.team.p")).toEqual([
        { path: ["org", "team", "p"] },
        { annotations: { description: "the team", scope: "package" }, path: ["org", "team"] },
        { annotations: { organizations: ["Acme"], scope: "subpackages" }, path: ["org"] },
      ]);
      expect(value([root, team, rules, own], "data.org.team.x.q")).toEqual([
        { path: ["org", "team", "x", "q"] },
        { annotations: { scope: "subpackages", title: "team and below" }, path: ["org", "team", "x"] },
        { annotations: { organizations: ["Acme"], scope: "subpackages" }, path: ["org"] },
      ]);
    });

    it("applies a document block to every definition of the rule, in every module", () => {
      const a = `package x
# METADATA
# scope: document
# title: the document
p contains "a" if true
`;
      const b = `package x

p contains t if { t := rego.metadata.chain()[1].annotations.title }

# METADATA
# title: own
p contains t if { t := [l.annotations.title | some l in rego.metadata.chain()] }

p contains t if { t := rego.metadata.rule() }
`;
      // A set: OPA orders arrays before objects.
      expect(value([a, b], "data.x.p")).toEqual(["a", "the document", ["own", "the document"], {}]);
    });

    it("replaces calls in the head, comprehensions, every, some-in, with values and functions", () => {
      const src = `package p

# METADATA
# title: t
head := rego.metadata.rule().title

# METADATA
# title: c
comp := [x | some l in rego.metadata.chain(); x := l.path]

# METADATA
# title: e
ev if every l in rego.metadata.chain() { l.path[0] == "p" }

# METADATA
# title: w
wi := x if { x := input.v with input.v as rego.metadata.rule().title }

# METADATA
# title: f
f(n) := [n, rego.metadata.rule().title]

# METADATA
# title: out
out if { rego.metadata.rule(x); x.title == "out" }
`;
      expect(value([src], "data.p")).toEqual({
        head: "t",
        comp: [["p", "comp"]],
        ev: true,
        wi: "w",
        out: true,
      });
      expect(value([src], "data.p.f(1)")).toEqual([1, "f"]);
    });

    it("gives else branches no rule-scoped annotations of their own, as OPA", () => {
      const src = `package p

# METADATA
# title: g
g(x) := rego.metadata.rule() if x == 1
else := rego.metadata.rule() if x == 2
else := rego.metadata.chain()
`;
      expect(value([src], "data.p.g(1)")).toEqual({ scope: "rule", title: "g" });
      expect(value([src], "data.p.g(2)")).toEqual({});
      expect(value([src], "data.p.g(3)")).toEqual([{ path: ["p", "g"] }]);
    });

    it("drops `not` from a bare call, as OPA's rewrite does", () => {
      // OPA turns `not rego.metadata.rule()` into the (non-negated) value.
      expect(value(["package p\nn if not rego.metadata.rule()\n"], "data.p.n")).toBe(true);
    });

    it("works in Rego v0 modules", () => {
      const src = `# METADATA
# title: pkg
package p

# METADATA
# title: allow rule
allow { rego.metadata.rule().title == "allow rule" }

chain = rego.metadata.chain()
`;
      expect(value([src], "data.p")).toEqual({
        allow: true,
        chain: [{ path: ["p", "chain"] }, { annotations: { scope: "package", title: "pkg" }, path: ["p"] }],
      });
    });

    it("keeps the names of packages and imports that shadow `rego`", () => {
      const lib = 'package self.metadata\n\nchain(x) := "foo"\nrule := "bar"\n';
      const use =
        "package test\nimport data.self as rego\n\np := rego.metadata.chain(42)\nq := rego.metadata.rule\n";
      expect(value([lib, use], "data.test")).toEqual({ p: "foo", q: "bar" });
    });

    it("fails in a query, as OPA: undefined, or a builtin error when strict", () => {
      expect(engine([], options).evalQuery("x := rego.metadata.chain()")).toEqual([]);
      const strict = engine([], { ...options, strictBuiltinErrors: true });
      const err = errorOf(() => strict.evalQuery("x := rego.metadata.rule()"));
      expect(err.code).toBe("eval_builtin_error");
      expect(err.message).toContain(
        "rego.metadata.rule: the rego.metadata.rule function must only be called within the scope of a rule",
      );
    });
  });
}

describe("annotations across modules: compile errors", () => {
  it("rejects a package, document or subpackages block declared twice for one path", () => {
    const pkg = errorOf(() =>
      engine(["# METADATA\n# title: a\npackage x\n", "# METADATA\n# title: b\npackage x\n"]),
    );
    expect(pkg.errors).toEqual([
      {
        code: "rego_type_error",
        message: "package annotation redeclared: m0.rego:1",
        location: { file: "m1.rego", row: 1, col: 1, offset: 0 },
      },
    ]);
    const doc = "package x\n# METADATA\n# scope: document\np := 1\n";
    expect(errorOf(() => engine([doc, doc.replace("p := 1", "p := 2")])).errors[0]?.message).toBe(
      "document annotation redeclared: m0.rego:2",
    );
    const sub = "# METADATA\n# scope: subpackages\npackage x\n";
    expect(errorOf(() => engine([sub, sub])).errors[0]?.message).toBe(
      "subpackages annotation redeclared: m0.rego:1",
    );
  });

  it("rejects a value that has no JSON form, when a rule reads it", () => {
    const src = "package x\n# METADATA\n# custom:\n#   f: .inf\np := rego.metadata.rule()\n";
    const err = errorOf(() => engine([src]));
    expect(err.errors).toEqual([
      {
        code: "rego_compile_error",
        message: "invalid custom annotation json: unsupported value: +Inf",
        location: { file: "m0.rego", row: 2, col: 1, offset: 10 },
      },
    ]);
    // Unread, such a value is no error (OPA converts annotations only for these builtins).
    expect(() => engine([src.replace("rego.metadata.rule()", "1")])).not.toThrow();
  });
});
