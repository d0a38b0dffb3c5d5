// CLI, resource commands: `keygate team create|list|delete|add|remove|members`.
import { parseArgs } from "node:util";
import type { ApiResource } from "../client/api-client.js";
import type { CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { attr, ID, printResource, printResources } from "../output/result-printer.js";
import { SUBJECT_OPTIONS, subjectOf } from "./subject-options.js";
import { onePositional, runVerb } from "./subcommands.js";
import { deleteVerb } from "./id-verbs.js";

const COLUMNS = [ID, attr("name"), attr("external-id", "IDP GROUP"), attr("description")];
const MEMBER_COLUMNS = [ID, { heading: "TYPE", cell: (r: ApiResource) => r.type }, attr("name")];

function membership(method: "POST" | "DELETE", io: CliIo) {
  return async (args: string[]) => {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...CONNECTION_OPTIONS, ...SUBJECT_OPTIONS },
    });
    const team = onePositional(
      positionals,
      "team id",
      `usage: keygate team ${method === "POST" ? "add" : "remove"} TEAM_ID (--user ID | --sa ID)`,
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
  };
}

/** Runs `keygate team ...`. */
export function teamCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "team",
    {
      async create(args) {
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: {
            ...CONNECTION_OPTIONS,
            description: { type: "string" },
            "external-id": { type: "string" },
          },
        });
        const name = onePositional(
          positionals,
          "team name",
          "usage: keygate team create NAME [--description TEXT] [--external-id IDP_GROUP]",
        );
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
        printResource(io, format, doc?.data as ApiResource);
        return 0;
      },
      async list(args) {
        const { values } = parseArgs({ args, options: CONNECTION_OPTIONS });
        const { client, format } = connect(values, io);
        printResources(
          io,
          format,
          await client.all(`/organizations/${await client.organization()}/teams`),
          COLUMNS,
        );
        return 0;
      },
      delete: deleteVerb(io, { command: "team", what: "team", collection: "/teams" }),
      add: membership("POST", io),
      remove: membership("DELETE", io),
      async members(args) {
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: CONNECTION_OPTIONS,
        });
        const id = onePositional(positionals, "team id", "usage: keygate team members TEAM_ID");
        const { client, format } = connect(values, io);
        printResources(
          io,
          format,
          await client.all(`/teams/${encodeURIComponent(id)}/members`),
          MEMBER_COLUMNS,
        );
        return 0;
      },
    },
    argv,
    io,
  );
}
