// CLI, resource commands: `keygate role list|create|bind|unbind|bindings`.
import { CliError, type CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { attr, ID, printResources, printSaved, rel } from "../output/result-printer.js";
import { SUBJECT_OPTIONS, subjectOf } from "./subject-options.js";
import { defineVerb, noPositionals, onePositional, runVerb } from "./subcommands.js";

const ROLE_COLUMNS = [
  ID,
  attr("name"),
  attr("built-in", "BUILT-IN"),
  attr("principal-kinds", "ONLY FOR"),
  attr("description"),
];
const BINDING_COLUMNS = [ID, rel("role"), rel("subject"), rel("space"), attr("created-at", "CREATED")];

const list = defineVerb(
  {
    command: "keygate role list",
    synopsis: "",
    summary: "List roles, built-in and custom.",
    options: CONNECTION_OPTIONS,
    examples: ["keygate role list --json"],
  },
  async ({ values, positionals }, io) => {
    noPositionals(positionals, "usage: keygate role list");
    const { client, format } = connect(values, io);
    printResources(
      io,
      format,
      await client.all(`/organizations/${await client.organization()}/roles`),
      ROLE_COLUMNS,
    );
    return 0;
  },
);

const create = defineVerb(
  {
    command: "keygate role create",
    synopsis:
      "NAME --permission P [--permission P]... [--only-for user|service-account] [--description TEXT]",
    summary: "Create a custom role from permissions.",
    options: {
      ...CONNECTION_OPTIONS,
      permission: {
        type: "string",
        multiple: true,
        value: "PERMISSION",
        description: "a permission the role grants",
      },
      "only-for": {
        type: "string",
        multiple: true,
        value: "KIND",
        description: "user or service-account: who may hold it",
      },
      description: { type: "string", value: "TEXT", description: "what the role is for" },
    },
    examples: ["keygate role create token-reader --permission tokens.read --permission api-keys.read"],
  },
  async ({ values, positionals }, io) => {
    const usage = "usage: keygate role create NAME --permission P [options]";
    const name = onePositional(positionals, "role name", usage);
    if (!values.permission || values.permission.length === 0)
      throw new CliError(`give at least one --permission\n${usage}`, 2);
    const { client, format } = connect(values, io);
    const doc = await client.request("POST", `/organizations/${await client.organization()}/roles`, {
      data: {
        type: "roles",
        attributes: {
          name,
          permissions: values.permission,
          ...(values["only-for"] ? { "principal-kinds": values["only-for"] } : {}),
          ...(values.description ? { description: values.description } : {}),
        },
      },
    });
    printSaved(io, format, doc);
    return 0;
  },
);

const bind = defineVerb(
  {
    command: "keygate role bind",
    synopsis: "ROLE (--user ID | --sa ID | --team ID) [--space SPACE_ID]",
    summary:
      "Bind a role (id or name) to a user, service account or team in a space and the spaces under it.",
    options: {
      ...CONNECTION_OPTIONS,
      ...SUBJECT_OPTIONS,
      space: { type: "string", value: "SPACE_ID", description: "where it applies (default: the root space)" },
    },
    examples: ["keygate role bind token-manager --sa sa-5d0c --space spc-7a1e"],
  },
  async ({ values, positionals }, io) => {
    const role = onePositional(
      positionals,
      "role (id or name)",
      "usage: keygate role bind ROLE (--user ID | --sa ID | --team ID)",
    );
    const subject = subjectOf(values, true);
    const { client, format } = connect(values, io);
    const doc = await client.request("POST", `/organizations/${await client.organization()}/role-bindings`, {
      data: {
        type: "role-bindings",
        relationships: {
          role: { data: { id: role, type: "roles" } },
          subject: { data: subject },
          ...(values.space ? { space: { data: { id: values.space, type: "spaces" } } } : {}),
        },
      },
    });
    printSaved(io, format, doc);
    return 0;
  },
);

const unbind = defineVerb(
  {
    command: "keygate role unbind",
    synopsis: "BINDING_ID",
    summary: "Remove a role binding.",
    options: CONNECTION_OPTIONS,
    examples: ["keygate role unbind rb-0e44"],
  },
  async ({ values, positionals }, io) => {
    const id = onePositional(positionals, "role binding id", "usage: keygate role unbind BINDING_ID");
    const { client } = connect(values, io);
    await client.request("DELETE", `/role-bindings/${encodeURIComponent(id)}`);
    io.err(`removed role binding ${id}\n`);
    return 0;
  },
);

const bindings = defineVerb(
  {
    command: "keygate role bindings",
    synopsis: "[--user ID | --sa ID | --team ID] [--space SPACE_ID]",
    summary: "List role bindings.",
    options: {
      ...CONNECTION_OPTIONS,
      ...SUBJECT_OPTIONS,
      space: { type: "string", value: "SPACE_ID", description: "only bindings in this space" },
    },
    examples: ["keygate role bindings --sa sa-5d0c"],
  },
  async ({ values, positionals }, io) => {
    noPositionals(positionals, "usage: keygate role bindings [options]");
    const { client, format } = connect(values, io);
    const filters = new URLSearchParams();
    if (values.user ?? values.sa) filters.set("filter[principal]", values.user ?? values.sa ?? "");
    if (values.team) filters.set("filter[team]", values.team);
    if (values.space) filters.set("filter[space]", values.space);
    const query = filters.size > 0 ? `?${filters.toString()}` : "";
    printResources(
      io,
      format,
      await client.all(`/organizations/${await client.organization()}/role-bindings${query}`),
      BINDING_COLUMNS,
    );
    return 0;
  },
);

/** Runs `keygate role ...`. */
export function roleCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb("role", { list, create, bind, unbind, bindings }, argv, io);
}
