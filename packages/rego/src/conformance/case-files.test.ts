import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findCaseFiles, loadCases, matchesFilter, OWN_CASES_DIR, OWN_CASES_PREFIX } from "./case-files.js";

const root = mkdtempSync(join(tmpdir(), "keygate-conformance-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string): void {
  const p = join(root, rel);
  mkdirSync(join(p, ".."), { recursive: true });
  writeFileSync(p, text);
}

const ONE_CASE = (note: string) => `cases:\n  - note: ${note}\n    query: x = 1\n    want_result: [{x: 1}]\n`;

write("opa/v1/every/test-every.yaml", ONE_CASE("every/one"));
write("opa/v1/every/notes.txt", "not a case file");
write("opa/v0/all/test-all.yaml", ONE_CASE("all/one"));
write("opa/v1/broken/test-broken.yaml", "cases: [\n");

describe("findCaseFiles", () => {
  it("finds YAML case files with their feature folder and Rego version, sorted", () => {
    expect(
      findCaseFiles(join(root, "opa")).map(({ file, folder, regoVersion }) => [file, folder, regoVersion]),
    ).toEqual([
      ["v0/all/test-all.yaml", "v0/all", 0],
      ["v1/broken/test-broken.yaml", "v1/broken", 1],
      ["v1/every/test-every.yaml", "v1/every", 1],
    ]);
  });

  it("puts a prefix before the folders and files of another case set", () => {
    expect(findCaseFiles(join(root, "opa", "v0"), "keygate").map((f) => [f.file, f.folder])).toEqual([
      ["keygate/all/test-all.yaml", "keygate/v0/all"],
    ]);
  });

  it("finds Keygate's own cases in the repository", () => {
    const own = findCaseFiles(OWN_CASES_DIR, OWN_CASES_PREFIX);
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((f) => f.folder.startsWith("keygate/v0/") || f.folder.startsWith("keygate/v1/"))).toBe(
      true,
    );
  });

  it("takes the version from the folder itself when pointed at v0/ or v1/", () => {
    expect(findCaseFiles(join(root, "opa", "v0")).map((f) => [f.folder, f.regoVersion])).toEqual([
      ["v0/all", 0],
    ]);
  });
});

describe("loadCases", () => {
  it("loads every case, and a file that cannot be read as one malformed case", () => {
    const cases = loadCases(findCaseFiles(join(root, "opa")));
    expect(cases.map((c) => [c.note, c.problem === undefined])).toEqual([
      ["all/one", true],
      ["v1/broken/test-broken.yaml", false],
      ["every/one", true],
    ]);
    expect(cases[1]?.problem).toMatch(/not valid YAML/);
  });
});

describe("matchesFilter", () => {
  const c = { folder: "v1/every", note: "every/domain is an object" };
  it("selects by folder with or without version, by version alone, or by part of the note", () => {
    expect(matchesFilter(c, undefined)).toBe(true);
    expect(matchesFilter(c, "v1/every")).toBe(true);
    expect(matchesFilter(c, "every")).toBe(true);
    expect(matchesFilter(c, "v1")).toBe(true);
    expect(matchesFilter(c, "domain is an object")).toBe(true);
    expect(matchesFilter(c, "v0")).toBe(false);
    expect(matchesFilter(c, "withkeyword")).toBe(false);
  });
});
