import { describe, expect, it } from "vitest";
import { RegoObject, type Value } from "../value/value.js";
import { callerFor } from "./test-context.js";
import { goQuoteBytes } from "./go-url.js";
import { URI_BUILTINS } from "./uri.js";

const call = callerFor(URI_BUILTINS);

/** `uri.parse` as a plain record, for readable expectations. */
function parsed(uri: string): Record<string, Value> {
  const v = call("uri.parse", uri);
  if (!(v instanceof RegoObject)) throw new Error("uri.parse did not return an object");
  return Object.fromEntries(v.entries().map((e) => [e.key as string, e.value]));
}

/** The message `uri.parse` fails with. */
function failure(uri: string): string {
  try {
    call("uri.parse", uri);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`uri.parse(${JSON.stringify(uri)}) did not fail`);
}

describe("uri.parse", () => {
  // OPA's own conformance cases (v1/test/cases/testdata/v1/uribuiltins).
  it("splits a full URL into its components", () => {
    expect(parsed("https://example.com:8080/api?q=1#top")).toEqual({
      scheme: "https",
      hostname: "example.com",
      port: "8080",
      path: "/api",
      raw_path: "/api",
      raw_query: "q=1",
      fragment: "top",
    });
    expect(parsed("https://example.com:443/path")).toEqual({
      scheme: "https",
      hostname: "example.com",
      port: "443",
      path: "/path",
      raw_path: "/path",
    });
  });

  it("leaves out the components that are empty", () => {
    expect(parsed("https://example.com/path")).toEqual({
      scheme: "https",
      hostname: "example.com",
      path: "/path",
      raw_path: "/path",
    });
    expect(parsed("https://example.com?q=1#frag")).toEqual({
      scheme: "https",
      hostname: "example.com",
      raw_query: "q=1",
      fragment: "frag",
    });
    expect(parsed("")).toEqual({});
    // A forced empty query and an empty fragment are no components.
    expect(parsed("http://a/?#")).toEqual({ scheme: "http", hostname: "a", path: "/", raw_path: "/" });
  });

  it("reports opaque URIs by their scheme (and query) only", () => {
    expect(parsed("mailto:user@example.com")).toEqual({ scheme: "mailto" });
    expect(parsed("urn:isbn:0451450523")).toEqual({ scheme: "urn" });
    expect(parsed("mailto:a@b?subject=hi#x")).toEqual({
      scheme: "mailto",
      raw_query: "subject=hi",
      fragment: "x",
    });
  });

  it("parses IPv6 literals, zones and IPv4-mapped addresses", () => {
    expect(parsed("http://[::1]:8080/path")).toEqual({
      scheme: "http",
      hostname: "::1",
      port: "8080",
      path: "/path",
      raw_path: "/path",
    });
    expect(parsed("http://[fe80::1%25en0]/").hostname).toBe("fe80::1%en0");
    expect(parsed("http://[fe80::1%25%65n0]:1/")).toMatchObject({ hostname: "fe80::1%en0", port: "1" });
    expect(parsed("http://[::ffff:1.2.3.4]/").hostname).toBe("::ffff:1.2.3.4");
    expect(parsed("http://[::1]").hostname).toBe("::1");
  });

  it("keeps raw_path only where the decoded path does not re-encode to the input", () => {
    expect(parsed("https://example.com/path%2Fwith%2Fslashes")).toMatchObject({
      path: "/path/with/slashes",
      raw_path: "/path%2Fwith%2Fslashes",
    });
    for (const [input, path] of [
      ["https://example.com/a%21b", "/a!b"],
      ["https://example.com/a%27b", "/a'b"],
      ["https://example.com/a%2Ab", "/a*b"],
      ["https://example.com/a%28b%29", "/a(b)"],
      ["https://example.com/a%20b", "/a b"],
    ]) {
      expect(parsed(input as string), input).toMatchObject({ path, raw_path: path });
    }
    expect(parsed("https://example.com/a b")).toMatchObject({ path: "/a b", raw_path: "/a b" });
    expect(parsed("https://example.com/%7e")).toMatchObject({ path: "/~", raw_path: "/%7e" });
  });

  it("decodes the fragment but not the query, and lower-cases only the scheme", () => {
    expect(parsed("HTTPS://Example.COM/#b%20c")).toEqual({
      scheme: "https",
      hostname: "Example.COM",
      path: "/",
      raw_path: "/",
      fragment: "b c",
    });
    expect(parsed("http://a/?q=%zz&r=1").raw_query).toBe("q=%zz&r=1");
  });

  it("accepts what Go accepts in hosts and userinfo", () => {
    expect(parsed("http://foo]bar/")).toEqual({
      scheme: "http",
      hostname: "foo]bar",
      path: "/",
      raw_path: "/",
    });
    expect(parsed("http://ünicode.example/").hostname).toBe("ünicode.example");
    expect(parsed("http://%C3%BC.example/").hostname).toBe("ü.example");
    expect(parsed("http://user:pa%20ss@host:81/")).toEqual({
      scheme: "http",
      hostname: "host",
      port: "81",
      path: "/",
      raw_path: "/",
    });
    expect(parsed("http://host:/").port).toBeUndefined();
  });

  it("parses references without a scheme", () => {
    expect(parsed("/foo/bar?x=1")).toEqual({ path: "/foo/bar", raw_path: "/foo/bar", raw_query: "x=1" });
    expect(parsed("//host.example/p")).toEqual({ hostname: "host.example", path: "/p", raw_path: "/p" });
    expect(parsed("///p")).toEqual({ path: "///p", raw_path: "///p" });
    expect(parsed("a/b:c")).toEqual({ path: "a/b:c", raw_path: "a/b:c" });
    expect(parsed("*")).toEqual({ path: "*", raw_path: "*" });
    expect(parsed("spiffe://trust.example/ns/default/sa/web")).toEqual({
      scheme: "spiffe",
      hostname: "trust.example",
      path: "/ns/default/sa/web",
      raw_path: "/ns/default/sa/web",
    });
  });

  it("treats a second colon in the host as Go 1.27 does: an error for http(s) only", () => {
    expect(failure("http://a:1:2/")).toBe('parse "http://a:1:2/": invalid port ":1:2" after host');
    expect(failure("https://::1/")).toBe('parse "https://::1/": invalid port "::1" after host');
    expect(parsed("mongodb://h1:1,h2:2/db")).toMatchObject({ hostname: "h1:1,h2", port: "2" });
  });

  it("fails with Go's url.Parse errors", () => {
    const cases: [string, string][] = [
      ["http://exa%6dple.com/", 'invalid URL escape "%6d"'],
      ["http://a<b@example.com/", "net/url: invalid userinfo"],
      ["http://user name@example.com/", "net/url: invalid userinfo"],
      ["https://ü@example.com/", "net/url: invalid userinfo"],
      ["http://us%zzer@host/", 'invalid URL escape "%zz"'],
      ["http://example.com:٣٤/", 'invalid port ":٣٤" after host'],
      ["https://example.com:abc/x", 'invalid port ":abc" after host'],
      ["https://example.com/%zz", 'invalid URL escape "%zz"'],
      ["https://example.com/%zé", 'invalid URL escape "%z\\xc3"'],
      ["https://example.com/%4", 'invalid URL escape "%4"'],
      ["://x", "missing protocol scheme"],
      ["1a:b/x", "first path segment in URL cannot contain colon"],
      ["https://a{b}/", 'invalid character "{" in host name'],
      ["http://a b/", 'invalid character " " in host name'],
      ["http://[invalid", "missing ']' in host"],
      ["http://[::1/", "missing ']' in host"],
      ["http://[::1]x/", 'invalid port "x" after host'],
      ["http://x[::1]/", "invalid IP-literal"],
      ["https://[1.2.3.4]/", "invalid IP-literal"],
      ["https://[v1.x]/", 'invalid host: ParseAddr("v1.x"): unexpected character (at "v1.x")'],
      [
        "http://[::1:]/",
        'invalid host: ParseAddr("::1:"): colon must be followed by more characters (at ":")',
      ],
      ["http://[1::2::3]/", 'invalid host: ParseAddr("1::2::3"): multiple :: in address (at ":3")'],
      [
        "http://[12345::]/",
        'invalid host: ParseAddr("12345::"): each group must have 4 or less digits (at "12345::")',
      ],
      ["http://[1:2:3:4:5:6:7]/", 'invalid host: ParseAddr("1:2:3:4:5:6:7"): address string too short'],
      ["http://[::1%25]/", 'invalid host: ParseAddr("::1%"): zone must be a non-empty string'],
      ["http://[fe80::1%25%0a]/", 'invalid URL escape "%0a"'],
      [
        "http://[::1.2.3.04]/",
        'invalid host: ParseAddr("::1.2.3.04"): IPv4 field has octet with leading zero',
      ],
      ["http://[abc]/", 'invalid host: ParseAddr("abc"): unable to parse IP'],
    ];
    for (const [input, reason] of cases) {
      const before = input.split("#")[0] as string;
      expect(failure(input), input).toBe(
        `parse ${goQuoteBytes(new TextEncoder().encode(before))}: ${reason}`,
      );
    }
    expect(failure("https://example.com/\u0001")).toBe(
      'parse "https://example.com/\\x01": net/url: invalid control character in URL',
    );
  });

  it("quotes the part before '#' for errors there, and the whole input for a bad fragment", () => {
    expect(failure("http://a/%zz#frag")).toBe('parse "http://a/%zz": invalid URL escape "%zz"');
    expect(failure("http://a/#%zz")).toBe('parse "http://a/#%zz": invalid URL escape "%zz"');
  });

  it("rejects a non-string operand", () => {
    expect(() => call("uri.parse", 1)).toThrow("operand 1 must be string but got number");
  });

  it("handles long input in linear time", () => {
    const long = `http://${"a".repeat(200_000)}.example/${"%41".repeat(100_000)}?${"q".repeat(100_000)}`;
    const started = Date.now();
    expect(parsed(long).path).toBe(`/${"A".repeat(100_000)}`);
    expect(failure(`http://${"[".repeat(100_000)}`)).toContain("invalid IP-literal");
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe("uri.is_valid", () => {
  it("is true for what uri.parse accepts and false otherwise", () => {
    expect(call("uri.is_valid", "https://example.com/path?q=1")).toBe(true);
    expect(call("uri.is_valid", "http://foo]bar/")).toBe(true);
    expect(call("uri.is_valid", "relative/path")).toBe(true);
    expect(call("uri.is_valid", "http://[invalid")).toBe(false);
    expect(call("uri.is_valid", "http://exa%6dple.com/")).toBe(false);
    expect(call("uri.is_valid", "http://a<b@example.com/")).toBe(false);
    expect(call("uri.is_valid", "http://user name@example.com/")).toBe(false);
    expect(call("uri.is_valid", "http://example.com:٣٤/")).toBe(false);
  });

  it("is false for the empty string and for non-strings, rather than an error", () => {
    expect(call("uri.is_valid", "")).toBe(false);
    expect(call("uri.is_valid", 1)).toBe(false);
    expect(call("uri.is_valid", null)).toBe(false);
    expect(call("uri.is_valid", ["http://a/"])).toBe(false);
  });
});

describe("goQuoteBytes", () => {
  it("quotes as strconv.Quote does, with \\x for bytes that are not UTF-8", () => {
    const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
    expect(goQuoteBytes(new TextEncoder().encode('a"b\\\n٣'))).toBe('"a\\"b\\\\\\n٣"');
    expect(goQuoteBytes(bytes(0x25, 0xc3))).toBe('"%\\xc3"');
    expect(goQuoteBytes(bytes(0xed, 0xa0, 0x80))).toBe('"\\xed\\xa0\\x80"');
    expect(goQuoteBytes(bytes(0xf0, 0x9f, 0x98, 0x80))).toBe('"😀"');
  });
});
