// CLI, governance commands: `keygate policies create|list|show|update|upload|download|delete`,
// over the HCP Terraform-compatible Policies API.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { ApiResource } from "../client/api-client.js";
import { CliError, type CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { onePositional, runVerb } from "../commands/subcommands.js";
import { attr, ID, printResource, printResources } from "../output/result-printer.js";
import { downloadPolicyText, uploadPolicyText } from "./raw-transfer.js";
import { deleteVerb, showVerb } from "../commands/id-verbs.js";

const COLUMNS = [
  ID,
  attr("name"),
  attr("enforcement-level", "LEVEL"),
  attr("query"),
  attr("policy-set-count", "SETS"),
  attr("updated-at", "UPDATED"),
];

function readSource(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Runs `keygate policies ...`. */

/** The `meta.warnings` of a response document (empty when it has none). */
function warningsOf(doc: unknown): string[] {
  const warnings = (doc as { meta?: { warnings?: unknown } } | undefined)?.meta?.warnings;
  return Array.isArray(warnings) ? warnings.filter((w): w is string => typeof w === "string") : [];
}

/** One `warning: ...` line on stderr per server warning (stdout stays the resource, in every format). */
function printWarnings(io: CliIo, warnings: readonly string[]): void {
  for (const warning of warnings) io.err(`warning: ${warning}\n`);
}

export function policiesCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "policies",
    {
      async create(args) {
        const usage =
          "usage: keygate policies create NAME [--file POLICY.rego] [--level mandatory|advisory] [--query Q] [--description TEXT] [--set POLICY_SET_ID]...";
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: {
            ...CONNECTION_OPTIONS,
            file: { type: "string", short: "f" },
            level: { type: "string" },
            query: { type: "string" },
            description: { type: "string" },
            set: { type: "string", multiple: true },
          },
        });
        const name = onePositional(positionals, "policy name", usage);
        const source = values.file === undefined ? undefined : readSource(values.file);
        const { client, format } = connect(values, io);
        const doc = await client.request("POST", `/organizations/${await client.organization()}/policies`, {
          data: {
            type: "policies",
            attributes: {
              name,
              kind: "opa",
              ...(values.level ? { "enforcement-level": values.level } : {}),
              ...(values.query ? { query: values.query } : {}),
              ...(values.description ? { description: values.description } : {}),
            },
            relationships: {
              "policy-sets": { data: (values.set ?? []).map((id) => ({ id, type: "policy-sets" })) },
            },
          },
        });
        const policy = doc?.data as ApiResource;
        if (source !== undefined) {
          try {
            // The create's warning (no text yet) is moot once the text is in: print the upload's.
            printWarnings(io, await uploadPolicyText(values, io, policy.id, source));
          } catch (error) {
            // The policy exists without text; say so rather than leave it unexplained.
            if (error instanceof CliError) {
              throw new CliError(
                `policy ${policy.id} was created but its text was refused: ${error.message}`,
              );
            }
            throw error;
          }
          printResource(io, format, (await client.one(`/policies/${policy.id}`)).data);
        } else {
          printWarnings(io, warningsOf(doc));
          printResource(io, format, policy);
        }
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
          await client.all(`/organizations/${await client.organization()}/policies${search}`),
          COLUMNS,
        );
        return 0;
      },
      show: showVerb(io, { command: "policies", what: "policy", collection: "/policies" }),
      async update(args) {
        const usage =
          "usage: keygate policies update POLICY_ID [--level mandatory|advisory] [--query Q] [--description TEXT]";
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: {
            ...CONNECTION_OPTIONS,
            level: { type: "string" },
            query: { type: "string" },
            description: { type: "string" },
          },
        });
        const id = onePositional(positionals, "policy id", usage);
        const { client, format } = connect(values, io);
        const doc = await client.request("PATCH", `/policies/${encodeURIComponent(id)}`, {
          data: {
            type: "policies",
            attributes: {
              ...(values.level ? { "enforcement-level": values.level } : {}),
              ...(values.query ? { query: values.query } : {}),
              ...(values.description !== undefined ? { description: values.description } : {}),
            },
          },
        });
        printWarnings(io, warningsOf(doc));
        printResource(io, format, doc?.data as ApiResource);
        return 0;
      },
      async upload(args) {
        const usage = "usage: keygate policies upload POLICY_ID FILE.rego";
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: CONNECTION_OPTIONS,
        });
        const [id, file, ...extra] = positionals;
        if (id === undefined || file === undefined || extra.length > 0) throw new CliError(usage, 2);
        const warnings = await uploadPolicyText(values, io, id, readSource(file));
        io.err(`uploaded ${file} to policy ${id}\n`);
        printWarnings(io, warnings);
        return 0;
      },
      async download(args) {
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: CONNECTION_OPTIONS,
        });
        const id = onePositional(positionals, "policy id", "usage: keygate policies download POLICY_ID");
        io.out(await downloadPolicyText(values, io, id));
        return 0;
      },
      delete: deleteVerb(io, { command: "policies", what: "policy", collection: "/policies" }),
    },
    argv,
    io,
  );
}
