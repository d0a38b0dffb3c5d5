// CLI, policy commands: routes `keygate policy <eval|test|check>` to its command.

import { PolicyFileError } from "./policy-files.js";
import { policyCheck } from "./policy-check.js";
import { policyEval } from "./policy-eval.js";
import { policyTest } from "./policy-test.js";

const USAGE = `usage: keygate policy <command> [options]

commands:
  eval   -d <file|dir> [-i input.json] <query>   evaluate a query (output as opa eval --format json)
  test   [-v] [-r <regex>] <file|dir>...          run test_ rules (opa test semantics)
  check  <file|dir>...                            parse and compile; print every error as file:row:col
`;

type Command = (argv: readonly string[], out: (s: string) => void, err: (s: string) => void) => number;

const COMMANDS: Readonly<Record<string, Command>> = {
  eval: policyEval,
  test: policyTest,
  check: policyCheck,
};

/** Runs a `keygate policy` subcommand with the given arguments; resolves to the exit code. */
export async function runPolicyCommand(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const out = (s: string) => process.stdout.write(s);
  const err = (s: string) => process.stderr.write(s);
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    err(
      name === undefined || name === "help" || name === "--help"
        ? USAGE
        : `keygate policy: unknown command "${name}"\n${USAGE}`,
    );
    return 2;
  }
  try {
    return command(rest, out, err);
  } catch (e) {
    if (e instanceof PolicyFileError) {
      err(`keygate policy ${name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
