// CLI, resource commands: `keygate audit list|show` with filters by actor, resource, action,
// outcome and time; `--all` pages through every matching event.
import type { ApiResource } from "../client/api-client.js";
import { CliError, type CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import type { OptionSpec } from "../client/verb-args.js";
import { attr, ID, printResources, rel } from "../output/result-printer.js";
import { showVerb } from "./id-verbs.js";
import { defineVerb, noPositionals, runVerb } from "./subcommands.js";

const COLUMNS = [
  attr("occurred-at", "TIME"),
  rel("actor"),
  attr("action"),
  {
    heading: "RESOURCE",
    cell: (r: ApiResource) =>
      `${String(r.attributes["resource-type"])} ${String(r.attributes["resource-id"])}`,
  },
  attr("outcome"),
  attr("via"),
  attr("actor-ip", "FROM"),
  ID,
];

const FILTERS = {
  actor: { type: "string", value: "PRINCIPAL_ID", description: "only events by this principal" },
  action: {
    type: "string",
    value: "ACTION",
    description: "only this action (token.create, login.denied, ...)",
  },
  "resource-type": { type: "string", value: "TYPE", description: "only events on this kind of resource" },
  "resource-id": { type: "string", value: "ID", description: "only events on this resource" },
  outcome: { type: "string", value: "OUTCOME", description: "only this outcome (success, denied, ...)" },
  since: {
    type: "string",
    value: "TIME",
    description: "only events at or after this time (RFC 3339 or epoch ms)",
  },
  until: {
    type: "string",
    value: "TIME",
    description: "only events before this time (RFC 3339 or epoch ms)",
  },
} as const satisfies Record<string, OptionSpec>;

const DEFAULT_LIMIT = 100;

const list = defineVerb(
  {
    command: "keygate audit list",
    synopsis: "[--since TIME] [--until TIME] [--action A] [--actor ID] [--limit N | --all]",
    summary: `List audit events, newest first: the newest ${DEFAULT_LIMIT} unless --limit or --all says otherwise.`,
    options: {
      ...CONNECTION_OPTIONS,
      ...FILTERS,
      limit: { type: "string", value: "N", description: `at most N events (default ${DEFAULT_LIMIT})` },
      all: { type: "boolean", description: "every matching event, through all pages" },
    },
    examples: [
      "keygate audit list --since 2026-12-01T00:00:00Z --until 2026-12-02T00:00:00Z --all",
      "keygate audit list --action token.revoke --json",
    ],
  },
  async ({ values, positionals }, io) => {
    noPositionals(positionals, "usage: keygate audit list [options]");
    if (values.all && values.limit !== undefined) throw new CliError("give --limit or --all, not both", 2);
    const limit = values.all
      ? Number.POSITIVE_INFINITY
      : values.limit === undefined
        ? DEFAULT_LIMIT
        : Number(values.limit);
    if (!values.all && (!Number.isInteger(limit) || limit < 1))
      throw new CliError(`--limit must be a whole number >= 1, got "${values.limit}"`, 2);
    const { client, format } = connect(values, io);
    const params = new URLSearchParams();
    for (const f of Object.keys(FILTERS) as (keyof typeof FILTERS)[]) {
      const v = values[f];
      if (typeof v === "string") params.set(`filter[${f}]`, v);
    }
    const query = params.size > 0 ? `?${params.toString()}` : "";
    const { items, total } = await client.list(
      `/organizations/${await client.organization()}/audit-events${query}`,
      limit,
    );
    printResources(io, format, items, COLUMNS);
    if (total !== null && total > items.length)
      io.err(
        `showing the newest ${items.length} of ${total} events; --all for every one, --limit N for more\n`,
      );
    return 0;
  },
);

/** Runs `keygate audit ...`. */
export function auditCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "audit",
    {
      list,
      show: showVerb({
        command: "audit",
        what: "audit event",
        collection: "/audit-events",
        example: "aud-31f0",
      }),
    },
    argv,
    io,
  );
}
