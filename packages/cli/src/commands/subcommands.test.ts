// CLI, resource commands: verb dispatch and duration parsing.
import { describe, expect, it } from "vitest";
import { CliError } from "../client/cli-io.js";
import { onePositional, parseDurationSeconds, runVerb } from "./subcommands.js";

const io = { out: () => {}, err: () => {}, env: {} };

describe("subcommands", () => {
  it("parses durations in seconds, minutes, hours and days", () => {
    expect(parseDurationSeconds("0", "--grace")).toBe(0);
    expect(parseDurationSeconds("90s", "--grace")).toBe(90);
    expect(parseDurationSeconds("15m", "--grace")).toBe(900);
    expect(parseDurationSeconds("2h", "--grace")).toBe(7200);
    expect(parseDurationSeconds("7d", "--grace")).toBe(604800);
    expect(() => parseDurationSeconds("soon", "--grace")).toThrow(/--grace must be a duration/);
  });

  it("runs the named verb and refuses unknown ones with the usage", async () => {
    const seen: string[][] = [];
    const verbs = {
      list: async (argv: string[]) => {
        seen.push(argv);
        return 0;
      },
    };
    expect(await runVerb("space", verbs, ["list", "--x"], io)).toBe(0);
    expect(seen).toEqual([["--x"]]);
    await expect(runVerb("space", verbs, ["drop"], io)).rejects.toThrow(
      /unknown command "drop"[\s\S]*keygate space <list>/,
    );
    expect(await runVerb("space", verbs, [], io)).toBe(2);
  });

  it("needs exactly one positional", () => {
    expect(onePositional(["a"], "name", "usage")).toBe("a");
    expect(() => onePositional([], "name", "usage")).toThrow(CliError);
    expect(() => onePositional(["a", "b"], "name", "usage")).toThrow(/unexpected arguments: b/);
  });
});
