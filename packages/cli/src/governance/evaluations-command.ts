// CLI, governance commands: `keygate evaluations list|show|samples`: stored policy evaluations
// (input, outcome per policy, messages, duration) and the inputs kept for simulation.
import { parseArgs } from "node:util";
import type { ApiResource } from "../client/api-client.js";
import type { CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { onePositional, runVerb } from "../commands/subcommands.js";
import { attr, formatTable, ID, printResources } from "../output/result-printer.js";

const COLUMNS = [
  ID,
  attr("entity-type", "ENTITY"),
  attr("action"),
  attr("resource-id", "RESOURCE"),
  attr("outcome"),
  {
    heading: "MESSAGES",
    cell: (r: ApiResource) =>
      (r.attributes.messages as string[]).concat(r.attributes.warnings as string[]).join("; "),
  },
  attr("created-at", "AT"),
];

interface PolicyResultAttributes {
  "policy-name": string;
  "policy-set-name": string;
  "enforcement-level": string;
  outcome: string;
  messages: string[];
  warnings: string[];
  "duration-us": number;
}

/** Runs `keygate evaluations ...`. */
export function evaluationsCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "evaluations",
    {
      async list(args) {
        const { values } = parseArgs({
          args,
          options: {
            ...CONNECTION_OPTIONS,
            entity: { type: "string" },
            outcome: { type: "string" },
            resource: { type: "string" },
          },
        });
        const { client, format } = connect(values, io);
        const query = new URLSearchParams();
        if (values.entity) query.set("filter[entity-type]", values.entity);
        if (values.outcome) query.set("filter[outcome]", values.outcome);
        if (values.resource) query.set("filter[resource]", values.resource);
        const q = query.toString();
        printResources(
          io,
          format,
          await client.all(
            `/organizations/${await client.organization()}/policy-evaluations${q ? `?${q}` : ""}`,
          ),
          COLUMNS,
        );
        return 0;
      },
      async show(args) {
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: CONNECTION_OPTIONS,
        });
        const id = onePositional(
          positionals,
          "evaluation id",
          "usage: keygate evaluations show EVALUATION_ID",
        );
        const { client, format } = connect(values, io);
        const e = (await client.one(`/policy-evaluations/${encodeURIComponent(id)}`)).data;
        if (format === "json") {
          io.out(`${JSON.stringify(e, null, 2)}\n`);
          return 0;
        }
        const a = e.attributes;
        io.out(
          `${e.id}: ${String(a["entity-type"])} ${String(a.action)} ${String(a["resource-id"] ?? "")} -> ${String(a.outcome)} (${String(a["duration-us"])} us)\n`,
        );
        const results = a["policy-results"] as PolicyResultAttributes[];
        io.out(
          formatTable(
            ["POLICY", "SET", "LEVEL", "OUTCOME", "MESSAGES"],
            results.map((r) => [
              r["policy-name"],
              r["policy-set-name"],
              r["enforcement-level"],
              r.outcome,
              [...r.messages, ...r.warnings].join("; "),
            ]),
          ),
        );
        io.out(`input:\n${JSON.stringify(a.input, null, 2)}\n`);
        return 0;
      },
      async samples(args) {
        const { values } = parseArgs({
          args,
          options: { ...CONNECTION_OPTIONS, entity: { type: "string" } },
        });
        const { client, format } = connect(values, io);
        const entity = values.entity ?? "token";
        const doc = await client.request(
          "GET",
          `/organizations/${await client.organization()}/policy-samples?filter[entity-type]=${encodeURIComponent(entity)}`,
        );
        printResources(io, format, (doc?.data ?? []) as ApiResource[], [
          ID,
          attr("action"),
          attr("space-id", "SPACE"),
          attr("created-at", "AT"),
        ]);
        return 0;
      },
    },
    argv,
    io,
  );
}
