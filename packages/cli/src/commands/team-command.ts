// CLI, resource commands: `keygate team create|list|show|delete|add|remove|members`.
import type { ApiResource } from "../client/api-client.js";
import type { CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { attr, ID, printResources, printSaved } from "../output/result-printer.js";
import { deleteVerb, showVerb } from "./id-verbs.js";
import { PRINCIPAL_OPTIONS, subjectOf } from "./subject-options.js";
import { defineVerb, noPositionals, onePositional, runVerb, type Verb } from "./subcommands.js";

const COLUMNS = [ID, attr("name"), attr("external-id", "IDP GROUP"), attr("description")];
const MEMBER_COLUMNS = [ID, { heading: "TYPE", cell: (r: ApiResource) => r.type }, attr("name")];

function membership(method: "POST" | "DELETE"): Verb {
  const verb = method === "POST" ? "add" : "remove";
  return defineVerb(
    {
      command: `keygate team ${verb}`,
      synopsis: "TEAM_ID (--user ID | --sa ID)",
      summary:
        method === "POST" ? "Add a user or service account to a team." : "Remove a member from a team.",
      options: { ...CONNECTION_OPTIONS, ...PRINCIPAL_OPTIONS },
      examples: [`keygate team ${verb} team-61b2 --sa sa-5d0c`],
    },
    async ({ values, positionals }, io) => {
      const team = onePositional(
        positionals,
        "team id",
        `usage: keygate team ${verb} TEAM_ID (--user ID | --sa ID)`,
      );
      const subject = subjectOf(values, false);
      const { client } = connect(values, io);
      await client.request(method, `/teams/${encodeURIComponent(team)}/relationships/members`, {
        data: [subject],
      });
      io.err(
        `${method === "POST" ? "added" : "removed"} ${subject.id} ${method === "POST" ? "to" : "from"} team ${team}\n`,
      );
      return 0;
    },
  );
}

const create = defineVerb(
  {
    command: "keygate team create",
    synopsis: "NAME [--description TEXT] [--external-id IDP_GROUP]",
    summary: "Create a team.",
    options: {
      ...CONNECTION_OPTIONS,
      description: { type: "string", value: "TEXT", description: "what the team is" },
      "external-id": {
        type: "string",
        value: "IDP_GROUP",
        description: "the identity provider's group it mirrors",
      },
    },
    examples: ["keygate team create platform --external-id okta:platform-eng"],
  },
  async ({ values, positionals }, io) => {
    const name = onePositional(positionals, "team name", "usage: keygate team create NAME [options]");
    const { client, format } = connect(values, io);
    const doc = await client.request("POST", `/organizations/${await client.organization()}/teams`, {
      data: {
        type: "teams",
        attributes: {
          name,
          ...(values.description ? { description: values.description } : {}),
          ...(values["external-id"] ? { "external-id": values["external-id"] } : {}),
        },
      },
    });
    printSaved(io, format, doc);
    return 0;
  },
);

const list = defineVerb(
  {
    command: "keygate team list",
    synopsis: "",
    summary: "List teams.",
    options: CONNECTION_OPTIONS,
    examples: ["keygate team list"],
  },
  async ({ values, positionals }, io) => {
    noPositionals(positionals, "usage: keygate team list");
    const { client, format } = connect(values, io);
    printResources(
      io,
      format,
      await client.all(`/organizations/${await client.organization()}/teams`),
      COLUMNS,
    );
    return 0;
  },
);

const members = defineVerb(
  {
    command: "keygate team members",
    synopsis: "TEAM_ID",
    summary: "List a team's members.",
    options: CONNECTION_OPTIONS,
    examples: ["keygate team members team-61b2"],
  },
  async ({ values, positionals }, io) => {
    const id = onePositional(positionals, "team id", "usage: keygate team members TEAM_ID");
    const { client, format } = connect(values, io);
    printResources(io, format, await client.all(`/teams/${encodeURIComponent(id)}/members`), MEMBER_COLUMNS);
    return 0;
  },
);

const names = { command: "team", what: "team", collection: "/teams", example: "team-61b2" };

/** Runs `keygate team ...`. */
export function teamCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "team",
    {
      create,
      list,
      show: showVerb(names),
      delete: deleteVerb(names),
      add: membership("POST"),
      remove: membership("DELETE"),
      members,
    },
    argv,
    io,
  );
}
