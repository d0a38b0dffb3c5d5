// CLI, governance commands: `keygate policies create|list|show|update|upload|download|delete`,
// over the HCP Terraform-compatible Policies API.
import { readFileSync } from "node:fs";
import type { ApiResource } from "../client/api-client.js";
import { CliError, type CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { deleteVerb, showVerb } from "../commands/id-verbs.js";
import { defineVerb, noPositionals, onePositional, runVerb } from "../commands/subcommands.js";
import { attr, ID, printResources, printSaved, printSaveNotes } from "../output/result-printer.js";
import { downloadPolicyText, uploadPolicyText } from "./raw-transfer.js";

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

const create = defineVerb(
  {
    command: "keygate policies create",
    synopsis:
      "NAME [--file POLICY.rego] [--level mandatory|advisory] [--query Q] [--description TEXT] [--set POLICY_SET_ID]...",
    summary: "Create a policy (OPA), upload its Rego text, and add it to policy sets.",
    options: {
      ...CONNECTION_OPTIONS,
      file: { type: "string", short: "f", value: "POLICY.rego", description: "the Rego text to upload" },
      level: {
        type: "string",
        value: "LEVEL",
        description: "mandatory (denials refuse the change) or advisory (warnings)",
      },
      query: {
        type: "string",
        value: "Q",
        description: "the query to evaluate (e.g. data.keygate.token.deny)",
      },
      description: { type: "string", value: "TEXT", description: "what the policy checks" },
      set: {
        type: "string",
        multiple: true,
        value: "POLICY_SET_ID",
        description: "a policy set to add it to",
      },
    },
    examples: [
      "keygate policies create max-ttl -f max-ttl.rego --level mandatory --query data.keygate.token.deny --set pset-81c0",
    ],
  },
  async ({ values, positionals }, io) => {
    const name = onePositional(positionals, "policy name", "usage: keygate policies create NAME [options]");
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
    if (source === undefined) {
      printSaved(io, format, doc);
      return 0;
    }
    let warnings: string[];
    try {
      warnings = await uploadPolicyText(values, io, policy.id, source);
    } catch (error) {
      // The policy exists without text; say so rather than leave it unexplained.
      if (error instanceof CliError)
        throw new CliError(`policy ${policy.id} was created but its text was refused: ${error.message}`);
      throw error;
    }
    // The create's warning (no text yet) is moot once the text is in: print the upload's.
    printSaved(io, format, { data: (await client.one(`/policies/${policy.id}`)).data, meta: { warnings } });
    return 0;
  },
);

const list = defineVerb(
  {
    command: "keygate policies list",
    synopsis: "[--search TEXT]",
    summary: "List policies.",
    options: {
      ...CONNECTION_OPTIONS,
      search: { type: "string", value: "TEXT", description: "only policies whose name contains this" },
    },
    examples: ["keygate policies list --search ttl"],
  },
  async ({ values, positionals }, io) => {
    noPositionals(positionals, "usage: keygate policies list [--search TEXT]");
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
);

const update = defineVerb(
  {
    command: "keygate policies update",
    synopsis: "POLICY_ID [--level mandatory|advisory] [--query Q] [--description TEXT]",
    summary: "Change a policy's enforcement level, query or description (its name cannot change).",
    options: {
      ...CONNECTION_OPTIONS,
      level: { type: "string", value: "LEVEL", description: "mandatory or advisory" },
      query: { type: "string", value: "Q", description: "the query to evaluate" },
      description: { type: "string", value: "TEXT", description: "what the policy checks" },
    },
    examples: ["keygate policies update pol-3e9a --level advisory"],
  },
  async ({ values, positionals }, io) => {
    const id = onePositional(positionals, "policy id", "usage: keygate policies update POLICY_ID [options]");
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
    printSaved(io, format, doc);
    return 0;
  },
);

const upload = defineVerb(
  {
    command: "keygate policies upload",
    synopsis: "POLICY_ID FILE.rego",
    summary: "Upload a policy's Rego text (replacing the text it had); with --json, print the policy.",
    options: CONNECTION_OPTIONS,
    examples: ["keygate policies upload pol-3e9a max-ttl.rego"],
  },
  async ({ values, positionals }, io) => {
    const [id, file, ...extra] = positionals;
    if (id === undefined || file === undefined || extra.length > 0)
      throw new CliError("usage: keygate policies upload POLICY_ID FILE.rego", 2);
    const { client, format } = connect(values, io);
    const warnings = await uploadPolicyText(values, io, id, readSource(file));
    io.err(`uploaded ${file} to policy ${id}\n`);
    if (format === "table") printSaveNotes(io, { warnings, policyEvaluationId: null });
    else
      printSaved(io, format, {
        data: (await client.one(`/policies/${encodeURIComponent(id)}`)).data,
        meta: { warnings },
      });
    return 0;
  },
);

const download = defineVerb(
  {
    command: "keygate policies download",
    synopsis: "POLICY_ID",
    summary: "Print a policy's Rego text as uploaded.",
    options: { server: CONNECTION_OPTIONS.server },
    examples: ["keygate policies download pol-3e9a > max-ttl.rego"],
  },
  async ({ values, positionals }, io) => {
    const id = onePositional(positionals, "policy id", "usage: keygate policies download POLICY_ID");
    io.out(await downloadPolicyText(values, io, id));
    return 0;
  },
);

const names = { command: "policies", what: "policy", collection: "/policies", example: "pol-3e9a" };

/** Runs `keygate policies ...`. */
export function policiesCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "policies",
    { create, list, show: showVerb(names), update, upload, download, delete: deleteVerb(names) },
    argv,
    io,
  );
}
