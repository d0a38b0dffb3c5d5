// CLI, delegates: `keygate delegate run` (the agent) and `keygate delegate list` (the delegates
// connected now, per token or per space).
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { CliError, type CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { attr, ID, printResources, rel } from "../output/result-printer.js";
import { runVerb } from "../commands/subcommands.js";
import { runDelegateAgent } from "./delegate-agent.js";
import { delegateTokenSource } from "./delegate-token-source.js";

const RUN_USAGE =
  "usage: keygate delegate run --server URL --name NAME [--token TOKEN | --token-file PATH] [--host HOST]\n" +
  "  the token may also come from the DELEGATE_TOKEN environment variable";

/** The columns of a delegate list. */
export const DELEGATE_COLUMNS = [
  ID,
  attr("name"),
  attr("host"),
  attr("version"),
  rel("delegate-token", "TOKEN"),
  rel("space"),
  attr("connected-at", "CONNECTED"),
  attr("last-heartbeat-at", "LAST HEARTBEAT"),
];

function cliVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Runs the agent until SIGINT/SIGTERM (0), or until refused or revoked (1). */
async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      server: { type: "string" },
      token: { type: "string" },
      "token-file": { type: "string" },
      name: { type: "string" },
      host: { type: "string" },
    },
  });
  if (positionals.length > 0)
    throw new CliError(`unexpected arguments: ${positionals.join(" ")}\n${RUN_USAGE}`, 2);
  const server = values.server ?? io.env.KEYGATE_SERVER;
  if (!server) throw new CliError(`--server is required (or set KEYGATE_SERVER)\n${RUN_USAGE}`, 2);
  if (!values.name) throw new CliError(`--name is required\n${RUN_USAGE}`, 2);
  const token = delegateTokenSource({ token: values.token, tokenFile: values["token-file"] }, io.env);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await runDelegateAgent(
      { server, token, name: values.name, host: values.host ?? hostname(), version: cliVersion() },
      io,
      stop.signal,
    );
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** Lists connected delegates: all, of one token (--token-id) or of one space (--space). */
async function list(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...CONNECTION_OPTIONS, "token-id": { type: "string" }, space: { type: "string" } },
  });
  const { client, format } = connect(values, io);
  const filters = [
    ...(values["token-id"] ? [`filter[delegate-token]=${encodeURIComponent(values["token-id"])}`] : []),
    ...(values.space ? [`filter[space]=${encodeURIComponent(values.space)}`] : []),
  ];
  const query = filters.length > 0 ? `?${filters.join("&")}` : "";
  printResources(
    io,
    format,
    await client.all(`/organizations/${await client.organization()}/delegates${query}`),
    DELEGATE_COLUMNS,
  );
  return 0;
}

/** Runs `keygate delegate ...`. */
export function delegateCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb("delegate", { run, list }, argv, io);
}
