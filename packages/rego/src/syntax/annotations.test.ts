import { describe, expect, it } from "vitest";
import { RegoError } from "../errors.js";
import type { Module } from "./ast.js";
import { parseModule } from "./parser.js";

function parseError(source: string): { message: string; code: string; row: number | undefined }[] {
  try {
    parseModule("m.rego", source);
  } catch (e) {
    if (e instanceof RegoError)
      return e.errors.map((d) => ({ message: d.message, code: d.code, row: d.location?.row }));
    throw e;
  }
  throw new Error("expected a parse error");
}

/** Scope, target and title of each annotation of a module. */
function attached(m: Module): [string, string, string][] {
  return m.annotations.map((a) => [
    a.scope,
    a.target.type === "package" ? "package" : `rule ${a.target.ruleIndex}`,
    a.title,
  ]);
}

describe("annotations: attaching METADATA blocks", () => {
  it("attaches a block to the package or rule below it, with that statement's default scope", () => {
    const m = parseModule(
      "m.rego",
      `# METADATA
# title: the package
package p

# METADATA
# title: the rule
allow if true

# METADATA
# title: an entrypoint
# entrypoint: true
main := allow

# METADATA
# scope: document
# title: the document
allow if false
`,
    );
    expect(attached(m)).toEqual([
      ["package", "package", "the package"],
      ["rule", "rule 0", "the rule"],
      // An entrypoint on a rule is about the whole document.
      ["document", "rule 1", "an entrypoint"],
      ["document", "rule 2", "the document"],
    ]);
    expect(m.annotations[0]?.location).toMatchObject({ file: "m.rego", row: 1, col: 1 });
  });

  it("accepts the subpackages scope on a package", () => {
    const m = parseModule("m.rego", "# METADATA\n# scope: subpackages\n# title: all below\npackage a.b\n");
    expect(attached(m)).toEqual([["subpackages", "package", "all below"]]);
  });

  it("attaches several blocks above one rule to that rule", () => {
    const m = parseModule(
      "m.rego",
      "package p\n# METADATA\n# title: far\n\n# METADATA\n# title: near\np := 1\n",
    );
    expect(attached(m)).toEqual([
      ["rule", "rule 0", "far"],
      ["rule", "rule 0", "near"],
    ]);
  });

  it("rejects an unknown scope", () => {
    expect(parseError("package p\n# METADATA\n# scope: module\np := 1\n")).toEqual([
      {
        code: "rego_parse_error",
        message:
          "invalid annotation scope 'module'. Use one of 'rule', 'document', 'package', or 'subpackages'",
        row: 2,
      },
    ]);
  });

  it("rejects a scope that does not suit the statement below", () => {
    expect(parseError("# METADATA\n# scope: rule\npackage p\n")[0]?.message).toBe(
      "annotation scope 'rule' must be applied to rule (have package)",
    );
    expect(parseError("package p\n# METADATA\n# scope: package\np := 1\n")[0]?.message).toBe(
      "annotation scope 'package' must be applied to package (have rule)",
    );
    expect(parseError("package p\n# METADATA\n# entrypoint: true\n# scope: rule\np := 1\n")[0]?.message).toBe(
      "annotation entrypoint applied to non-document or package scope 'rule'",
    );
  });

  it("rejects a block above an import, or above nothing", () => {
    expect(parseError("package p\n# METADATA\n# title: x\nimport data.q\n")[0]?.message).toBe(
      "invalid annotation scope 'import'. Use one of 'rule', 'document', 'package', or 'subpackages'",
    );
    expect(parseError("package p\np := 1\n# METADATA\n# title: x\n")[0]?.message).toBe(
      "invalid annotation scope ''. Use one of 'rule', 'document', 'package', or 'subpackages'",
    );
    expect(parseError("package p\np := 1\n# METADATA\n# scope: rule\n")[0]?.message).toBe(
      "annotation scope 'rule' must be applied to rule",
    );
  });

  it("reports YAML errors as parse errors even when the module is otherwise fine", () => {
    const [e] = parseError("package p\n# METADATA\n# title: [x\np := 1\n");
    expect(e).toMatchObject({ code: "rego_parse_error", row: 3 });
    expect(e?.message).toMatch(/^yaml: line /);
  });

  it("reads blocks in Rego v0 modules too, and reports their errors as such", () => {
    const m = parseModule(
      "m.rego",
      "# METADATA\n# title: pkg\npackage p\n\n# METADATA\n# title: v0\nallow { true }\n",
    );
    expect(m.regoVersion).toBe(0);
    expect(attached(m)).toEqual([
      ["package", "package", "pkg"],
      ["rule", "rule 0", "v0"],
    ]);
    expect(parseError("package p\n# METADATA\n# scope: package\nallow { true }\n")[0]?.message).toBe(
      "annotation scope 'package' must be applied to package (have rule)",
    );
  });
});

describe("annotations: the annotations of each rule (Rule.annotations)", () => {
  it("gives a rule its own block and every document block of its path", () => {
    const m = parseModule(
      "m.rego",
      `package p

# METADATA
# scope: document
# title: doc
allow if input.a

# METADATA
# title: second
allow if input.b

allow if input.c

other := 1
`,
    );
    expect(m.rules.map((r) => r.annotations.map((a) => a.title))).toEqual([
      ["doc"],
      ["doc", "second"],
      ["doc"],
      [],
    ]);
    expect(m.rules[0]?.elseRule).toBeUndefined();
  });

  it("keeps comments, METADATA blocks among them", () => {
    const m = parseModule("m.rego", "package p\n# METADATA\n# title: t\np := 1 # trailing\n");
    expect(m.comments.map((c) => c.text)).toEqual([" METADATA", " title: t", " trailing"]);
  });
});
