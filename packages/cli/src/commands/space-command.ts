// CLI, resource commands: `keygate space create|list|show|delete`.
import type { CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { attr, ID, printResources, printSaved, rel } from "../output/result-printer.js";
import { deleteVerb, showVerb } from "./id-verbs.js";
import { defineVerb, noPositionals, onePositional, runVerb } from "./subcommands.js";

const COLUMNS = [ID, attr("name"), rel("parent"), attr("description")];

const create = defineVerb(
  {
    command: "keygate space create",
    synopsis: "NAME [--parent SPACE_ID] [--description TEXT]",
    summary: "Create a space (names are unique among siblings).",
    options: {
      ...CONNECTION_OPTIONS,
      parent: {
        type: "string",
        value: "SPACE_ID",
        description: "the parent space (default: the root space)",
      },
      description: { type: "string", value: "TEXT", description: "what the space holds" },
    },
    examples: ["keygate space create production --parent spc-7a1e"],
  },
  async ({ values, positionals }, io) => {
    const name = onePositional(positionals, "space name", "usage: keygate space create NAME [options]");
    const { client, format } = connect(values, io);
    const org = await client.organization();
    const doc = await client.request("POST", `/organizations/${org}/spaces`, {
      data: {
        type: "spaces",
        attributes: { name, ...(values.description ? { description: values.description } : {}) },
        ...(values.parent
          ? { relationships: { parent: { data: { id: values.parent, type: "spaces" } } } }
          : {}),
      },
    });
    printSaved(io, format, doc);
    return 0;
  },
);

const list = defineVerb(
  {
    command: "keygate space list",
    synopsis: "[--parent SPACE_ID]",
    summary: "List spaces.",
    options: {
      ...CONNECTION_OPTIONS,
      parent: { type: "string", value: "SPACE_ID", description: "only this space's children" },
    },
    examples: ["keygate space list --output yaml"],
  },
  async ({ values, positionals }, io) => {
    noPositionals(positionals, "usage: keygate space list [--parent SPACE_ID]");
    const { client, format } = connect(values, io);
    const org = await client.organization();
    const filter = values.parent ? `?filter[parent]=${encodeURIComponent(values.parent)}` : "";
    printResources(io, format, await client.all(`/organizations/${org}/spaces${filter}`), COLUMNS);
    return 0;
  },
);

const names = {
  command: "space",
  what: "space",
  collection: "/spaces",
  example: "spc-7a1e",
  deleteNote:
    "Refused while it has child spaces or service accounts, or holds live tokens or delegate tokens or connected delegates.",
};

/** Runs `keygate space ...`. */
export function spaceCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb("space", { create, list, show: showVerb(names), delete: deleteVerb(names) }, argv, io);
}
