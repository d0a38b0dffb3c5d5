// CLI, resource commands: `keygate audit list` with filters by actor, resource, action, outcome and time.
import { parseArgs } from "node:util";
import type { ApiResource } from "../client/api-client.js";
import type { CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { attr, ID, printResources, rel } from "../output/result-printer.js";
import { runVerb } from "./subcommands.js";

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

const FILTERS = ["actor", "action", "resource-type", "resource-id", "outcome", "since", "until"] as const;

/** Runs `keygate audit ...`. */
export function auditCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "audit",
    {
      async list(args) {
        const { values } = parseArgs({
          args,
          options: {
            ...CONNECTION_OPTIONS,
            limit: { type: "string" },
            ...Object.fromEntries(FILTERS.map((f) => [f, { type: "string" as const }])),
          },
        });
        const { client, format } = connect(values, io);
        const params = new URLSearchParams();
        for (const f of FILTERS) {
          const v = (values as Record<string, string | boolean | undefined>)[f];
          if (typeof v === "string") params.set(`filter[${f}]`, v);
        }
        const query = params.size > 0 ? `?${params.toString()}` : "";
        const limit = values.limit ? Number(values.limit) : 100;
        const events = await client.all(
          `/organizations/${await client.organization()}/audit-events${query}`,
          limit,
        );
        printResources(io, format, events.slice(0, limit), COLUMNS);
        return 0;
      },
    },
    argv,
    io,
  );
}
