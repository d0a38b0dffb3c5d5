// CLI, resource commands: the verbs that act on one resource by its id (`show ID`, `delete ID`),
// the same for every resource.
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { printResource } from "../output/result-printer.js";
import { defineVerb, onePositional, type Verb } from "./subcommands.js";

/** What names a resource in a command: `sa` and "service account" at `/service-accounts`. */
export interface ResourceNames {
  /** The command (`sa`, `token`, `policy-sets`). */
  readonly command: string;
  /** What one is called in messages (`service account`). */
  readonly what: string;
  /** The API collection its items live under (`/service-accounts`). */
  readonly collection: string;
  /** An id to show in the help's example. */
  readonly example?: string;
  /** What deleting it also does or needs, for the help. */
  readonly deleteNote?: string;
}

/** `keygate <command> show ID`: prints the resource. */
export function showVerb(names: ResourceNames): Verb {
  return defineVerb(
    {
      command: `keygate ${names.command} show`,
      synopsis: "ID",
      summary: `Show one ${names.what}.`,
      options: CONNECTION_OPTIONS,
      examples: [`keygate ${names.command} show ${names.example ?? "ID"} --output yaml`],
    },
    async ({ values, positionals }, io) => {
      const id = onePositional(positionals, `${names.what} id`, `usage: keygate ${names.command} show ID`);
      const { client, format } = connect(values, io);
      const doc = await client.one(`${names.collection}/${encodeURIComponent(id)}`);
      printResource(io, format, doc.data);
      return 0;
    },
  );
}

/** `keygate <command> delete ID`: deletes the resource and says so on stderr. */
export function deleteVerb(names: ResourceNames): Verb {
  return defineVerb(
    {
      command: `keygate ${names.command} delete`,
      synopsis: "ID",
      summary: `Delete a ${names.what}.${names.deleteNote ? ` ${names.deleteNote}` : ""}`,
      options: CONNECTION_OPTIONS,
      examples: [`keygate ${names.command} delete ${names.example ?? "ID"}`],
    },
    async ({ values, positionals }, io) => {
      const id = onePositional(positionals, `${names.what} id`, `usage: keygate ${names.command} delete ID`);
      // Deleted leaves nothing to print: stdout stays empty in every format.
      const { client } = connect(values, io);
      await client.request("DELETE", `${names.collection}/${encodeURIComponent(id)}`);
      io.err(`deleted ${names.what} ${id}\n`);
      return 0;
    },
  );
}
