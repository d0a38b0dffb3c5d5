import { describe, expect, it } from "vitest";
import { lex } from "./lexer.js";
import { METADATA_MAX_CHARS, type MetadataBlock, parseMetadataBlocks } from "./metadata-block.js";

/** The METADATA blocks of a source (its comments only matter). */
function blocks(source: string) {
  return parseMetadataBlocks(lex("m.rego", source).comments);
}

function one(source: string): MetadataBlock {
  const { blocks: bs, errors } = blocks(source);
  expect(errors).toEqual([]);
  expect(bs).toHaveLength(1);
  return bs[0] as MetadataBlock;
}

function error(source: string): { message: string; row: number | undefined } {
  const { blocks: bs, errors } = blocks(source);
  expect(bs).toEqual([]);
  expect(errors).toHaveLength(1);
  const e = errors[0];
  expect(e?.code).toBe("rego_parse_error");
  return { message: e?.message ?? "", row: e?.location?.row };
}

describe("METADATA blocks: finding them", () => {
  it("reads the comment lines below `# METADATA`, in column 1, up to a gap", () => {
    const { blocks: bs } = blocks(`package p

# METADATA
# title: first
# description: both lines
p := 1
# METADATA
# title: second

# description: not part of the block
  # METADATA
  # title: not in column 1
q := 2
`);
    expect(bs.map((b) => [b.title, b.description, b.location.row])).toEqual([
      ["first", "both lines", 3],
      ["second", "", 7],
    ]);
  });

  it("ends a block at the next METADATA comment", () => {
    const { blocks: bs } = blocks("# METADATA\n# title: a\n# METADATA\n# title: b\npackage p\n");
    expect(bs.map((b) => b.title)).toEqual(["a", "b"]);
  });

  it("rejects a block with nothing in it", () => {
    expect(error("package p\n# METADATA\np := 1\n")).toEqual({
      message: "expected METADATA block, found whitespace",
      row: 2,
    });
  });
});

describe("METADATA blocks: fields", () => {
  it("reads every field OPA documents", () => {
    const b = one(`# METADATA
# scope: rule
# title: My rule
# description: |
#   Two
#   lines
# related_resources:
# - https://example.com/a
# - ref: HTTPS://example.com/b
#   description: "  about b  "
# authors:
# - John Doe <john@example.com>
# - name: Jane Doe
# - email: team@example.com
# organizations:
# - Acme Corp.
# - 1.50
# schemas:
#   - input: schema.input
#   - data.acl: schema["acl-schema"]
#   - input.x: {type: number}
# entrypoint: yes
# custom:
#   severity: HIGH
#   n: 42
#   big: 123456789012345678901234567890
#   f: 1.5
#   ok: true
#   nothing: null
#   list: [1, a]
#   map: {a: {b: 2}}
# ignored: by OPA too
p := 1`);
    expect(b.scope).toBe("rule");
    expect(b.title).toBe("My rule");
    expect(b.description).toBe("Two\nlines\n");
    expect(b.relatedResources).toEqual([
      { ref: "https://example.com/a", description: "" },
      { ref: "https://example.com/b", description: "about b" },
    ]);
    expect(b.authors).toEqual([
      { name: "John Doe", email: "john@example.com" },
      { name: "Jane Doe", email: "" },
      { name: "", email: "team@example.com" },
    ]);
    // Strings are kept as written, as go-yaml decodes a scalar into a string field.
    expect(b.organizations).toEqual(["Acme Corp.", "1.50"]);
    const refText = (r: {
      head: { type: string; name?: string };
      path: readonly { type: string; value?: unknown }[];
    }) => [r.head.name, ...r.path.map((p) => p.value)].join(".");
    expect(b.schemas.map((s) => [refText(s.path), s.schema && refText(s.schema), s.definition])).toEqual([
      ["input", "schema.input", undefined],
      ["data.acl", "schema.acl-schema", undefined],
      ["input.x", undefined, new Map([["type", "number"]])],
    ]);
    // go-yaml reads `yes` into a bool field as true (YAML 1.1 compatibility).
    expect(b.entrypoint).toBe(true);
    expect(b.custom).toEqual(
      new Map<string, unknown>([
        ["severity", "HIGH"],
        ["n", 42n],
        // Past 64 bits go-yaml reads an integer as a float.
        ["big", 1.2345678901234568e29],
        ["f", 1.5],
        ["ok", true],
        ["nothing", null],
        ["list", [1n, "a"]],
        ["map", new Map([["a", new Map([["b", 2n]])]])],
      ]),
    );
  });

  it("leaves absent fields empty and the scope as written", () => {
    const b = one("# METADATA\n# title: t\npackage p\n");
    expect(b).toMatchObject({
      scope: "",
      description: "",
      entrypoint: false,
      organizations: [],
      relatedResources: [],
      authors: [],
      schemas: [],
      custom: undefined,
    });
  });

  it("reads a block of comments only, or `null`, as empty", () => {
    expect(one("# METADATA\n# # only a comment\npackage p\n").title).toBe("");
    expect(one("# METADATA\n# ~\npackage p\n").title).toBe("");
  });

  it("reads only the first YAML document", () => {
    expect(one("# METADATA\n# title: a\n# ---\n# title: [b\npackage p\n").title).toBe("a");
  });

  it("expands aliases and merge keys", () => {
    const b = one(`# METADATA
# custom:
#   base: &base {a: 1, b: 2}
#   copy: *base
#   merged:
#     <<: *base
#     b: 3
package p`);
    expect(b.custom?.get("copy")).toEqual(
      new Map([
        ["a", 1n],
        ["b", 2n],
      ]),
    );
    expect(b.custom?.get("merged")).toEqual(
      new Map([
        ["b", 3n],
        ["a", 1n],
      ]),
    );
  });
});

