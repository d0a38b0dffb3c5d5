// CLI, policy commands: `keygate policy check`, every error as `file:row:col: code: message`.

import { Engine, formatRegoError, parseModule, RegoError, type RegoErrorDetail } from "@keygate/rego";
import { loadPolicyFiles } from "./policy-files.js";

const USAGE = "usage: keygate policy check <file|dir>...\n";

/** Runs `keygate policy check <paths>`; exit 0 when every module parses and compiles, else 1. */
export function policyCheck(
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  const options = argv.filter((a) => a.startsWith("-"));
  const paths = argv.filter((a) => !a.startsWith("-"));
  if (options.length > 0) {
    err(`keygate policy check: unknown option ${options[0]}\n${USAGE}`);
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
