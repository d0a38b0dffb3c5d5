// CLI, delegates: `keygate delegate-token create|list|show|rotate|revoke|delete|delegates`. The
// token value is printed once, on create and rotate, to be put into a secret manager.
import type { CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { deleteVerb, showVerb } from "../commands/id-verbs.js";
import { defineVerb, noPositionals, onePositional, runVerb, type Verb } from "../commands/subcommands.js";
import { attr, ID, printIssued, printResources, printSaved, rel } from "../output/result-printer.js";
import { DELEGATE_COLUMNS } from "./delegate-command.js";

const COLUMNS = [
  ID,
  attr("name"),
  attr("status"),
  attr("default"),
  rel("space"),
  attr("created-at", "CREATED"),
  attr("last-used-at", "LAST USED"),
];

const create = defineVerb(
  {
    command: "keygate delegate-token create",
    synopsis: "NAME [--space SPACE_ID] [--description TEXT]",
    summary: "Create a delegate token for agents of a space; its value is printed this once.",
    options: {
      ...CONNECTION_OPTIONS,
      space: {
        type: "string",
        value: "SPACE_ID",
        description: "the space its delegates serve (default: the root space)",
      },
      description: { type: "string", value: "TEXT", description: "what the delegates are" },
    },
    examples: ["keygate delegate-token create k8s-prod --space spc-7a1e"],
  },
  async ({ values, positionals }, io) => {
    const name = onePositional(
      positionals,
      "delegate token name",
      "usage: keygate delegate-token create NAME [options]",
    );
    const { client, format } = connect(values, io);
    const doc = await client.request(
      "POST",
      `/organizations/${await client.organization()}/delegate-tokens`,
      {
        data: {
          type: "delegate-tokens",
          attributes: { name, ...(values.description ? { description: values.description } : {}) },
          ...(values.space
            ? { relationships: { space: { data: { type: "spaces", id: values.space } } } }
            : {}),
        },
      },
    );
    printIssued(io, format, doc, "Delegate token");
    return 0;
  },
);

const list = defineVerb(
  {
    command: "keygate delegate-token list",
    synopsis: "[--space SPACE_ID] [--status STATUS]",
    summary: "List delegate tokens.",
    options: {
      ...CONNECTION_OPTIONS,
      space: { type: "string", value: "SPACE_ID", description: "only this space's" },
      status: { type: "string", value: "STATUS", description: "active or revoked" },
    },
    examples: ["keygate delegate-token list --status active"],
  },
  async ({ values, positionals }, io) => {
    noPositionals(positionals, "usage: keygate delegate-token list [options]");
    const { client, format } = connect(values, io);
    const query = new URLSearchParams();
    if (values.space) query.set("filter[space]", values.space);
    if (values.status) query.set("filter[status]", values.status);
    const q = query.size > 0 ? `?${query.toString()}` : "";
    printResources(
      io,
      format,
      await client.all(`/organizations/${await client.organization()}/delegate-tokens${q}`),
      COLUMNS,
    );
    return 0;
  },
);

/** A verb that acts on one delegate token by id. */
function idVerb(
  verb: string,
  summary: string,
  run: (
    id: string,
    values: { server?: string | undefined; output?: string | undefined; json?: boolean | undefined },
    io: CliIo,
  ) => Promise<number>,
): Verb {
  return defineVerb(
    {
      command: `keygate delegate-token ${verb}`,
      synopsis: "DELEGATE_TOKEN_ID",
      summary,
      options: CONNECTION_OPTIONS,
      examples: [`keygate delegate-token ${verb} dlt-2b7f`],
    },
    ({ values, positionals }, io) =>
      run(
        encodeURIComponent(
          onePositional(
            positionals,
            "delegate token id",
            `usage: keygate delegate-token ${verb} DELEGATE_TOKEN_ID`,
          ),
        ),
        values,
        io,
      ),
  );
}

const rotate = idVerb(
  "rotate",
  "Issue a new delegate token in place of one; the old one works until you revoke it.",
  async (id, values, io) => {
    const { client, format } = connect(values, io);
    const doc = await client.request("POST", `/delegate-tokens/${id}/actions/rotate`);
    const previous = doc?.included?.[0];
    if (previous && format === "table") {
      io.err(
        `old delegate token ${previous.id} keeps working until you revoke it: restart the delegates with the new one first\n`,
      );
    }
    printIssued(io, format, doc, "Delegate token", previous ? { previous } : {});
    return 0;
  },
);

const revoke = idVerb(
  "revoke",
  "Revoke a delegate token: its delegates are disconnected at once.",
  async (id, values, io) => {
    const { client, format } = connect(values, io);
    printSaved(io, format, await client.request("POST", `/delegate-tokens/${id}/actions/revoke`));
    return 0;
  },
);

const delegates = idVerb(
  "delegates",
  "List the delegates connected with a delegate token now.",
  async (id, values, io) => {
    const { client, format } = connect(values, io);
    printResources(io, format, await client.all(`/delegate-tokens/${id}/delegates`), DELEGATE_COLUMNS);
    return 0;
  },
);

const names = {
  command: "delegate-token",
  what: "delegate token",
  collection: "/delegate-tokens",
  example: "dlt-2b7f",
  deleteNote: "Only once revoked.",
};

/** Runs `keygate delegate-token ...`. */
export function delegateTokenCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "delegate-token",
    { create, list, show: showVerb(names), rotate, revoke, delete: deleteVerb(names), delegates },
    argv,
    io,
  );
}
