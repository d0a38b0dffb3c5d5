// CLI, resource commands: `keygate role list|create|bind|unbind|bindings`.
import { parseArgs } from "node:util";
import type { ApiResource } from "../client/api-client.js";
import { CliError, type CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { attr, ID, printResource, printResources, rel } from "../output/result-printer.js";
import { SUBJECT_OPTIONS, subjectOf } from "./subject-options.js";
import { onePositional, runVerb } from "./subcommands.js";

const ROLE_COLUMNS = [
  ID,
  attr("name"),
  attr("built-in", "BUILT-IN"),
  attr("principal-kinds", "ONLY FOR"),
  attr("description"),
];
const BINDING_COLUMNS = [ID, rel("role"), rel("subject"), rel("space"), attr("created-at", "CREATED")];

/** Runs `keygate role ...`. */
export function roleCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "role",
    {
      async list(args) {
        const { values } = parseArgs({ args, options: CONNECTION_OPTIONS });
        const { client, format } = connect(values, io);
        printResources(
          io,
          format,
          await client.all(`/organizations/${await client.organization()}/roles`),
          ROLE_COLUMNS,
        );
        return 0;
      },
      async create(args) {
        const usage =
          "usage: keygate role create NAME --permission P [--permission P ...] [--only-for user|service-account] [--description TEXT]";
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: {
            ...CONNECTION_OPTIONS,
            permission: { type: "string", multiple: true },
            "only-for": { type: "string", multiple: true },
            description: { type: "string" },
          },
        });
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
        printResource(io, format, doc?.data as ApiResource);
        return 0;
      },
      async bind(args) {
        const usage = "usage: keygate role bind ROLE (--user ID | --sa ID | --team ID) [--space SPACE_ID]";
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: { ...CONNECTION_OPTIONS, ...SUBJECT_OPTIONS, space: { type: "string" } },
        });
        const role = onePositional(positionals, "role (id or name)", usage);
        const subject = subjectOf(values, true);
        const { client, format } = connect(values, io);
        const doc = await client.request(
          "POST",
          `/organizations/${await client.organization()}/role-bindings`,
          {
            data: {
              type: "role-bindings",
              relationships: {
                role: { data: { id: role, type: "roles" } },
                subject: { data: subject },
                ...(values.space ? { space: { data: { id: values.space, type: "spaces" } } } : {}),
              },
            },
          },
        );
        printResource(io, format, doc?.data as ApiResource);
        return 0;
      },
      async unbind(args) {
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: CONNECTION_OPTIONS,
        });
        const id = onePositional(positionals, "role binding id", "usage: keygate role unbind BINDING_ID");
        const { client } = connect(values, io);
        await client.request("DELETE", `/role-bindings/${encodeURIComponent(id)}`);
        io.err(`removed role binding ${id}\n`);
        return 0;
      },
      async bindings(args) {
        const { values } = parseArgs({
          args,
          options: { ...CONNECTION_OPTIONS, ...SUBJECT_OPTIONS, space: { type: "string" } },
        });
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
    },
    argv,
    io,
  );
}
