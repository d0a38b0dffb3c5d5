// CLI, policy commands: routes `keygate policy <eval|test|check>` to its command.

import { PolicyFileError } from "./policy-files.js";
import { policyCheck } from "./policy-check.js";
import { policyEval } from "./policy-eval.js";
import { policyTest } from "./policy-test.js";

const USAGE = `usage: keygate policy <command> [options]

commands:
  eval   -d <file|dir> [-i input.json] <query>   evaluate a query (output as opa eval --format json)
  test   [-v] [-r <regex>] [--format json] <file|dir>...  run test_ rules (opa test semantics)
  check  [--format json] <file|dir>...                    parse and compile; print every error as file:row:col
  simulate DRAFT.rego --entity ENTITY ...                 run a draft against the server's kept samples

Run keygate policy <command> --help for a command's options and an example.
`;

type Command = (
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
  interactive: boolean,
) => number;

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
    if (name === "help" || name === "--help" || name === "-h") {
      out(USAGE);
      return 0;
    }
    err(name === undefined ? USAGE : `keygate policy: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  try {
    return command(rest, out, err, process.stderr.isTTY === true);
  } catch (e) {
    if (e instanceof PolicyFileError) {
      err(`keygate policy ${name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
