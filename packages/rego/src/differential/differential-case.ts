// Differential testing, case stage: one question asked of both OPA and the engine (modules,
// data, input, query and evaluation options), and how it is laid out as files for the CLIs.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Json } from "../value/json.js";

/** A question asked of both OPA and the engine. */
export interface DifferentialCase {
  /** Where the case comes from: a conformance note, or `generated #n (seed s)`. */
  readonly id: string;
  /** Rego sources, in order (files `mod-<i>.rego`). */
  readonly modules: readonly string[];
  readonly data: Json | undefined;
  readonly input: Json | undefined;
  readonly query: string;
  readonly regoVersion: 0 | 1;
  /** `--strict-builtin-errors`: builtin errors are raised instead of making the call undefined. */
  readonly strictBuiltinErrors: boolean;
}

/** A case written out as files: the paths to hand both CLIs (absolute, so error locations match). */
export interface CaseFiles {
  readonly dir: string;
  readonly modules: readonly string[];
  readonly data: string | undefined;
  readonly input: string | undefined;
  /** Removes the files. */
  readonly remove: () => void;
}

let scratchRoot: string | undefined;

/** Writes the case's modules, data and input under a fresh folder of the run's scratch directory. */
export function writeCaseFiles(c: DifferentialCase): CaseFiles {
  scratchRoot ??= mkdtempSync(join(tmpdir(), "keygate-differential-"));
  const dir = mkdtempSync(join(scratchRoot, "case-"));
  mkdirSync(dir, { recursive: true });
  const modules = c.modules.map((source, i) => {
    const path = join(dir, `mod-${i}.rego`);
    writeFileSync(path, source);
    return path;
  });
  let data: string | undefined;
  if (c.data !== undefined) {
    data = join(dir, "data.json");
    writeFileSync(data, JSON.stringify(c.data));
  }
  let input: string | undefined;
  if (c.input !== undefined) {
    input = join(dir, "input.json");
    writeFileSync(input, JSON.stringify(c.input));
  }
  return { dir, modules, data, input, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Removes the run's scratch directory (at the end of a run). */
export function removeScratch(): void {
  if (scratchRoot !== undefined) rmSync(scratchRoot, { recursive: true, force: true });
  scratchRoot = undefined;
}

/** The case as a person reads it in a repro: each module, the input, the data and the query. */
export function describeCase(c: DifferentialCase): string {
  const lines: string[] = [];
  c.modules.forEach((m, i) => {
    lines.push(`--- module mod-${i}.rego (rego v${c.regoVersion})`, m.trimEnd());
  });
  if (c.data !== undefined) lines.push(`--- data: ${JSON.stringify(c.data)}`);
  lines.push(`--- input: ${c.input === undefined ? "(none)" : JSON.stringify(c.input)}`);
  lines.push(`--- query: ${c.query}${c.strictBuiltinErrors ? "   (--strict-builtin-errors)" : ""}`);
  return lines.join("\n");
}
