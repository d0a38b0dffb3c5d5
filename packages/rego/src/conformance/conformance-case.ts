// Conformance, loading stage: reads OPA's YAML case files (`test/cases` format) into typed
// cases. A malformed case becomes a case with a `problem`, so it counts as a failure with a
// clear reason instead of stopping the run.

import { parse as parseYaml } from "yaml";
import type { Json } from "../value/json.js";
import type { Bindings } from "./result-comparison.js";

/** The input a case gives its query. */
export type CaseInput =
  | { readonly kind: "none" }
  | { readonly kind: "json"; readonly value: Json }
  /** `input_term`: a Rego term as text. */
  | { readonly kind: "term"; readonly text: string };

/** One conformance case, as OPA's case runner reads it. */
export interface ConformanceCase {
  /** The case file, relative to the conformance folder. */
  readonly file: string;
  /** The feature folder, with its version: `v1/withkeyword`. */
  readonly folder: string;
  readonly regoVersion: 0 | 1;
  /** Unique id of the case. */
  readonly note: string;
  readonly query: string;
  readonly modules: readonly string[];
  readonly data: Json | undefined;
  readonly input: CaseInput;
  readonly wantResult: readonly Bindings[] | undefined;
  readonly wantDefined: boolean | undefined;
  readonly wantErrorCode: string | undefined;
  readonly wantError: string | undefined;
  readonly sortBindings: boolean;
  readonly strictError: boolean;
  /** Set when the case itself is malformed: what is wrong with it. */
  readonly problem: string | undefined;
}

/** Where a case file sits: its path relative to the conformance folder, feature folder and version. */
export interface CaseFilePlace {
  readonly file: string;
  readonly folder: string;
  readonly regoVersion: 0 | 1;
}

/** Parses the text of one case file; throws an Error naming the file when it is not a case file at all. */
export function parseCaseFile(text: string, place: CaseFilePlace): ConformanceCase[] {
  let doc: unknown;
  try {
    // OPA reads case files with go-yaml v2 through a YAML-to-JSON step: YAML 1.1 scalars
    // (`yes` is true), and timestamps stay text.
    doc = parseYaml(text, {
      version: "1.1",
      customTags: (tags) =>
        tags.filter((t) => typeof t === "string" || t.tag !== "tag:yaml.org,2002:timestamp"),
    });
  } catch (e) {
    throw new Error(`${place.file}: not valid YAML: ${(e as Error).message}`);
  }
  if (!isRecord(doc) || !Array.isArray(doc.cases)) {
    throw new Error(`${place.file}: expected a top-level "cases:" list`);
  }
  return doc.cases.map((raw, i) => readCase(raw, i, place));
}

function readCase(raw: unknown, index: number, place: CaseFilePlace): ConformanceCase {
  const problems: string[] = [];
  const rec = isRecord(raw) ? raw : {};
  if (!isRecord(raw)) problems.push(`case #${index + 1} is not a mapping`);

  const note = typeof rec.note === "string" ? rec.note : `${place.file}#${index + 1}`;
  if (typeof rec.note !== "string") problems.push(`case #${index + 1} has no "note"`);
  const query = typeof rec.query === "string" ? rec.query : "";
  if (typeof rec.query !== "string") problems.push(`"query" must be a string`);

  let modules: string[] = [];
  if (rec.modules !== undefined && rec.modules !== null) {
    if (Array.isArray(rec.modules) && rec.modules.every((m) => typeof m === "string")) modules = rec.modules;
    else problems.push(`"modules" must be a list of strings`);
  }

  let input: CaseInput = { kind: "none" };
  if (rec.input_term !== undefined && rec.input_term !== null) {
    if (typeof rec.input_term === "string") input = { kind: "term", text: rec.input_term };
    else problems.push(`"input_term" must be a string`);
  } else if (rec.input !== undefined) {
    input = { kind: "json", value: toJsonValue(rec.input) };
  }

  let wantResult: Bindings[] | undefined;
  if (rec.want_result !== undefined && rec.want_result !== null) {
    if (Array.isArray(rec.want_result) && rec.want_result.every(isRecord)) {
      wantResult = rec.want_result.map((b) => toJsonValue(b) as Bindings);
    } else {
      problems.push(`"want_result" must be a list of binding objects`);
    }
  } else if (rec.want_result === null) {
    wantResult = [];
  }

  const wantDefined = optional(rec.want_defined, "boolean", "want_defined", problems);
  const wantErrorCode = optional(rec.want_error_code, "string", "want_error_code", problems);
  const wantError = optional(rec.want_error, "string", "want_error", problems);
  if (
    wantResult === undefined &&
    wantDefined === undefined &&
    wantErrorCode === undefined &&
    wantError === undefined
  ) {
    problems.push(`expected one of "want_result", "want_defined", "want_error_code" or "want_error"`);
  }

  return {
    ...place,
    note,
    query,
    modules,
    data: rec.data === undefined || rec.data === null ? undefined : toJsonValue(rec.data),
    input,
    wantResult,
    wantDefined,
    wantErrorCode,
    wantError,
    sortBindings: rec.sort_bindings === true,
    strictError: rec.strict_error === true,
    problem: problems.length > 0 ? problems.join("; ") : undefined,
  };
}

function optional<T extends "boolean" | "string">(
  v: unknown,
  type: T,
  name: string,
  problems: string[],
): (T extends "boolean" ? boolean : string) | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== type) {
    problems.push(`"${name}" must be a ${type}`);
    return undefined;
  }
  return v as T extends "boolean" ? boolean : string;
}

/** Turns what the YAML parser produced into JSON (big integers become doubles, as results do). */
function toJsonValue(v: unknown): Json {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case "boolean":
    case "string":
      return v;
    case "number":
      return v;
    case "bigint":
      return Number(v);
    case "object": {
      if (Array.isArray(v)) return v.map(toJsonValue);
      const out: { [key: string]: Json } = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = toJsonValue(x);
      return out;
    }
    default:
      return String(v);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
