// CLI, infrastructure: verb specs: help text, option parsing, and suggestions for unknown options.
import { describe, expect, it } from "vitest";
import { CliError } from "./cli-io.js";
import { closestName, editDistance, helpText, parseVerb } from "./verb-args.js";

const spec = {
  command: "keygate token create",
  synopsis: "NAME --key KEY_ID",
  summary: "Create a token.",
  options: {
    key: { type: "string", value: "KEY_ID", description: "the API key" },
    "valid-to": { type: "string", value: "ISO_TIME", description: "when it stops working" },
    tag: { type: "string", multiple: true, value: "KEY=VALUE", description: "a tag" },
    output: { type: "string", short: "o", value: "FORMAT", description: "table, json or yaml" },
  },
  examples: ["keygate token create deploy --key key-1"],
} as const;

function capture() {
  const out: string[] = [];
  return { out, io: { out: (t: string) => out.push(t), err: () => {}, env: {} } };
}

describe("verb args", () => {
  it("shows usage, summary, every option with its value and help, and the example", () => {
    expect(helpText(spec)).toBe(
      [
        "usage: keygate token create NAME --key KEY_ID",
        "",
        "Create a token.",
        "",
        "options:",
        "      --key KEY_ID         the API key",
        "      --valid-to ISO_TIME  when it stops working",
        "      --tag KEY=VALUE      a tag (may be repeated)",
        "  -o, --output FORMAT      table, json or yaml",
        "  -h, --help               show this help",
        "",
        "example:",
        "  keygate token create deploy --key key-1",
        "",
      ].join("\n"),
    );
  });

  it("answers --help and -h wherever they are, printing the help to stdout", () => {
    const { out, io } = capture();
    expect(parseVerb(spec, ["deploy", "--help"], io)).toBeUndefined();
    expect(parseVerb(spec, ["-h"], io)).toBeUndefined();
    expect(out).toEqual([helpText(spec), helpText(spec)]);
  });

  it("parses values, repeated options and positionals", () => {
    const { io } = capture();
    const parsed = parseVerb(
      spec,
      ["deploy", "--key", "key-1", "--tag", "a=1", "--tag", "b=2", "-o", "json"],
      io,
    );
    expect(parsed?.positionals).toEqual(["deploy"]);
    expect(parsed?.values).toMatchObject({ key: "key-1", tag: ["a=1", "b=2"], output: "json" });
  });

  it("names the closest option for a mistyped one, with exit code 2", () => {
    const { io } = capture();
    const error = (() => {
      try {
        parseVerb(spec, ["deploy", "--vaild-to", "x"], io);
      } catch (e) {
        return e;
      }
    })() as CliError;
    expect(error).toBeInstanceOf(CliError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(
      /^keygate token create: unknown option --vaild-to; did you mean --valid-to\?\n/,
    );
    expect(error.message).toContain("(see keygate token create --help)");
    expect(() => parseVerb(spec, ["--zzzzzzzzzz"], io)).toThrow(/unknown option --zzzzzzzzzz\n/);
    expect(() => parseVerb(spec, ["--ke", "k"], io)).toThrow(/did you mean --key\?/);
  });

  it("refuses an option without its value", () => {
    const { io } = capture();
    expect(() => parseVerb(spec, ["deploy", "--key"], io)).toThrow(/keygate token create: .*--key/);
  });

  it("measures edits, swaps counting as one, and suggests only near names", () => {
    expect(editDistance("json", "jsno")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(closestName("tokne", ["token", "team", "space"])).toBe("token");
    expect(closestName("policy-set", ["policy-sets", "policies"])).toBe("policy-sets");
    expect(closestName("frobnicate", ["token", "team"])).toBeUndefined();
  });
});
