// CLI, policy commands: `keygate policy check`, every error as `file:row:col: code: message`.

import { Engine, formatRegoError, RegoError } from "@keygate/rego";
import { loadPolicyFiles } from "./policy-files.js";

/** Runs `keygate policy check <paths>`; exit 0 when every module parses and compiles, else 1. */
export function policyCheck(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  const paths = argv.filter((a) => !a.startsWith("-"));
  if (paths.length === 0) {
    err("usage: keygate policy check <file|dir>...\n");
    return 2;
  }
  const { modules, data } = loadPolicyFiles(paths);
  const engine = new Engine({});
  const errors: string[] = [];
  for (const m of modules) {
    try {
      engine.addModule(m.file, m.source);
    } catch (e) {
      if (!(e instanceof RegoError)) throw e;
      errors.push(...e.errors.map(formatRegoError));
    }
  }
  if (errors.length === 0) {
    try {
      engine.setData(data as never);
      engine.prepare("data");
    } catch (e) {
      if (!(e instanceof RegoError)) throw e;
      errors.push(...e.errors.map(formatRegoError));
    }
  }
  if (errors.length > 0) {
    err(`${errors.join("\n")}\n`);
    return 1;
  }
  out(`${modules.length} module${modules.length === 1 ? "" : "s"} checked, no errors\n`);
  return 0;
}
