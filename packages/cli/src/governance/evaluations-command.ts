// CLI, governance commands: `keygate evaluations list|show|samples`: stored policy evaluations
// (input, outcome per policy, messages, duration) and the inputs kept for simulation.
import type { ApiResource } from "../client/api-client.js";
import type { CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { defineVerb, noPositionals, onePositional, runVerb } from "../commands/subcommands.js";
import { attr, formatTable, ID, printData, printResources } from "../output/result-printer.js";

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

const list = defineVerb(
  {
    command: "keygate evaluations list",
    synopsis: "[--entity TYPE] [--outcome OUTCOME] [--resource ID]",
    summary: "List stored policy evaluations, newest first.",
    options: {
      ...CONNECTION_OPTIONS,
      entity: {
        type: "string",
        value: "TYPE",
        description: "token, api-key, service-account, delegate-token or login",
      },
      outcome: {
        type: "string",
        value: "OUTCOME",
        description: "passed, failed, errored, query-undefined, ...",
      },
      resource: { type: "string", value: "ID", description: "only evaluations of this resource" },
    },
    examples: ["keygate evaluations list --entity token --outcome failed"],
  },
  async ({ values, positionals }, io) => {
    noPositionals(positionals, "usage: keygate evaluations list [options]");
    const { client, format } = connect(values, io);
    const query = new URLSearchParams();
    if (values.entity) query.set("filter[entity-type]", values.entity);
    if (values.outcome) query.set("filter[outcome]", values.outcome);
    if (values.resource) query.set("filter[resource]", values.resource);
    const q = query.toString();
    printResources(
      io,
      format,
      await client.all(`/organizations/${await client.organization()}/policy-evaluations${q ? `?${q}` : ""}`),
      COLUMNS,
    );
    return 0;
  },
);

const show = defineVerb(
  {
    command: "keygate evaluations show",
    synopsis: "EVALUATION_ID",
    summary: "Show a policy evaluation: the outcome of each policy, its messages, and the input.",
    options: CONNECTION_OPTIONS,
    examples: ["keygate evaluations show pev-0b3c"],
  },
  async ({ values, positionals }, io) => {
    const id = onePositional(positionals, "evaluation id", "usage: keygate evaluations show EVALUATION_ID");
    const { client, format } = connect(values, io);
    const e = (await client.one(`/policy-evaluations/${encodeURIComponent(id)}`)).data;
    if (format !== "table") {
      printData(io, format, e);
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
        io.columns,
      ),
    );
    io.out(`input:\n${JSON.stringify(a.input, null, 2)}\n`);
    return 0;
  },
);

const samples = defineVerb(
  {
    command: "keygate evaluations samples",
    synopsis: "[--entity TYPE]",
    summary: "List the inputs kept for policy simulation.",
    options: {
      ...CONNECTION_OPTIONS,
      entity: {
        type: "string",
        value: "TYPE",
        description: "token (default), api-key, service-account, delegate-token or login",
      },
    },
    examples: ["keygate evaluations samples --entity login"],
  },
  async ({ values, positionals }, io) => {
    noPositionals(positionals, "usage: keygate evaluations samples [--entity TYPE]");
    const { client, format } = connect(values, io);
    const entity = values.entity ?? "token";
    const doc = await client.request(
      "GET",
      `/organizations/${await client.organization()}/policy-samples?filter[entity-type]=${encodeURIComponent(entity)}`,
    );
    const items = (doc?.data ?? []) as ApiResource[];
    printResources(io, format, items, [
      ID,
      attr("action"),
      attr("space-id", "SPACE"),
      attr("created-at", "AT"),
    ]);
    return 0;
  },
);

/** Runs `keygate evaluations ...`. */
export function evaluationsCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb("evaluations", { list, show, samples }, argv, io);
}
