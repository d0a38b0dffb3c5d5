// CLI, client: the options every resource command shares (--server, --output) and the client
// they make, with KEYGATE_SERVER and KEYGATE_TOKEN from the environment.
import { ApiClient } from "./api-client.js";
import { CliError, type CliIo } from "./cli-io.js";

/** How results are printed. */
export type OutputFormat = "table" | "json";

/** parseArgs option definitions shared by resource commands. */
export const CONNECTION_OPTIONS = {
  server: { type: "string" },
  output: { type: "string", short: "o" },
} as const;

/** The client and output format from parsed options and the environment. */
export function connect(
  values: { server?: string | undefined; output?: string | undefined },
  io: CliIo,
): { client: ApiClient; format: OutputFormat } {
  const server = values.server ?? io.env.KEYGATE_SERVER ?? "http://127.0.0.1:8080";
  const token = io.env.KEYGATE_TOKEN;
  if (!token)
    throw new CliError(
      "KEYGATE_TOKEN is not set: export the token to use (e.g. the admin token from keygate init)",
      2,
    );
  const output = values.output ?? "table";
  if (output !== "table" && output !== "json")
    throw new CliError(`--output must be table or json, got "${output}"`, 2);
  return { client: new ApiClient(server, token), format: output };
}
