// Differential testing, CLI side: runs `keygate policy eval|check|test` in this process, from the
// CLI package's build (packages/cli/dist), so their output can be compared with opa's. The CLI is
// loaded by path at run time: the engine package does not depend on the CLI.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** A `keygate policy` subcommand: arguments, output sinks, exit code. */
type PolicyCommand = (argv: readonly string[], out: (s: string) => void, err: (s: string) => void) => number;

/** What a command printed and its exit code. */
export interface CliRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** The `keygate policy` commands compared with opa's. */
export interface KeygatePolicyCli {
  readonly eval: (argv: readonly string[]) => CliRun;
  readonly check: (argv: readonly string[]) => CliRun;
  readonly test: (argv: readonly string[]) => CliRun;
}

const CLI_POLICY_DIR = new URL("../../../cli/dist/policy/", import.meta.url);

/** Loads the CLI's policy commands from its build; undefined (with why) when it is not built. */
export async function loadKeygatePolicyCli(): Promise<KeygatePolicyCli | string> {
  const files = ["policy-eval.js", "policy-check.js", "policy-test.js"].map(
    (f) => new URL(f, CLI_POLICY_DIR),
  );
  const missing = files.find((f) => !existsSync(fileURLToPath(f)));
  if (missing) return `${fileURLToPath(missing)} is missing (run npm run build)`;
  const [evalModule, checkModule, testModule] = (await Promise.all(files.map((f) => import(f.href)))) as [
    { policyEval: PolicyCommand },
    { policyCheck: PolicyCommand },
    { policyTest: PolicyCommand },
  ];
  return {
    eval: (argv) => capture(evalModule.policyEval, argv),
    check: (argv) => capture(checkModule.policyCheck, argv),
    test: (argv) => capture(testModule.policyTest, argv),
  };
}

function capture(command: PolicyCommand, argv: readonly string[]): CliRun {
  let stdout = "";
  let stderr = "";
  let exitCode: number;
  try {
    exitCode = command(
      argv,
      (s) => {
        stdout += s;
      },
      (s) => {
        stderr += s;
      },
    );
  } catch (e) {
    // The router turns file errors into exit 1; anything else is a crash of the command.
    stderr += `${(e as Error).name}: ${(e as Error).message}\n`;
    exitCode = 70;
  }
  return { stdout, stderr, exitCode };
}
