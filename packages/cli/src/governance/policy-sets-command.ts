// CLI, governance commands: `keygate policy-sets create|list|show|update|delete|add-policies|
// remove-policies|attach-spaces|detach-spaces`.
import { parseArgs } from "node:util";
import type { ApiResource } from "../client/api-client.js";
import { CliError, type CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { onePositional, runVerb, type Verb } from "../commands/subcommands.js";
import { attr, ID, printResource, printResources } from "../output/result-printer.js";
import { deleteVerb, showVerb } from "../commands/id-verbs.js";

const COLUMNS = [
  ID,
  attr("name"),
  attr("global"),
  attr("entity-types", "ENTITIES"),
  attr("events"),
  attr("policy-count", "POLICIES"),
  attr("space-count", "SPACES"),
];

function list(text: string | undefined): string[] | undefined {
  return text === undefined
    ? undefined
    : text
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
}

function relationshipVerb(io: CliIo, method: "POST" | "DELETE", relation: "policies" | "spaces"): Verb {
  return async (args) => {
    const usage = `usage: keygate policy-sets ${method === "POST" ? "add" : "remove"}-${relation} SET_ID ID...`;
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: CONNECTION_OPTIONS });
    const [setId, ...ids] = positionals;
    if (setId === undefined || ids.length === 0) throw new CliError(usage, 2);
    const { client, format } = connect(values, io);
    await client.request(method, `/policy-sets/${encodeURIComponent(setId)}/relationships/${relation}`, {
      data: ids.map((id) => ({ id, type: relation })),
    });
    printResource(io, format, (await client.one(`/policy-sets/${encodeURIComponent(setId)}`)).data);
    return 0;
  };
}

/** Runs `keygate policy-sets ...`. */
export function policySetsCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "policy-sets",
    {
      async create(args) {
        const usage =
          "usage: keygate policy-sets create NAME [--global | --space SPACE_ID...] [--entities token,api-key,... | --login] [--policy POLICY_ID]... [--description TEXT]";
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: {
            ...CONNECTION_OPTIONS,
            global: { type: "boolean" },
            space: { type: "string", multiple: true },
            entities: { type: "string" },
            login: { type: "boolean" },
            policy: { type: "string", multiple: true },
            description: { type: "string" },
          },
        });
        const name = onePositional(positionals, "policy set name", usage);
        if (values.login && values.entities)
          throw new CliError(`give --login or --entities, not both\n${usage}`, 2);
        const entityTypes = values.login ? ["login"] : list(values.entities);
        const { client, format } = connect(values, io);
        const doc = await client.request(
          "POST",
          `/organizations/${await client.organization()}/policy-sets`,
          {
            data: {
              type: "policy-sets",
              attributes: {
                name,
                global: values.global ?? false,
                ...(entityTypes ? { "entity-types": entityTypes } : {}),
                ...(values.description ? { description: values.description } : {}),
              },
              relationships: {
                policies: { data: (values.policy ?? []).map((id) => ({ id, type: "policies" })) },
                spaces: { data: (values.space ?? []).map((id) => ({ id, type: "spaces" })) },
              },
            },
          },
        );
        printResource(io, format, doc?.data as ApiResource);
        return 0;
      },
      async list(args) {
        const { values } = parseArgs({
          args,
          options: { ...CONNECTION_OPTIONS, search: { type: "string" } },
        });
        const { client, format } = connect(values, io);
        const search = values.search ? `?search[name]=${encodeURIComponent(values.search)}` : "";
        printResources(
          io,
          format,
          await client.all(`/organizations/${await client.organization()}/policy-sets${search}`),
          COLUMNS,
        );
        return 0;
      },
      show: showVerb(io, { command: "policy-sets", what: "policy set", collection: "/policy-sets" }),
      async update(args) {
        const usage =
          "usage: keygate policy-sets update SET_ID [--name NAME] [--global|--no-global] [--entities ...] [--description TEXT]";
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          allowNegative: true,
          options: {
            ...CONNECTION_OPTIONS,
            name: { type: "string" },
            global: { type: "boolean" },
            entities: { type: "string" },
            description: { type: "string" },
          },
        });
        const id = onePositional(positionals, "policy set id", usage);
        const { client, format } = connect(values, io);
        const doc = await client.request("PATCH", `/policy-sets/${encodeURIComponent(id)}`, {
          data: {
            type: "policy-sets",
            attributes: {
              ...(values.name ? { name: values.name } : {}),
              ...(values.global !== undefined ? { global: values.global } : {}),
              ...(values.entities ? { "entity-types": list(values.entities) } : {}),
              ...(values.description !== undefined ? { description: values.description } : {}),
            },
          },
        });
        printResource(io, format, doc?.data as ApiResource);
        return 0;
      },
      delete: deleteVerb(io, { command: "policy-sets", what: "policy set", collection: "/policy-sets" }),
      "add-policies": relationshipVerb(io, "POST", "policies"),
      "remove-policies": relationshipVerb(io, "DELETE", "policies"),
      "attach-spaces": relationshipVerb(io, "POST", "spaces"),
      "detach-spaces": relationshipVerb(io, "DELETE", "spaces"),
    },
    argv,
    io,
  );
}
