import { describe, expect, it } from "vitest";
import { parseErrorsText, parseErrorText } from "./parse-error-text.js";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("OPA's parse error text", () => {
  const source = "package p\n\n\tp := 1 +   \n";
  const error = {
    code: "rego_parse_error" as const,
    message: "unexpected eof token",
    location: { file: "a.rego", row: 3, col: 11, offset: source.indexOf("+") + 4 },
  };

  it("shows the source line without its leading tabs and a caret under the error", () => {
    // The offset sits on trailing white space: OPA moves back to the last non-space byte for
    // the caret, and prints the whole line.
    expect(parseErrorText({ error, withSourceLine: true }, bytes(source))).toBe(
      "a.rego:3: rego_parse_error: unexpected eof token\n\tp := 1 +   \n\t       ^",
    );
  });

  it("prints row:col when the file has no name, and counts the errors", () => {
    const unnamed = { ...error, location: { ...error.location, file: "" } };
    expect(parseErrorsText([{ error: unnamed, withSourceLine: false }], bytes(source))).toBe(
      "1 error occurred: 3:11: rego_parse_error: unexpected eof token",
    );
    expect(
      parseErrorsText(
        [
          { error, withSourceLine: false },
          { error, withSourceLine: false },
        ],
        bytes(source),
      ),
    ).toBe(
      "2 errors occurred:\na.rego:3: rego_parse_error: unexpected eof token\na.rego:3: rego_parse_error: unexpected eof token",
    );
  });
});
