// CLI, resource commands: `keygate key create|list|show|revoke|delete` (API keys; `--sa ID` for a
// service account's SERVICE key, `--personal` for the caller's own USER key).
import { CliError, type CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { printData } from "../output/result-printer.js";
import { attr, ID, printResources, printSaved, rel, tagsColumn } from "../output/result-printer.js";
import { deleteVerb, showVerb } from "./id-verbs.js";
import { defineVerb, noPositionals, onePositional, parseTags, runVerb } from "./subcommands.js";

const COLUMNS = [
  ID,
  attr("name"),
  attr("api-key-type", "TYPE"),
  rel("principal"),
  tagsColumn(),
  attr("created-at", "CREATED"),
];

const create = defineVerb(
  {
    command: "keygate key create",
    synopsis: "NAME (--sa SERVICE_ACCOUNT_ID | --personal) [--description TEXT] [--tag KEY=VALUE]...",
    summary: "Create an API key, for a service account or for yourself; tokens are then issued on it.",
    options: {
      ...CONNECTION_OPTIONS,
      sa: {
        type: "string",
        value: "SERVICE_ACCOUNT_ID",
        description: "a SERVICE key of this service account",
      },
      personal: { type: "boolean", description: "a USER key of your own" },
      description: { type: "string", value: "TEXT", description: "what the key is for" },
      tag: { type: "string", multiple: true, value: "KEY=VALUE", description: "a tag to set" },
    },
    examples: ["keygate key create deploy-key --sa sa-5d0c --tag team=platform"],
  },
  async ({ values, positionals }, io) => {
    const usage = "usage: keygate key create NAME (--sa SERVICE_ACCOUNT_ID | --personal) [options]";
    const name = onePositional(positionals, "key name", usage);
    if (Boolean(values.sa) === Boolean(values.personal))
      throw new CliError(`give exactly one of --sa or --personal\n${usage}`, 2);
    const tags = parseTags(values.tag);
    const { client, format } = connect(values, io);
    const path = values.sa
      ? `/service-accounts/${encodeURIComponent(values.sa)}/api-keys`
      : "/account/api-keys";
    const doc = await client.request("POST", path, {
      data: {
        type: "api-keys",
        attributes: {
          name,
          ...(values.description ? { description: values.description } : {}),
          ...(values.tag ? { tags } : {}),
        },
      },
    });
    printSaved(io, format, doc);
    return 0;
  },
);

const list = defineVerb(
  {
    command: "keygate key list",
    synopsis: "[--sa SERVICE_ACCOUNT_ID | --personal] [--tag KEY=VALUE]...",
    summary: "List API keys.",
    options: {
      ...CONNECTION_OPTIONS,
      sa: { type: "string", value: "SERVICE_ACCOUNT_ID", description: "only this service account's keys" },
      personal: { type: "boolean", description: "only your own keys" },
      tag: { type: "string", multiple: true, value: "KEY=VALUE", description: "only keys with this tag" },
    },
    examples: ["keygate key list --tag team=platform"],
  },
  async ({ values, positionals }, io) => {
    noPositionals(positionals, "usage: keygate key list [options]");
    const { client, format } = connect(values, io);
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(parseTags(values.tag))) query.append("filter[tag]", `${k}=${v}`);
    const q = query.size > 0 ? `?${query.toString()}` : "";
    let path: string;
    if (values.sa) path = `/service-accounts/${encodeURIComponent(values.sa)}/api-keys${q}`;
    else if (values.personal) path = `/account/api-keys${q}`;
    else path = `/organizations/${await client.organization()}/api-keys${q}`;
    printResources(io, format, await client.all(path), COLUMNS);
    return 0;
  },
);

const revoke = defineVerb(
  {
    command: "keygate key revoke",
    synopsis: "KEY_ID [--delete]",
    summary: "Revoke every working token of an API key (and with --delete, delete the key).",
    options: { ...CONNECTION_OPTIONS, delete: { type: "boolean", description: "then delete the key" } },
    examples: ["keygate key revoke key-4f2a --delete"],
  },
  async ({ values, positionals }, io) => {
    const id = onePositional(positionals, "key id", "usage: keygate key revoke KEY_ID [--delete]");
    const { client, format } = connect(values, io);
    const tokens = await client.all(`/api-keys/${encodeURIComponent(id)}/tokens`);
    const revoked = [];
    for (const token of tokens) {
      if (token.attributes.status === "revoked" || token.attributes.status === "expired") continue;
      const doc = await client.request("POST", `/tokens/${token.id}/actions/revoke`);
      if (doc && !Array.isArray(doc.data)) revoked.push(doc.data);
    }
    io.err(`revoked ${revoked.length} token(s) of API key ${id}\n`);
    if (values.delete) {
      await client.request("DELETE", `/api-keys/${encodeURIComponent(id)}`);
      io.err(`deleted API key ${id}\n`);
    }
    // The tokens this revoked, as a list of resources, for scripts.
    if (format !== "table") printData(io, format, revoked);
    return 0;
  },
);

const names = {
  command: "key",
  what: "API key",
  collection: "/api-keys",
  example: "key-4f2a",
  deleteNote: "Refused while any of its tokens still works (revoke them first: keygate key revoke KEY_ID).",
};

/** Runs `keygate key ...`. */
export function keyCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb("key", { create, list, show: showVerb(names), revoke, delete: deleteVerb(names) }, argv, io);
}
