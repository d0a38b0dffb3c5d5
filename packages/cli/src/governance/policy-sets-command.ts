// CLI, governance commands: `keygate policy-sets create|list|show|update|delete|add-policies|
// remove-policies|attach-spaces|detach-spaces`.
import { CliError, type CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { defineVerb, noPositionals, onePositional, runVerb, type Verb } from "../commands/subcommands.js";
import { attr, ID, printResource, printResources, printSaved } from "../output/result-printer.js";
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

function relationshipVerb(method: "POST" | "DELETE", relation: "policies" | "spaces"): Verb {
  const verb =
    relation === "policies"
      ? `${method === "POST" ? "add" : "remove"}-policies`
      : `${method === "POST" ? "attach" : "detach"}-spaces`;
  return defineVerb(
    {
      command: `keygate policy-sets ${verb}`,
      synopsis: "SET_ID ID...",
      summary:
        relation === "policies"
          ? `${method === "POST" ? "Add policies to" : "Remove policies from"} a policy set.`
          : `${method === "POST" ? "Attach a policy set to" : "Detach a policy set from"} spaces (it covers their subtrees).`,
      options: CONNECTION_OPTIONS,
      examples: [
        `keygate policy-sets ${verb} pset-81c0 ${relation === "policies" ? "pol-3e9a" : "spc-7a1e"}`,
      ],
    },
    async ({ values, positionals }, io) => {
      const [setId, ...ids] = positionals;
      if (setId === undefined || ids.length === 0)
        throw new CliError(`usage: keygate policy-sets ${verb} SET_ID ID...`, 2);
      const { client, format } = connect(values, io);
      await client.request(method, `/policy-sets/${encodeURIComponent(setId)}/relationships/${relation}`, {
        data: ids.map((id) => ({ id, type: relation })),
      });
      printResource(io, format, (await client.one(`/policy-sets/${encodeURIComponent(setId)}`)).data);
      return 0;
    },
  );
}

const create = defineVerb(
  {
    command: "keygate policy-sets create",
    synopsis:
      "NAME [--global | --space SPACE_ID...] [--entities token,api-key,... | --login] [--policy POLICY_ID]... [--description TEXT]",
    summary: "Create a policy set: which policies apply to which entities, globally or in spaces' subtrees.",
    options: {
      ...CONNECTION_OPTIONS,
      global: { type: "boolean", description: "apply everywhere in the organization" },
      space: {
        type: "string",
        multiple: true,
        value: "SPACE_ID",
        description: "apply in this space and those under it",
      },
      entities: {
        type: "string",
        value: "LIST",
        description: "token, api-key, service-account, delegate-token (comma-separated)",
      },
      login: { type: "boolean", description: "a login policy set (evaluated on every request)" },
      policy: { type: "string", multiple: true, value: "POLICY_ID", description: "a policy in the set" },
      description: { type: "string", value: "TEXT", description: "what the set is for" },
    },
    examples: ["keygate policy-sets create token-rules --global --entities token --policy pol-3e9a"],
  },
  async ({ values, positionals }, io) => {
    const usage = "usage: keygate policy-sets create NAME [options]";
    const name = onePositional(positionals, "policy set name", usage);
    if (values.login && values.entities)
      throw new CliError(`give --login or --entities, not both\n${usage}`, 2);
    const entityTypes = values.login ? ["login"] : list(values.entities);
    const { client, format } = connect(values, io);
    const doc = await client.request("POST", `/organizations/${await client.organization()}/policy-sets`, {
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
    });
    printSaved(io, format, doc);
    return 0;
  },
);

const listVerb = defineVerb(
  {
    command: "keygate policy-sets list",
    synopsis: "[--search TEXT]",
    summary: "List policy sets.",
    options: {
      ...CONNECTION_OPTIONS,
      search: { type: "string", value: "TEXT", description: "only sets whose name contains this" },
    },
    examples: ["keygate policy-sets list"],
  },
  async ({ values, positionals }, io) => {
    noPositionals(positionals, "usage: keygate policy-sets list [--search TEXT]");
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
);

const update = defineVerb(
  {
    command: "keygate policy-sets update",
    synopsis: "SET_ID [--name NAME] [--global | --no-global] [--entities LIST] [--description TEXT]",
    summary: "Change a policy set.",
    options: {
      ...CONNECTION_OPTIONS,
      name: { type: "string", value: "NAME", description: "the new name" },
      global: { type: "boolean", description: "apply everywhere" },
      "no-global": { type: "boolean", description: "apply only in the attached spaces" },
      entities: {
        type: "string",
        value: "LIST",
        description: "the entities it applies to (comma-separated)",
      },
      description: { type: "string", value: "TEXT", description: "what the set is for" },
    },
    examples: ["keygate policy-sets update pset-81c0 --no-global --entities token,api-key"],
  },
  async ({ values, positionals }, io) => {
    const usage = "usage: keygate policy-sets update SET_ID [options]";
    const id = onePositional(positionals, "policy set id", usage);
    if (values.global && values["no-global"])
      throw new CliError(`give --global or --no-global, not both\n${usage}`, 2);
    const global = values.global ? true : values["no-global"] ? false : undefined;
    const { client, format } = connect(values, io);
    const doc = await client.request("PATCH", `/policy-sets/${encodeURIComponent(id)}`, {
      data: {
        type: "policy-sets",
        attributes: {
          ...(values.name ? { name: values.name } : {}),
          ...(global !== undefined ? { global } : {}),
          ...(values.entities ? { "entity-types": list(values.entities) } : {}),
          ...(values.description !== undefined ? { description: values.description } : {}),
        },
      },
    });
    printSaved(io, format, doc);
    return 0;
  },
);

const names = {
  command: "policy-sets",
  what: "policy set",
  collection: "/policy-sets",
  example: "pset-81c0",
};

/** Runs `keygate policy-sets ...`. */
export function policySetsCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "policy-sets",
    {
      create,
      list: listVerb,
      show: showVerb(names),
      update,
      delete: deleteVerb(names),
      "add-policies": relationshipVerb("POST", "policies"),
      "remove-policies": relationshipVerb("DELETE", "policies"),
      "attach-spaces": relationshipVerb("POST", "spaces"),
      "detach-spaces": relationshipVerb("DELETE", "spaces"),
    },
    argv,
    io,
  );
}
