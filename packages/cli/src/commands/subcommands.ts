// CLI, resource commands: dispatch of `keygate <resource> <verb> ...` to the verb's handler.
import { CliError, type CliIo } from "../client/cli-io.js";

/** A verb of a resource command. */
export type Verb = (argv: string[], io: CliIo) => Promise<number>;

/** Runs the verb named by argv[0], or explains the usage. */
export async function runVerb(
  resource: string,
  verbs: Readonly<Record<string, Verb>>,
  argv: string[],
  io: CliIo,
): Promise<number> {
  const [name, ...rest] = argv;
  const usage = `usage: keygate ${resource} <${Object.keys(verbs).join("|")}> [options]\n`;
  if (name === undefined || name === "help" || name === "--help") {
    io.err(usage);
    return name === undefined ? 2 : 0;
  }
  const verb = verbs[name];
  if (!verb) throw new CliError(`keygate ${resource}: unknown command "${name}"\n${usage}`, 2);
  return verb(rest, io);
}

/** The single positional argument a verb needs, or a usage error naming it. */
export function onePositional(positionals: string[], what: string, usage: string): string {
  const [value, ...extra] = positionals;
  if (value === undefined) throw new CliError(`missing ${what}\n${usage}`, 2);
  if (extra.length > 0) throw new CliError(`unexpected arguments: ${extra.join(" ")}\n${usage}`, 2);
  return value;
}

/** A duration such as `90`, `90s`, `15m`, `2h` or `7d`, in seconds. */
export function parseDurationSeconds(text: string, option: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new CliError(`${option} must be a duration like 90s, 15m, 2h or 7d, got "${text}"`, 2);
  const unit: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400 };
  return Number(match[1]) * (unit[match[2] ?? ""] ?? 1);
}
