// CLI, resource commands: verbs declared with their arguments and help, and dispatch of
// `keygate <resource> <verb> ...` to the verb's handler.
import { CliError, type CliIo } from "../client/cli-io.js";
import {
  closestName,
  type OptionSpecs,
  type ParsedVerb,
  parseVerb,
  type VerbSpec,
} from "../client/verb-args.js";

/** A verb of a resource command, with the spec its help comes from. */
export interface Verb {
  (argv: string[], io: CliIo): Promise<number>;
  readonly spec?: VerbSpec<OptionSpecs>;
}

/** A verb that parses its arguments by `spec` (answering `--help` itself) and then runs. */
export function defineVerb<O extends OptionSpecs>(
  spec: VerbSpec<O>,
  run: (parsed: ParsedVerb<O>, io: CliIo) => Promise<number>,
): Verb {
  const verb = async (argv: string[], io: CliIo) => {
    const parsed = parseVerb(spec, argv, io);
    return parsed === undefined ? 0 : run(parsed, io);
  };
  return Object.assign(verb, { spec: spec as VerbSpec<OptionSpecs> });
}

/** The help of a resource command: its verbs, each with its summary. */
export function resourceHelp(resource: string, verbs: Readonly<Record<string, Verb>>): string {
  const names = Object.keys(verbs);
  const width = Math.max(...names.map((n) => n.length));
  return [
    `usage: keygate ${resource} <${names.join("|")}> [options]`,
    "",
    "commands:",
    ...names.map((n) => `  ${n.padEnd(width)}  ${verbs[n]?.spec?.summary ?? ""}`.trimEnd()),
    "",
    `Run keygate ${resource} <command> --help for a command's options and an example.`,
    "",
  ].join("\n");
}

/** Runs the verb named by argv[0], or explains the usage. */
export async function runVerb(
  resource: string,
  verbs: Readonly<Record<string, Verb>>,
  argv: string[],
  io: CliIo,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    // Asked for: stdout and success; forgotten: stderr and a usage error.
    (name === undefined ? io.err : io.out)(resourceHelp(resource, verbs));
    return name === undefined ? 2 : 0;
  }
  const verb = verbs[name];
  if (!verb) {
    const near = closestName(name, Object.keys(verbs));
    throw new CliError(
      `keygate ${resource}: unknown command "${name}"${near ? `; did you mean "${near}"?` : ""}\n${resourceHelp(resource, verbs)}`,
      2,
    );
  }
  return verb(rest, io);
}

/** The single positional argument a verb needs, or a usage error naming it. */
export function onePositional(positionals: string[], what: string, usage: string): string {
  const [value, ...extra] = positionals;
  if (value === undefined) throw new CliError(`missing ${what}\n${usage}`, 2);
  if (extra.length > 0) throw new CliError(`unexpected arguments: ${extra.join(" ")}\n${usage}`, 2);
  return value;
}

/** No positional arguments, or a usage error naming the extra ones. */
export function noPositionals(positionals: string[], usage: string): void {
  if (positionals.length > 0)
    throw new CliError(`unexpected arguments: ${positionals.join(" ")}\n${usage}`, 2);
}

/** A duration such as `90`, `90s`, `15m`, `2h` or `7d`, in seconds. */
export function parseDurationSeconds(text: string, option: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new CliError(`${option} must be a duration like 90s, 15m, 2h or 7d, got "${text}"`, 2);
  const unit: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400 };
  return Number(match[1]) * (unit[match[2] ?? ""] ?? 1);
}

/** `--tag k=v` values as a tag map; a usage error names a malformed one. */
export function parseTags(values: readonly string[] | undefined, option = "--tag"): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const text of values ?? []) {
    const at = text.indexOf("=");
    if (at <= 0) throw new CliError(`${option} must be KEY=VALUE, got "${text}"`, 2);
    tags[text.slice(0, at)] = text.slice(at + 1);
  }
  return tags;
}
