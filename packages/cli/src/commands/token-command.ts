// CLI, resource commands: `keygate token create|list|show|update|rotate|revoke|delete`. The token
// text is printed once, on create and rotate.
import { CliError, type CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import type { Column } from "../output/result-printer.js";
import {
  attr,
  ID,
  printIssued,
  printResources,
  printSaved,
  rel,
  tagsColumn,
} from "../output/result-printer.js";
import { deleteVerb, showVerb } from "./id-verbs.js";
import {
  defineVerb,
  noPositionals,
  onePositional,
  parseDurationSeconds,
  parseTags,
  runVerb,
} from "./subcommands.js";

/** When a token stops working: its scheduled end once rotated (the grace period), else its valid-to. */
const EXPIRES: Column = {
  heading: "EXPIRES",
  cell: (r) =>
    r.attributes.status === "rotated" && r.attributes["scheduled-expire-time"]
      ? r.attributes["scheduled-expire-time"]
      : (r.attributes["valid-to"] ?? "never"),
};

const COLUMNS = [
  ID,
  attr("name"),
  rel("principal"),
  attr("status"),
  EXPIRES,
  attr("last-used-at", "LAST USED"),
  tagsColumn(),
];

const TAG_OPTION = {
  tag: { type: "string", multiple: true, value: "KEY=VALUE", description: "a tag to set" },
} as const;

const create = defineVerb(
  {
    command: "keygate token create",
    synopsis: "NAME --key KEY_ID [--description TEXT] [--valid-to ISO_TIME] [--tag KEY=VALUE]...",
    summary: "Create a token on an API key; its text is printed this once.",
    options: {
      ...CONNECTION_OPTIONS,
      key: { type: "string", value: "KEY_ID", description: "the API key the token belongs to (required)" },
      description: { type: "string", value: "TEXT", description: "what the token is for" },
      "valid-to": {
        type: "string",
        value: "ISO_TIME",
        description: "when it stops working (default: never)",
      },
      ...TAG_OPTION,
    },
    examples: ["keygate token create deploy --key key-4f2a --valid-to 2027-01-31T00:00:00Z --tag env=prod"],
  },
  async ({ values, positionals }, io) => {
    const usage = "usage: keygate token create NAME --key KEY_ID (see --help)";
    const name = onePositional(positionals, "token name", usage);
    if (!values.key) throw new CliError(`--key is required\n${usage}`, 2);
    const tags = parseTags(values.tag);
    const { client, format } = connect(values, io);
    const doc = await client.request("POST", `/api-keys/${encodeURIComponent(values.key)}/tokens`, {
      data: {
        type: "tokens",
        attributes: {
          name,
          ...(values.description ? { description: values.description } : {}),
          ...(values["valid-to"] ? { "valid-to": values["valid-to"] } : {}),
          ...(values.tag ? { tags } : {}),
        },
      },
    });
    printIssued(io, format, doc, "Token");
    return 0;
  },
);

const list = defineVerb(
  {
    command: "keygate token list",
    synopsis: "[--key KEY_ID | --principal ID] [--status STATUS] [--tag KEY=VALUE]...",
    summary: "List tokens (never their text): principal, status, when each expires, when last used.",
    options: {
      ...CONNECTION_OPTIONS,
      key: { type: "string", value: "KEY_ID", description: "only this API key's tokens" },
      principal: {
        type: "string",
        value: "ID",
        description: "only the tokens of this user or service account",
      },
      status: { type: "string", value: "STATUS", description: "active, rotated, expired or revoked" },
      tag: { type: "string", multiple: true, value: "KEY=VALUE", description: "only tokens with this tag" },
    },
    examples: [
      "keygate token list --status active --tag env=prod",
      "keygate token list --key key-4f2a --json",
    ],
  },
  async ({ values, positionals }, io) => {
    noPositionals(positionals, "usage: keygate token list [options] (see --help)");
    const { client, format } = connect(values, io);
    const query = new URLSearchParams();
    if (values.status) query.set("filter[status]", values.status);
    if (values.principal) query.set("filter[principal]", values.principal);
    for (const [k, v] of Object.entries(parseTags(values.tag))) query.append("filter[tag]", `${k}=${v}`);
    const q = query.size > 0 ? `?${query.toString()}` : "";
    const path = values.key
      ? `/api-keys/${encodeURIComponent(values.key)}/tokens${q}`
      : `/organizations/${await client.organization()}/tokens${q}`;
    printResources(io, format, await client.all(path), COLUMNS);
    return 0;
  },
);

const update = defineVerb(
  {
    command: "keygate token update",
    synopsis: "TOKEN_ID [--name NAME] [--description TEXT] [--valid-to ISO_TIME|never] [--tag KEY=VALUE]...",
    summary: "Rename a token, re-describe it, change when it expires, or replace its tags.",
    options: {
      ...CONNECTION_OPTIONS,
      name: { type: "string", value: "NAME", description: "the new name" },
      description: { type: "string", value: "TEXT", description: "the new description" },
      "valid-to": {
        type: "string",
        value: "ISO_TIME",
        description: "when it stops working; never for no end",
      },
      tag: {
        type: "string",
        multiple: true,
        value: "KEY=VALUE",
        description: "the token's tags become exactly these",
      },
      "clear-tags": { type: "boolean", description: "remove every tag" },
    },
    examples: ["keygate token update tok-9c1d --valid-to 2027-06-30T00:00:00Z --tag env=staging"],
  },
  async ({ values, positionals }, io) => {
    const usage = "usage: keygate token update TOKEN_ID [options] (see --help)";
    const id = onePositional(positionals, "token id", usage);
    if (values.tag && values["clear-tags"])
      throw new CliError(`give --tag or --clear-tags, not both\n${usage}`, 2);
    const tags = values["clear-tags"] ? {} : values.tag ? parseTags(values.tag) : undefined;
    const validTo = values["valid-to"] === "never" ? null : values["valid-to"];
    const attributes = {
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(values.description !== undefined ? { description: values.description } : {}),
      ...(validTo !== undefined ? { "valid-to": validTo } : {}),
      ...(tags !== undefined ? { tags } : {}),
    };
    if (Object.keys(attributes).length === 0) throw new CliError(`nothing to change\n${usage}`, 2);
    const { client, format } = connect(values, io);
    const doc = await client.request("PATCH", `/tokens/${encodeURIComponent(id)}`, {
      data: { type: "tokens", attributes },
    });
    printSaved(io, format, doc);
    return 0;
  },
);

const rotate = defineVerb(
  {
    command: "keygate token rotate",
    synopsis: "TOKEN_ID [--grace DURATION] [--valid-to ISO_TIME]",
    summary: "Issue a new token in place of one; the old one keeps working for the grace period.",
    options: {
      ...CONNECTION_OPTIONS,
      grace: {
        type: "string",
        value: "DURATION",
        description: "how long the old token keeps working (0, 15m, 24h, 7d)",
      },
      "valid-to": { type: "string", value: "ISO_TIME", description: "when the new token stops working" },
    },
    examples: ["keygate token rotate tok-9c1d --grace 24h"],
  },
  async ({ values, positionals }, io) => {
    const id = onePositional(
      positionals,
      "token id",
      "usage: keygate token rotate TOKEN_ID [--grace DURATION]",
    );
    const grace = values.grace ? parseDurationSeconds(values.grace, "--grace") : 0;
    const { client, format } = connect(values, io);
    const doc = await client.request("POST", `/tokens/${encodeURIComponent(id)}/actions/rotate`, {
      data: {
        type: "tokens",
        attributes: {
          "grace-period-seconds": grace,
          ...(values["valid-to"] ? { "valid-to": values["valid-to"] } : {}),
        },
      },
    });
    const previous = doc?.included?.[0];
    if (previous && format === "table") {
      io.err(
        `old token ${previous.id} keeps working until ${String(previous.attributes["scheduled-expire-time"])}\n`,
      );
    }
    printIssued(io, format, doc, "Token", previous ? { previous } : {});
    return 0;
  },
);

const revoke = defineVerb(
  {
    command: "keygate token revoke",
    synopsis: "TOKEN_ID",
    summary: "Revoke a token: it stops working on every instance before this returns.",
    options: CONNECTION_OPTIONS,
    examples: ["keygate token revoke tok-9c1d"],
  },
  async ({ values, positionals }, io) => {
    const id = onePositional(positionals, "token id", "usage: keygate token revoke TOKEN_ID");
    const { client, format } = connect(values, io);
    const doc = await client.request("POST", `/tokens/${encodeURIComponent(id)}/actions/revoke`);
    printSaved(io, format, doc);
    return 0;
  },
);

const names = { command: "token", what: "token", collection: "/tokens", example: "tok-9c1d" };

/** Runs `keygate token ...`. */
export function tokenCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "token",
    { create, list, show: showVerb(names), update, rotate, revoke, delete: deleteVerb(names) },
    argv,
    io,
  );
}
