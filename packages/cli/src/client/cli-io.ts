// CLI, infrastructure: where a command writes and what environment it reads, so tests can run
// commands in-process.

/** Output streams and environment of a command. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The width tables fold to; undefined: no limit (output that is not a terminal). */
  readonly columns?: number | undefined;
  /** Whether stderr is a terminal (progress is drawn only then). */
  readonly interactive?: boolean;
}

/** The width of stdout when it is a terminal, else `$COLUMNS` when set. */
function terminalColumns(): number | undefined {
  if (process.stdout.isTTY) return process.stdout.columns;
  const columns = Number(process.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
}

/** The process's own streams and environment. */
export const PROCESS_IO: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  get columns() {
    return terminalColumns();
  },
  interactive: process.stderr.isTTY === true,
};

/** An error to print (without a stack) before exiting with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    /** The error as data, printed as JSON instead of the message when JSON output was asked for. */
    readonly document?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = "CliError";
  }
}
