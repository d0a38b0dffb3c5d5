// Every module (and query) of OPA's conformance cases must parse, except in the cases that
// expect `rego_parse_error`, where at least one of them must fail to parse.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { RegoError } from "../errors.js";
import { parseModule, parseQuery, parseTerm } from "./parser.js";

const ROOT = fileURLToPath(new URL("../../../../../shared/conformance/opa/", import.meta.url));

interface ConformanceCase {
  readonly note: string;
  readonly query?: string;
  readonly modules?: readonly string[];
  readonly input_term?: string;
  readonly want_error_code?: string;
  readonly want_error?: string;
}

/** Every `.yaml` file under a folder, sorted. */
function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (name.endsWith(".yaml") || name.endsWith(".yml")) out.push(p);
  }
  return out;
}

/**
 * The first parse error of a case's modules, query and input term, or undefined. Modules are
 * parsed with version detection, as the engine loads them: a few v1 cases hold v0 modules.
 */
function firstParseError(c: ConformanceCase): RegoError | undefined {
  try {
    for (const [i, src] of (c.modules ?? []).entries()) parseModule(`module_${i}.rego`, src);
    if (c.query !== undefined) parseQuery(c.query);
    if (c.input_term !== undefined) parseTerm(c.input_term);
    return undefined;
  } catch (e) {
    if (e instanceof RegoError) return e;
    throw e;
  }
}

const files = existsSync(ROOT) ? yamlFiles(ROOT) : [];

describe.skipIf(files.length === 0)("OPA conformance modules", () => {
  it("parse unless the case expects rego_parse_error", () => {
    const unexpectedFailures: string[] = [];
    const unexpectedSuccesses: string[] = [];
    let cases = 0;
    for (const file of files) {
      const doc = parseYaml(readFileSync(file, "utf8")) as { cases?: ConformanceCase[] } | null;
      for (const c of doc?.cases ?? []) {
        cases++;
        const err = firstParseError(c);
        const wantParseError = c.want_error_code === "rego_parse_error";
        if (wantParseError && err === undefined) unexpectedSuccesses.push(c.note);
        else if (!wantParseError && err !== undefined && err.code === "rego_parse_error") {
          unexpectedFailures.push(`${c.note}: ${err.message.split("\n")[0]}`);
        } else if (wantParseError && err !== undefined && c.want_error !== undefined) {
          if (!err.message.includes(c.want_error)) {
            unexpectedFailures.push(`${c.note}: wanted "${c.want_error}", got ${err.message.split("\n")[0]}`);
          }
        }
      }
    }
    expect(cases).toBeGreaterThan(0);
    expect(unexpectedFailures).toEqual([]);
    expect(unexpectedSuccesses).toEqual([]);
  });
});
