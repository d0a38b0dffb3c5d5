// End-to-end: the built `keygate` command explains itself, and says what is wrong with bad input.
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { CLI_MAIN, ensureCliBuilt } from "./support/keygate-build.js";

function keygate(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI_MAIN, ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH },
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe("keygate usage", () => {
  beforeAll(() => ensureCliBuilt());

  it("answers --help for every kind of command with its usage and exit 0", () => {
    for (const args of [
      ["--help"],
      ["can", "--help"],
      ["whoami", "-h"],
      ["token", "create", "--help"],
      ["sa", "show", "--help"],
    ]) {
      const r = keygate(...args);
      expect(r.status, args.join(" ")).toBe(0);
      expect(r.out, args.join(" ")).toMatch(/usage: keygate/);
    }
  });

  it("names an unknown option or command and exits 2", () => {
    const option = keygate("token", "create", "--bogus");
    expect(option.status).toBe(2);
    expect(option.err).toContain("unknown option --bogus");
    const command = keygate("frobnicate");
    expect(command.status).toBe(2);
    expect(command.err).toContain('unknown command "frobnicate"');
  });
});
