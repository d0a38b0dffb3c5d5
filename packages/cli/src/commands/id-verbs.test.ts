// CLI, resource commands: the show/delete verbs shared by every resource.
import { describe, expect, it } from "vitest";
import { CliError } from "../client/cli-io.js";
import { deleteVerb, showVerb } from "./id-verbs.js";

const names = { command: "sa", what: "service account", collection: "/service-accounts", example: "sa-5d0c" };

function capture() {
  const out: string[] = [];
  return { out, io: { out: (t: string) => out.push(t), err: () => {}, env: {} } };
}

describe("id verbs", () => {
  it("print their usage for --help without needing a server or a token", async () => {
    const { out, io } = capture();
    expect(await showVerb(names)(["--help"], io)).toBe(0);
    expect(await deleteVerb(names)(["-h"], io)).toBe(0);
    expect(out[0]).toMatch(/^usage: keygate sa show ID\n\nShow one service account\.\n\noptions:\n/);
    expect(out[0]).toMatch(/--output FORMAT\s+table \(default\), json or yaml/);
    expect(out[0]).toMatch(/example:\n {2}keygate sa show sa-5d0c --output yaml\n/);
    expect(out[1]).toMatch(/^usage: keygate sa delete ID\n/);
  });

  it("name what is missing, with the usage", async () => {
    const { io } = capture();
    await expect(showVerb(names)([], io)).rejects.toThrow(CliError);
    await expect(showVerb(names)([], io)).rejects.toThrow(
      /missing service account id\nusage: keygate sa show ID/,
    );
  });
});
