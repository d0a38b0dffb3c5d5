// CLI, resource commands: the verbs that act on one resource by its id (`show ID`, `delete ID`),
// the same for every resource.
import { parseArgs } from "node:util";
import type { CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { printResource } from "../output/result-printer.js";
import { onePositional } from "./subcommands.js";

/** What names a resource in a command: `sa` and "service account" at `/service-accounts`. */
export interface ResourceNames {
  /** The command (`sa`, `token`, `policy-sets`). */
  readonly command: string;
  /** What one is called in messages (`service account`). */
  readonly what: string;
  /** The API collection its items live under (`/service-accounts`). */
  readonly collection: string;
}

/** Parses `VERB ID [--server URL] [--output FORMAT]`; undefined when only usage was asked for. */
function idArgs(args: string[], usage: string, what: string, io: CliIo) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...CONNECTION_OPTIONS, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    io.out(`${usage}\n`);
    return undefined;
  }
  return { id: onePositional(positionals, `${what} id`, usage), ...connect(values, io) };
}

/** `keygate <command> show ID`: prints the resource. */
export function showVerb(io: CliIo, names: ResourceNames): (args: string[]) => Promise<number> {
  return async (args) => {
    const parsed = idArgs(args, `usage: keygate ${names.command} show ID`, names.what, io);
    if (!parsed) return 0;
    const doc = await parsed.client.one(`${names.collection}/${encodeURIComponent(parsed.id)}`);
    printResource(io, parsed.format, doc.data);
    return 0;
  };
}

/** `keygate <command> delete ID`: deletes the resource and says so on stderr. */
export function deleteVerb(io: CliIo, names: ResourceNames): (args: string[]) => Promise<number> {
  return async (args) => {
    const parsed = idArgs(args, `usage: keygate ${names.command} delete ID`, names.what, io);
    if (!parsed) return 0;
    await parsed.client.request("DELETE", `${names.collection}/${encodeURIComponent(parsed.id)}`);
    io.err(`deleted ${names.what} ${parsed.id}\n`);
    return 0;
  };
}
