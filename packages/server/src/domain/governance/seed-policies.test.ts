import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { extractJsonSamples, extractRegoModules } from "./documented-examples.js";
import { seed000Policies, seed002Samples, seed003Policies } from "./seed-policies.js";

describe("documented examples", () => {
  it("takes a numbered module by its gutter and an unnumbered one by its braces", () => {
    const page = [
      "Intro",
      "By name",
      " 1",
      " 2",
      " 3",
      "package a",
      "allow { input.x }",
      "# end",
      "Next heading",
      "  Unnumbered:",
      "    package b",
      "",
      "    deny[msg] {",
      '    msg := "}"',
      "    }",
      "  3. prose again",
    ].join("\n");
    const modules = extractRegoModules(page);
    expect(modules).toEqual([
      { title: "By name", source: "package a\nallow { input.x }\n# end\n", line: 6 },
      { title: "Unnumbered:", source: 'package b\n\ndeny[msg] {\nmsg := "}"\n}\n', line: 11 },
    ]);
  });

  it("parses JSON samples, tolerating trailing commas, with their Sample heading", () => {
    const page = ["Sample Payload", "note", "{", '"a": {', '"b": 1', "},", "}", "after"].join("\n");
    expect(extractJsonSamples(page)).toEqual([{ title: "Sample Payload", value: { a: { b: 1 } }, line: 3 }]);
  });
});

describe.skipIf(seed000Policies() === undefined)("seed 000 policies", () => {
  it("finds the four deny policies with their limits", () => {
    const policies = seed000Policies()!;
    expect([...policies.keys()].sort()).toEqual([
      "block-service-tokens",
      "block-user-tokens",
      "scheduled-expire-limit",
      "valid-to-limit",
    ]);
    for (const p of policies.values()) {
      expect(p.source.startsWith("package opapolicy\n")).toBe(true);
      expect(p.source.trimEnd().endsWith("}")).toBe(true);
    }
    expect(policies.get("valid-to-limit")?.limit).toBeGreaterThan(1_700_000_000_000);
    expect(policies.get("scheduled-expire-limit")?.limit).toBeGreaterThan(1_700_000_000_000);
  });
});

describe.skipIf(seed003Policies() === undefined)("seed 003 policies", () => {
  it("finds the template and the eight examples, gutters removed", () => {
    const { template, examples } = seed003Policies()!;
    expect(template.source).toContain("roles[space][role_id]");
    expect(examples.map((e) => e.name)).toHaveLength(8);
    for (const e of examples) {
      expect(e.source.startsWith("package spacelift\n")).toBe(true);
      expect(e.source).not.toMatch(/^\s*\d+\s*$/m);
    }
    expect(examples.map((e) => e.name)).toContain("ip-restricted-api-keys");
  });
});

describe.skipIf(seed002Samples() === undefined)("seed 002 samples", () => {
  it("finds the request payloads and responses", () => {
    const samples = seed002Samples()!;
    const titles = samples.map((s) => s.title);
    expect(titles).toContain("Sample Payload (OPA)");
    expect(titles).toContain("Sample Payload (Sentinel)");
    expect(titles).toContain("Sample Response (OPA)");
    expect(titles.filter((t) => t === "Sample Payload")).toHaveLength(1);
  });
});

describe("a seed that is present but lacks what the tests expect", () => {
  const saved = process.env.KEYGATE_SEEDS_DIR;
  let dir: string | undefined;
  afterEach(() => {
    if (saved === undefined) delete process.env.KEYGATE_SEEDS_DIR;
    else process.env.KEYGATE_SEEDS_DIR = saved;
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  function seedsWith(files: Record<string, string>): void {
    dir = mkdtempSync(join(tmpdir(), "keygate-seeds-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    process.env.KEYGATE_SEEDS_DIR = dir;
  }

  it("is undefined when the seed is absent", () => {
    seedsWith({});
    expect(seed000Policies()).toBeUndefined();
    expect(seed002Samples()).toBeUndefined();
    expect(seed003Policies()).toBeUndefined();
  });

  it("throws, naming what is missing, when the extraction finds nothing", () => {
    seedsWith({ "000_x.txt": "no policies here", "002_x.txt": "no samples", "003_x.txt": "no rego" });
    expect(() => seed000Policies()).toThrow(/seed 000 is present but its policies block-user-tokens/);
    expect(() => seed002Samples()).toThrow(/seed 002 is present/);
    expect(() => seed003Policies()).toThrow(/seed 003 is present/);
  });
});
