// CLI, policy commands: `keygate policy eval`, the same JSON shape as `opa eval --format json`.

import {
  Engine,
  type ExactQueryResult,
  RegoError,
  type RegoErrorDetail,
  stringifyExactJson,
} from "@keygate/rego";
import { parsePolicyArgs } from "./policy-args.js";
import { loadPolicyFiles, readDocument } from "./policy-files.js";

const USAGE = `usage: keygate policy eval [-d <file|dir>]... [-i <input.json|yaml>] [--v0|--v1] [--strict-builtin-errors] [--timeout <duration>] [-f json] <query>`;

const EVAL_SPEC = {
  command: "keygate policy eval",
  synopsis: "[-d <file|dir>]... [-i <input.json|yaml>] [--v0|--v1] [--timeout <duration>] [-f json] <query>",
  summary: "Evaluate a Rego query over policy and data files; the output is opa eval --format json's.",
  options: {
    data: {
      type: "string",
      short: "d",
      multiple: true,
      value: "PATH",
      description: "a .rego, .json or .yaml file, or a directory of them",
    },
    input: { type: "string", short: "i", value: "FILE", description: "the input document (JSON or YAML)" },
    v0: { type: "boolean", description: "parse as Rego v0" },
    v1: { type: "boolean", description: "parse as Rego v1 (the default is to detect)" },
    "strict-builtin-errors": { type: "boolean", description: "treat builtin errors as fatal" },
    format: { type: "string", short: "f", value: "FORMAT", description: "json (the only format)" },
    timeout: { type: "string", value: "DURATION", description: "stop after this long (500ms, 2s, 1m)" },
  },
  examples: ["keygate policy eval -d policies/ -i input.json data.authz.allow"],
} as const;

/** Runs `keygate policy eval`; returns the exit code (0 on success, 1 on errors, 2 on usage errors). */
export function policyEval(
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  const parsed = parsePolicyArgs(EVAL_SPEC, argv, out, err);
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    err(`keygate policy eval: expected exactly one query, got ${positionals.length}\n${USAGE}\n`);
    return 2;
  }
  if ((values.format ?? "json") !== "json") {
    err(`keygate policy eval: unsupported --format "${values.format}" (only json)\n${USAGE}\n`);
    return 2;
  }
  const timeoutMs = values.timeout === undefined ? undefined : durationMs(values.timeout);
  if (timeoutMs === undefined && values.timeout !== undefined) {
    err(
      `keygate policy eval: --timeout "${values.timeout}" is not a duration such as 500ms, 2s or 1m\n${USAGE}\n`,
    );
    return 2;
  }
  const files = loadPolicyFiles(values.data ?? []);
  const input = values.input === undefined ? undefined : readDocument(values.input);
  const engine = new Engine({
    ...(values.v0 ? { regoVersion: 0 as const } : values.v1 ? { regoVersion: 1 as const } : {}),
    strictBuiltinErrors: values["strict-builtin-errors"] ?? false,
    print: (line: string) => err(`${line}\n`),
    ...(timeoutMs === undefined ? {} : { budget: { timeoutMs } }),
  });
  try {
    engine.addModules(files.modules);
    engine.setData(files.data);
    // Exact numbers: `opa eval` prints 98765432109876543211 as is, not as the nearest double.
    const query = engine.prepare(positionals[0] as string);
    const result = query.evaluateExact(input === undefined ? {} : { input });
    out(`${stringifyExactJson(result.length > 0 ? { result: result.map(opaResult) } : {}, 2)}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof RegoError)) throw e;
    out(`${JSON.stringify({ errors: e.errors.map(errorJson) }, null, 2)}\n`);
    return 1;
  }
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/** A duration as `opa eval --timeout` takes it (`500ms`, `2s`, `1.5m`) in ms; undefined if not one or not positive. */
function durationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * (DURATION_UNITS[m[2] as string] as number);
  return ms > 0 ? ms : undefined;
}

/** One solution as `opa eval --format json` prints it: `bindings` only when the query has variables. */
function opaResult(r: ExactQueryResult): ExactQueryResult | Omit<ExactQueryResult, "bindings"> {
  return Object.keys(r.bindings).length > 0 ? r : { expressions: r.expressions };
}

/** The JSON form of an error, as `opa eval` prints it. */
export function errorJson(e: RegoErrorDetail): Record<string, unknown> {
  return {
    code: e.code,
    message: e.message,
    ...(e.location ? { location: { file: e.location.file, row: e.location.row, col: e.location.col } } : {}),
  };
}
