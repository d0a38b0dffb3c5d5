// CLI, infrastructure: how every command and verb declares its arguments (options with a line of
// help each, a synopsis, examples), parses them, answers `--help`, and refuses an unknown option
// by naming the closest known one.
import { parseArgs } from "node:util";
import { CliError, type CliIo } from "./cli-io.js";

/** One option: parseArgs' definition plus the words `--help` shows for it. */
export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  /** What the option does, one line. */
  readonly description: string;
  /** The placeholder of its value in `--help` (`ID`, `ISO_TIME`); default `VALUE`. */
  readonly value?: string;
}

/** The options of a verb, by long name. */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** A command or verb's arguments and help. */
export interface VerbSpec<O extends OptionSpecs> {
  /** The words that run it: `keygate token create`. */
  readonly command: string;
  /** What follows the command in the usage line: `NAME --key KEY_ID [options]`. */
  readonly synopsis: string;
  /** One line saying what it does. */
  readonly summary: string;
  readonly options: O;
  /** At least one full command line that works. */
  readonly examples: readonly string[];
  /** Whether positional arguments are taken (default true). */
  readonly positionals?: boolean;
}

type ValueOf<S extends OptionSpec> = S["type"] extends "boolean"
  ? S["multiple"] extends true
    ? boolean[]
    : boolean
  : S["multiple"] extends true
    ? string[]
    : string;

/** The parsed options of a spec: each present option's value, absent ones undefined. */
export type ParsedOptions<O extends OptionSpecs> = { -readonly [K in keyof O]?: ValueOf<O[K]> | undefined };

/** Parsed arguments of a verb. */
export interface ParsedVerb<O extends OptionSpecs> {
  readonly values: ParsedOptions<O>;
  readonly positionals: string[];
}

const HELP: OptionSpec = { type: "boolean", short: "h", description: "show this help" };

/** The `--help` text of a spec. */
export function helpText(spec: VerbSpec<OptionSpecs>): string {
  const rows = Object.entries({ ...spec.options, help: HELP }).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
    return [flag, `${o.description}${o.multiple ? " (may be repeated)" : ""}`] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `usage: ${spec.command} ${spec.synopsis}`,
    "",
    spec.summary,
    "",
    "options:",
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
    "",
    spec.examples.length === 1 ? "example:" : "examples:",
    ...spec.examples.map((e) => `  ${e}`),
    "",
  ].join("\n");
}

/** Edit distance between two strings (insertions, deletions, substitutions, adjacent swaps). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The known name closest to `given`, when it is close enough to be a likely typo (or a prefix). */
export function closestName(given: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = name.startsWith(given) && given.length >= 2 ? 0.5 : editDistance(given, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best) return undefined;
  return best.distance <= Math.max(2, Math.floor(given.length / 3)) ? best.name : undefined;
}

/** The option name parseArgs complained about (`--vaild-to` in "Unknown option '--vaild-to'"). */
function offendingOption(message: string): string | undefined {
  return /'(-{1,2}[^'=\s]+)/.exec(message)?.[1];
}

/**
 * Parses a verb's arguments. Resolves to undefined after printing the help when `--help` or `-h`
 * is given (the caller exits 0); throws a CliError (exit 2) naming the closest option for an
 * unknown one, and the usage for other mistakes.
 */
export function parseVerb<O extends OptionSpecs>(
  spec: VerbSpec<O>,
  args: readonly string[],
  io: CliIo,
): ParsedVerb<O> | undefined {
  if (args.includes("--help") || args.includes("-h")) {
    io.out(helpText(spec));
    return undefined;
  }
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, o]) => [
      name,
      { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
    ]),
  );
  try {
    const parsed = parseArgs({
      args: [...args],
      options,
      allowPositionals: spec.positionals ?? true,
      strict: true,
    });
    return { values: parsed.values as ParsedOptions<O>, positionals: parsed.positionals };
  } catch (error) {
    if (!(error instanceof TypeError) || !("code" in error)) throw error;
    const usage = `usage: ${spec.command} ${spec.synopsis} (see ${spec.command} --help)`;
    if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const given = offendingOption(error.message) ?? error.message;
      const known = Object.entries(spec.options).flatMap(([name, o]) => [
        `--${name}`,
        ...(o.short ? [`-${o.short}`] : []),
      ]);
      const near = closestName(given, known);
      throw new CliError(
        `${spec.command}: unknown option ${given}${near ? `; did you mean ${near}?` : ""}\n${usage}`,
        2,
      );
    }
    if (String(error.code).startsWith("ERR_PARSE_ARGS")) {
      throw new CliError(`${spec.command}: ${error.message}\n${usage}`, 2);
    }
    throw error;
  }
}