describe("METADATA blocks: errors", () => {
  it("reports a YAML syntax error at the comment line it is on", () => {
    const e = error("package p\n\n# METADATA\n# title: ok\n# description: a: b\np := 1\n");
    expect(e.row).toBe(5);
    expect(e.message).toMatch(/^yaml: line 2: /);
  });

  it("reports go-yaml's type errors, every one of them", () => {
    const e = error(`# METADATA
# title: [a, b]
# entrypoint: maybe
# organizations: Acme
# custom: [1]
package p`);
    expect(e.message).toBe(
      [
        "yaml: unmarshal errors:",
        "  line 1: cannot unmarshal !!seq into string",
        "  line 2: cannot unmarshal !!str `maybe` into bool",
        "  line 3: cannot unmarshal !!str `Acme` into []string",
        "  line 4: cannot unmarshal !!seq into map[string]interface {}",
      ].join("\n"),
    );
    expect(e.row).toBe(2);
  });

  it("rejects a document that is not a mapping, with OPA's hint about `:`", () => {
    const e = error("# METADATA\n# title:x\npackage p\n");
    expect(e.message).toBe(
      "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `title:x` into ast.rawAnnotation\n" +
        "  Hint: on line 2, symbol(s) ['x'] immediately following a key/value separator ':' is not a legal yaml space character",
    );
  });

  it("checks related resources", () => {
    expect(error("# METADATA\n# related_resources:\n# - ''\npackage p").message).toBe(
      "invalid related-resource definition : ref URL may not be empty string",
    );
    expect(error("# METADATA\n# related_resources:\n# - description: x\npackage p").message).toBe(
      "invalid related-resource definition map[description:x]: 'ref' value required in object",
    );
    expect(error("# METADATA\n# related_resources:\n# - ':nope'\npackage p").message).toBe(
      'invalid related-resource definition :nope: parse ":nope": missing protocol scheme',
    );
    expect(error("# METADATA\n# related_resources:\n# - 42\npackage p").message).toBe(
      "invalid related-resource definition %!s(int=42): invalid value type, must be string or map",
    );
  });

  it("checks authors", () => {
    expect(error("# METADATA\n# authors:\n# - '  '\npackage p").message).toBe(
      "invalid author definition   : author is an empty string",
    );
    expect(error("# METADATA\n# authors:\n# - {nick: x}\npackage p").message).toBe(
      "invalid author definition map[nick:x]: 'name' and/or 'email' values required in object",
    );
  });

  it("checks schemas", () => {
    expect(error("# METADATA\n# schemas:\n# - foo: schema.x\npackage p").message).toBe(
      "invalid document reference",
    );
    expect(error("# METADATA\n# schemas:\n# - input: other.x\npackage p").message).toBe(
      "invalid schema reference",
    );
    expect(error("# METADATA\n# schemas:\n# - input: 42\npackage p").message).toBe(
      'invalid schema declaration for path "input"',
    );
  });

  it("rejects mapping keys that are not strings inside values", () => {
    expect(error("# METADATA\n# custom:\n#   a: {1: x}\npackage p").message).toBe(
      "invalid map key type(s): ",
    );
  });

  it("puts field errors at the METADATA line", () => {
    expect(error("package p\n# METADATA\n# authors: [42]\np := 1").row).toBe(2);
  });
});

describe("METADATA blocks: bounds (policies are untrusted)", () => {
  it("reads a large block without aliases", () => {
    const items = Array.from({ length: 12_000 }, () => "1").join(",");
    expect(one(`# METADATA\n# custom: {a: [${items}]}\npackage p`).custom?.get("a")).toHaveLength(12_000);
  });

  it("refuses an alias expansion bomb", () => {
    const e = error(`# METADATA
# custom:
#   a: &a [x, x, x, x, x, x, x, x, x, x]
#   b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
#   c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
#   d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
#   e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
#   f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
package p`);
    expect(e.message).toMatch(/^yaml: document contains excessive aliasing/);
  });

  it("refuses a block that is too large", () => {
    const line = `# description: ${"x".repeat(50)}\n`;
    const src = `# METADATA\n${line.repeat(METADATA_MAX_CHARS / 50)}package p\n`;
    expect(error(src).message).toMatch(/^METADATA block is too large/);
  });

  it("refuses nesting that is too deep", () => {
    const deep = `${"[".repeat(150)}${"]".repeat(150)}`;
    expect(error(`# METADATA\n# custom: {a: ${deep}}\npackage p`).message).toMatch(/^yaml: /);
  });

  it("reports an alias to no anchor", () => {
    expect(error("# METADATA\n# title: *nope\npackage p").message).toBe(
      "yaml: unknown anchor 'nope' referenced",
    );
  });
});
