// CLI, delegates: `keygate delegate run` (the agent) and `keygate delegate list` (the delegates
// connected now, per token or per space).
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { CliError, type CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { attr, ID, printResources, rel } from "../output/result-printer.js";
import { defineVerb, noPositionals, runVerb } from "../commands/subcommands.js";
import { runDelegateAgent } from "./delegate-agent.js";
import { delegateTokenSource } from "./delegate-token-source.js";

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
const run = defineVerb(
  {
    command: "keygate delegate run",
    synopsis: "--server URL --name NAME [--token TOKEN | --token-file PATH] [--host HOST]",
    summary:
      "Run a delegate agent: it stays connected, prints each change of connection state on stderr, and reconnects with backoff. The token may also come from $DELEGATE_TOKEN.",
    options: {
      server: { type: "string", value: "URL", description: "the Keygate server (default $KEYGATE_SERVER)" },
      name: { type: "string", value: "NAME", description: "the delegate's name, as listed (required)" },
      token: {
        type: "string",
        value: "TOKEN",
        description: "the delegate token (prefer --token-file or $DELEGATE_TOKEN)",
      },
      "token-file": {
        type: "string",
        value: "PATH",
        description: "a file holding the delegate token, read again on each reconnect",
      },
      host: {
        type: "string",
        value: "HOST",
        description: "the host name it reports (default: this machine's)",
      },
    },
    examples: [
      "DELEGATE_TOKEN=kgd_... keygate delegate run --server https://keygate.example.com --name k8s-prod-1",
    ],
  },
  async ({ values, positionals }, io) => {
    const usage = "usage: keygate delegate run --server URL --name NAME [options] (see --help)";
    if (positionals.length > 0)
      throw new CliError(`unexpected arguments: ${positionals.join(" ")}\n${usage}`, 2);
    const server = values.server ?? io.env.KEYGATE_SERVER;
    if (!server) throw new CliError(`--server is required (or set KEYGATE_SERVER)\n${usage}`, 2);
    if (!values.name) throw new CliError(`--name is required\n${usage}`, 2);
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
  },
);

/** Lists connected delegates: all, of one token (--token-id) or of one space (--space). */
const list = defineVerb(
  {
    command: "keygate delegate list",
    synopsis: "[--token-id DELEGATE_TOKEN_ID] [--space SPACE_ID]",
    summary: "List the delegates connected now.",
    options: {
      ...CONNECTION_OPTIONS,
      "token-id": {
        type: "string",
        value: "DELEGATE_TOKEN_ID",
        description: "only those connected with this token",
      },
      space: { type: "string", value: "SPACE_ID", description: "only this space's" },
    },
    examples: ["keygate delegate list --space spc-7a1e"],
  },
  async ({ values, positionals }, io) => {
    noPositionals(positionals, "usage: keygate delegate list [options]");
    const { client, format } = connect(values, io);
    const query = new URLSearchParams();
    if (values["token-id"]) query.set("filter[delegate-token]", values["token-id"]);
    if (values.space) query.set("filter[space]", values.space);
    const q = query.size > 0 ? `?${query.toString()}` : "";
    printResources(
      io,
      format,
      await client.all(`/organizations/${await client.organization()}/delegates${q}`),
      DELEGATE_COLUMNS,
    );
    return 0;
  },
);

/** Runs `keygate delegate ...`. */
export function delegateCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb("delegate", { run, list }, argv, io);
}
