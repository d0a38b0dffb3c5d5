// Conformance, loading stage: finds the case files under the conformance folder (feature
// folders under `v0/` and `v1/`) and loads their cases; selects cases by folder or note.

import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { type ConformanceCase, parseCaseFile } from "./conformance-case.js";

/** Where the conformance data lives by default: `<repo>/../shared/conformance/opa`. */
export const DEFAULT_CONFORMANCE_DIR = fileURLToPath(
  new URL("../../../../../shared/conformance/opa", import.meta.url),
);

/**
 * Keygate's own cases, in OPA's case format: `packages/rego/conformance-cases/v1/<feature>/*.yaml`
 * (same place from `src/` and `dist/`). They hold what OPA's shared sample misses, and run with it.
 */
export const OWN_CASES_DIR = fileURLToPath(new URL("../../conformance-cases", import.meta.url));

/** The folder prefix of Keygate's own cases in reports (`keygate/v1/zero-arg-functions`). */
export const OWN_CASES_PREFIX = "keygate";

/** A case file found under the conformance folder. */
export interface CaseFileEntry {
  readonly path: string;
  readonly file: string;
  readonly folder: string;
  readonly regoVersion: 0 | 1;
}

/**
 * Lists every `.yaml`/`.yml` case file under the folder, sorted, with its feature folder and
 * version; `prefix` (e.g. `keygate`) is put before folders and files to tell other case sets apart.
 */
export function findCaseFiles(dir: string, prefix?: string): CaseFileEntry[] {
  const rootVersion = versionOf(basename(dir));
  const out: CaseFileEntry[] = [];
  for (const path of walk(dir)) {
    const file = relative(dir, path).split(sep).join("/");
    const parts = file.split("/");
    const topVersion = parts.length > 1 ? versionOf(parts[0] as string) : undefined;
    const regoVersion = topVersion ?? rootVersion ?? 1;
    const featureDir = dirname(file) === "." ? basename(dir) : dirname(file);
    const folder =
      topVersion !== undefined || rootVersion === undefined ? featureDir : `v${regoVersion}/${featureDir}`;
    if (prefix === undefined) out.push({ path, file, folder, regoVersion });
    else out.push({ path, file: `${prefix}/${file}`, folder: `${prefix}/${folder}`, regoVersion });
  }
  return out;
}

/** Loads every case of the given files; a file that cannot be read becomes one malformed case. */
export function loadCases(files: readonly CaseFileEntry[]): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const f of files) {
    const place = { file: f.file, folder: f.folder, regoVersion: f.regoVersion };
    try {
      cases.push(...parseCaseFile(readFileSync(f.path, "utf8"), place));
    } catch (e) {
      cases.push(malformedFile(place, (e as Error).message));
    }
  }
  return cases;
}

/** Whether a case is selected by a filter: its folder (with or without version) or part of its note. */
export function matchesFilter(
  c: Pick<ConformanceCase, "folder" | "note">,
  filter: string | undefined,
): boolean {
  if (filter === undefined || filter === "") return true;
  if (c.folder === filter || c.folder.startsWith(`${filter}/`)) return true;
  if (c.folder.slice(c.folder.indexOf("/") + 1) === filter) return true;
  return c.note === filter || c.note.includes(filter);
}

function malformedFile(
  place: { file: string; folder: string; regoVersion: 0 | 1 },
  problem: string,
): ConformanceCase {
  return {
    ...place,
    note: place.file,
    query: "",
    modules: [],
    data: undefined,
    input: { kind: "none" },
    wantResult: undefined,
    wantDefined: undefined,
    wantErrorCode: undefined,
    wantError: undefined,
    sortBindings: false,
    strictError: false,
    problem,
  };
}

function versionOf(name: string): 0 | 1 | undefined {
  return name === "v0" ? 0 : name === "v1" ? 1 : undefined;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}
