// CLI, client: the options every resource command shares (--server, --output, --json) and the
// client they make, with KEYGATE_SERVER and KEYGATE_TOKEN from the environment.
import { ApiClient } from "./api-client.js";
import { CliError, type CliIo } from "./cli-io.js";
import type { OptionSpec } from "./verb-args.js";

/** How results are printed. */
export type OutputFormat = "table" | "json" | "yaml";

const FORMATS: readonly OutputFormat[] = ["table", "json", "yaml"];

/** The output options every command that prints results takes. */
export const OUTPUT_OPTIONS = {
  output: {
    type: "string",
    short: "o",
    value: "FORMAT",
    description: "table (default), json or yaml; json and yaml print the resource or an array of resources",
  },
  json: { type: "boolean", description: "the same as --output json" },
} as const satisfies Record<string, OptionSpec>;

/** The options every resource command takes: the server and the output format. */
export const CONNECTION_OPTIONS = {
  server: {
    type: "string",
    value: "URL",
    description: "the Keygate server (default $KEYGATE_SERVER, else http://127.0.0.1:8080)",
  },
  ...OUTPUT_OPTIONS,
} as const satisfies Record<string, OptionSpec>;

/** The output format from `--output` and `--json`. */
export function outputFormatOf(values: {
  output?: string | undefined;
  json?: boolean | undefined;
}): OutputFormat {
  const output = values.output ?? (values.json ? "json" : "table");
  const format = FORMATS.find((f) => f === output);
  if (!format) throw new CliError(`--output must be one of: ${FORMATS.join(", ")}; got "${output}"`, 2);
  if (values.json && format !== "json")
    throw new CliError(`--json and --output ${format} disagree: give one of them`, 2);
  return format;
}

/** The client and output format from parsed options and the environment. */
export function connect(
  values: { server?: string | undefined; output?: string | undefined; json?: boolean | undefined },
  io: CliIo,
): { client: ApiClient; format: OutputFormat } {
  const format = outputFormatOf(values);
  const server = values.server ?? io.env.KEYGATE_SERVER ?? "http://127.0.0.1:8080";
  const token = io.env.KEYGATE_TOKEN;
  if (!token)
    throw new CliError(
      "KEYGATE_TOKEN is not set: export the token to use (e.g. the admin token from keygate init)",
      2,
    );
  return { client: new ApiClient(server, token), format };
}
