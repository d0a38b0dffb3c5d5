// CLI, resource commands: the show/delete verbs shared by every resource.
import { describe, expect, it } from "vitest";
import { CliError } from "../client/cli-io.js";
import { deleteVerb, showVerb } from "./id-verbs.js";

const names = { command: "sa", what: "service account", collection: "/service-accounts" };

function capture() {
  const out: string[] = [];
  return { out, io: { out: (t: string) => out.push(t), err: () => {}, env: {} } };
}

describe("id verbs", () => {
  it("print their usage for --help without needing a server or a token", async () => {
    const { out, io } = capture();
    expect(await showVerb(io, names)(["--help"])).toBe(0);
    expect(await deleteVerb(io, names)(["-h"])).toBe(0);
    expect(out).toEqual(["usage: keygate sa show ID\n", "usage: keygate sa delete ID\n"]);
  });

  it("name what is missing, with the usage", async () => {
    const { io } = capture();
    await expect(showVerb(io, names)([])).rejects.toThrow(CliError);
    await expect(showVerb(io, names)([])).rejects.toThrow(/missing service account id\nusage: keygate sa show ID/);
  });
});
