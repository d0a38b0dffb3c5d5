// CLI, policy commands: argument parsing of `keygate policy eval|test|check`, with the same help,
// option suggestions and exit codes as the resource commands (help: 0, usage error: 2).
import { CliError, type CliIo } from "../client/cli-io.js";
import { type OptionSpecs, type ParsedVerb, parseVerb, type VerbSpec } from "../client/verb-args.js";

/** The parsed arguments, or the exit code when there is nothing to run (help shown, or a usage error printed). */
export function parsePolicyArgs<O extends OptionSpecs>(
  spec: VerbSpec<O>,
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
): ParsedVerb<O> | number {
  const io: CliIo = { out, err, env: {} };
  try {
    return parseVerb(spec, argv, io) ?? 0;
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    err(`${e.message}\n`);
    return e.exitCode;
  }
}
