import { describe, expect, it } from "vitest";
import { BigNumber } from "../value/big-number.js";
import { RegoObject, RegoSet, type Value, valuesEqual } from "../value/value.js";
import { ENCODING_BUILTINS } from "./encoding.js";
import { callerFor } from "./test-context.js";

const call = callerFor(ENCODING_BUILTINS);
const obj = RegoObject.fromRecord;
const eq = (a: Value | undefined, b: Value) => expect(a !== undefined && valuesEqual(a, b)).toBe(true);

describe("base64 and hex", () => {
  it("encodes and decodes", () => {
    expect(call("base64.encode", "hello")).toBe("aGVsbG8=");
    expect(call("base64.decode", "aGVsbG8=")).toBe("hello");
    expect(call("base64url.encode", "\u00ff\u00fe?")).toBe("w7_Dvj8=");
    expect(call("base64url.encode_no_pad", "\u00ff\u00fe?")).toBe("w7_Dvj8");
    expect(call("base64url.decode", "aGVsbG8")).toBe("hello");
    expect(call("base64url.decode", "aGVsbG8=")).toBe("hello");
    expect(call("hex.encode", "lorem ipsum")).toBe("6c6f72656d20697073756d");
    expect(call("hex.decode", "6c6f72656d20697073756d")).toBe("lorem ipsum");
  });

  it("rejects bad input with Go's messages", () => {
    expect(() => call("base64.decode", "aGVsbG8")).toThrow("illegal base64 data at input byte");
    expect(() => call("base64.decode", "a$==")).toThrow("illegal base64 data at input byte 1");
    expect(call("base64.is_valid", "aGVsbG8=")).toBe(true);
    expect(call("base64.is_valid", "aGVsbG8")).toBe(false);
    expect(() => call("hex.decode", "6g")).toThrow("encoding/hex: invalid byte: U+0067 'g'");
    expect(() => call("hex.decode", "6")).toThrow("encoding/hex: odd length hex string");
  });
});

describe("json text", () => {
  it("marshals with sorted keys, sets as arrays and HTML escaping", () => {
    expect(call("json.marshal", obj({ b: RegoSet.of([2, 1]), a: "<x>" }))).toBe(
      '{"a":"\\u003cx\\u003e","b":[1,2]}',
    );
  });

  it("marshals with options", () => {
    const v = [1234567890, 2000000, 1000000000];
    expect(call("json.marshal_with_options", v, obj({ indent: "  " }))).toBe(
      "[\n  1234567890,\n  2000000,\n  1000000000\n]",
    );
    expect(call("json.marshal_with_options", v, obj({}))).toBe("[1234567890,2000000,1000000000]");
    expect(call("json.marshal_with_options", v, obj({ pretty: false, prefix: "NO!" }))).toBe(
      "[1234567890,2000000,1000000000]",
    );
    expect(call("json.marshal_with_options", obj({ foo: "bar", bar: "baz" }), obj({ prefix: "J " }))).toBe(
      'J {\nJ \t"bar": "baz",\nJ \t"foo": "bar"\nJ }',
    );
    expect(call("json.marshal_with_options", [], obj({ indent: "    ", prefix: "---" }))).toBe("---[]");
    expect(() => call("json.marshal_with_options", [], obj({ nope: true }))).toThrow(
      'object contained unknown key "nope"',
    );
  });

  it("unmarshals exactly and validates", () => {
    eq(call("json.unmarshal", '{"a": [1, 2.5, null, true]}'), obj({ a: [1, 2.5, null, true] }));
    expect(String(call("json.unmarshal", "123456789012345678901234567890"))).toBe(
      "123456789012345678901234567890",
    );
    expect(call("json.unmarshal", "123456789012345678901234567890")).toBeInstanceOf(BigNumber);
    expect(() => call("json.unmarshal", "{")).toThrow("unexpected end of JSON input");
    expect(() => call("json.unmarshal", "plainstring")).toThrow(
      "invalid character 'p' looking for beginning of value",
    );
    expect(call("json.is_valid", '{"json": "ok"}')).toBe(true);
    expect(call("json.is_valid", "{")).toBe(false);
    expect(call("json.is_valid", 1)).toBe(false);
  });
});

describe("yaml", () => {
  it("parses, validates and marshals", () => {
    eq(
      call("yaml.unmarshal", "foo:\n  - qux: bar\n  - baz: 2\n"),
      obj({ foo: [obj({ qux: "bar" }), obj({ baz: 2 })] }),
    );
    expect(call("yaml.is_valid", "foo:\n  - qux: bar\n  - baz: {")).toBe(false);
    expect(call("yaml.is_valid", '{"json": "ok"}')).toBe(true);
    expect(call("yaml.is_valid", 1)).toBe(false);
    eq(call("yaml.unmarshal", "a: 1\n---\nb: 2\n"), obj({ a: 1 }));
    expect(call("yaml.unmarshal", "")).toBeNull();
    expect(call("yaml.marshal", obj({ b: [1, 2], a: "x" }))).toBe("a: x\nb:\n- 1\n- 2\n");
    expect(call("yaml.marshal", obj({ a: "yes" }))).toBe('a: "yes"\n');
    eq(
      call("yaml.unmarshal", "a: yes\nb: 0.5\nc: 123456789012345678901234\n"),
      obj({ a: true, b: 0.5, c: call("yaml.unmarshal", "123456789012345678901234") as Value }),
    );
    expect(String(call("yaml.unmarshal", "123456789012345678901234"))).toBe("123456789012345678901234");
  });
});

describe("urlquery", () => {
  it("escapes and unescapes like Go's url package", () => {
    expect(call("urlquery.encode", "a=b+1 c")).toBe("a%3Db%2B1+c");
    expect(call("urlquery.encode", "")).toBe("");
    expect(call("urlquery.decode", "a%3Db%2B1+c")).toBe("a=b+1 c");
    expect(() => call("urlquery.decode", "%zz")).toThrow('invalid URL escape "%zz"');
  });

  it("encodes and decodes objects", () => {
    expect(call("urlquery.encode_object", obj({ b: ["1", "2"], a: "x y" }))).toBe("a=x+y&b=1&b=2");
    eq(call("urlquery.decode_object", "a=1&b=2&a=3"), obj({ a: ["1", "3"], b: ["2"] }));
  });
});
