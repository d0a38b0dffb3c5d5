// CLI, policy commands: `keygate policy check`, every error as `file:row:col: code: message`.

import { Engine, formatRegoError, parseModule, RegoError, type RegoErrorDetail } from "@keygate/rego";
import { parsePolicyArgs } from "./policy-args.js";
import { errorJson } from "./policy-eval.js";
import { loadPolicyFiles } from "./policy-files.js";

const CHECK_SPEC = {
  command: "keygate policy check",
  synopsis: "[--format pretty|json] <file|dir>...",
  summary:
    'Parse and compile Rego files; print every error as file:row:col (--format json: opa check\'s {"errors": [...]}).',
  options: {
    format: { type: "string", short: "f", value: "FORMAT", description: "pretty (default) or json" },
  },
  examples: ["keygate policy check policies/", "keygate policy check --format json policies/"],
} as const;

const USAGE = `usage: ${CHECK_SPEC.command} ${CHECK_SPEC.synopsis}\n`;

/** Runs `keygate policy check <paths>`; exit 0 when every module parses and compiles, else 1. */
export function policyCheck(
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  const parsed = parsePolicyArgs(CHECK_SPEC, argv, out, err);
  if (typeof parsed === "number") return parsed;
  const paths = parsed.positionals;
  const format = parsed.values.format ?? "pretty";
  if (format !== "pretty" && format !== "json") {
    err(`keygate policy check: --format must be pretty or json, got "${format}"\n${USAGE}`);
    return 2;
  }
  if (paths.length === 0) {
    err(USAGE);
    return 2;
  }
  const { modules } = loadPolicyFiles(paths);
  if (modules.length === 0) {
    err(`keygate policy check: no .rego files under ${paths.join(", ")}\n`);
    return 1;
  }
  const errors = checkModules(modules);
  if (format === "json") {
    // As opa check: the errors as JSON on stdout, nothing when there are none.
    if (errors.length > 0) out(`${JSON.stringify({ errors: errors.map(errorJson) }, null, 2)}\n`);
    return errors.length > 0 ? 1 : 0;
  }
  if (errors.length > 0) {
    err(`${errors.map(formatRegoError).join("\n")}\n`);
    return 1;
  }
  out(`${modules.length} module${modules.length === 1 ? "" : "s"} checked, no errors\n`);
  return 0;
}

/** Every error of the modules: parse errors of each file, else the compile errors of all together. */
function checkModules(modules: readonly { file: string; source: string }[]): RegoErrorDetail[] {
  const parseErrors: RegoErrorDetail[] = [];
  for (const m of modules) {
    try {
      parseModule(m.file, m.source);
    } catch (e) {
      if (!(e instanceof RegoError)) throw e;
      parseErrors.push(...e.errors);
    }
  }
  if (parseErrors.length > 0) return parseErrors;
  try {
    new Engine({}).addModules(modules);
    return [];
  } catch (e) {
    if (!(e instanceof RegoError)) throw e;
    return [...e.errors];
  }
}
