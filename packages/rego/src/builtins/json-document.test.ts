import { describe, expect, it } from "vitest";
import { RegoObject, RegoSet, type Value, valuesEqual } from "../value/value.js";
import { JSON_DOCUMENT_BUILTINS } from "./json-document.js";
import { parseJsonText } from "./json-text.js";
import { callerFor } from "./test-context.js";

const call = callerFor(JSON_DOCUMENT_BUILTINS);
const j = (text: string): Value => parseJsonText(text);
const eq = (a: Value | undefined, b: Value) => expect(a !== undefined && valuesEqual(a, b)).toBe(true);

describe("json.filter and json.remove", () => {
  const doc = j('{"a": {"b": {"c": 7, "d": 8}}, "e": 9}');

  it("keeps only the given paths", () => {
    eq(call("json.filter", doc, RegoSet.of(["a/b/c"])), j('{"a": {"b": {"c": 7}}}'));
    eq(call("json.filter", doc, ["a/b/c", "e"]), j('{"a": {"b": {"c": 7}}, "e": 9}'));
    eq(call("json.filter", doc, [["a", "b"], "a/b/c"]), j('{"a": {"b": {"c": 7, "d": 8}}}'));
    eq(call("json.filter", j('{"a": [10, 20, 30]}'), ["a/0", "a/2"]), j('{"a": [10, 30]}'));
  });

  it("tells set members and composite keys apart (no key is its String() text)", () => {
    const sets = RegoObject.of([["a", RegoSet.of([RegoSet.of(["x"]), RegoSet.of(["y"])])]]);
    eq(
      call("json.filter", sets, [["a", RegoSet.of(["x"])]]),
      RegoObject.of([["a", RegoSet.of([RegoSet.of(["x"])])]]),
    );
    eq(
      call("json.remove", sets, [["a", RegoSet.of(["x"])]]),
      RegoObject.of([["a", RegoSet.of([RegoSet.of(["y"])])]]),
    );
    const keys = RegoObject.of([
      [
        "a",
        RegoObject.of([
          [[1, 2], 1],
          ["1,2", 2],
        ]),
      ],
    ]);
    eq(call("json.filter", keys, [["a", [1, 2]]]), RegoObject.of([["a", RegoObject.of([[[1, 2], 1]])]]));
    eq(call("json.filter", j('{"a": [10, 20, 30]}'), [["a", 1]]), j('{"a": [20]}'));
  });

  it("removes the given paths", () => {
    eq(call("json.remove", doc, ["a/b/c"]), j('{"a": {"b": {"d": 8}}, "e": 9}'));
    eq(call("json.remove", doc, RegoSet.of(["a/b/c", "e"])), j('{"a": {"b": {"d": 8}}}'));
    eq(call("json.remove", doc, ["a"]), j('{"e": 9}'));
    eq(call("json.remove", j('{"a": [1, 2, 3]}'), ["/a/1"]), j('{"a": [1, 3]}'));
    expect(() => call("json.remove", doc, "a")).toThrow(
      "operand 2 must be one of {set, array} but got string",
    );
    expect(() => call("json.filter", doc, [1])).toThrow(
      "operand 2 must be one of {set, array} containing string paths or array of path segments but got number",
    );
  });
});

describe("json.patch", () => {
  const patch = (doc: string, ops: string) => call("json.patch", j(doc), j(ops));

  it("removes the root and adds it again, and edits set members in place, as OPA does", () => {
    eq(
      patch('{"a": 1}', '[{"op": "remove", "path": ""}, {"op": "add", "path": "", "value": {"b": 2}}]'),
      j('{"b": 2}'),
    );
    expect(patch('{"a": 1}', '[{"op": "remove", "path": ""}]')).toBeUndefined();
    expect(
      patch('{"a": 1}', '[{"op": "remove", "path": ""}, {"op": "add", "path": "/a", "value": 1}]'),
    ).toBeUndefined();
    const member = RegoObject.of([["a", 1]]);
    const doc = RegoObject.of([
      ["s", RegoSet.of([member])],
      ["c", 3],
    ]);
    const add = RegoObject.of([
      ["op", "add"],
      ["path", ["s", member, "b"]],
      ["value", 2],
    ]);
    eq(
      call("json.patch", doc, [add]),
      RegoObject.of([
        [
          "s",
          RegoSet.of([
            RegoObject.of([
              ["a", 1],
              ["b", 2],
            ]),
          ]),
        ],
        ["c", 3],
      ]),
    );
    const copy = RegoObject.of([
      ["op", "copy"],
      ["from", "c"],
      ["path", ["s", member, "c"]],
    ]);
    eq(
      call("json.patch", doc, [copy]),
      RegoObject.of([
        [
          "s",
          RegoSet.of([
            RegoObject.of([
              ["a", 1],
              ["c", 3],
            ]),
          ]),
        ],
        ["c", 3],
      ]),
    );
  });

  it("applies RFC 6902 operations", () => {
    eq(
      patch('{"foo": "bar"}', '[{"op": "add", "path": "/baz", "value": "qux"}]'),
      j('{"foo": "bar", "baz": "qux"}'),
    );
    eq(
      patch('{"foo": ["bar", "baz"]}', '[{"op": "add", "path": "/foo/1", "value": "qux"}]'),
      j('{"foo": ["bar", "qux", "baz"]}'),
    );
    eq(patch("[1, 2]", '[{"op": "add", "path": "/-", "value": 3}]'), j("[1, 2, 3]"));
    eq(patch('{"baz": "qux", "foo": "bar"}', '[{"op": "remove", "path": "/baz"}]'), j('{"foo": "bar"}'));
    eq(patch('{"baz": "qux"}', '[{"op": "replace", "path": "/baz", "value": "boo"}]'), j('{"baz": "boo"}'));
    eq(
      patch(
        '{"baz": [{"qux": "hello"}], "bar": 1}',
        '[{"op": "move", "from": "/baz/0/qux", "path": "/baz/1"}]',
      ),
      j('{"baz": [{}, "hello"], "bar": 1}'),
    );
    eq(
      patch('{"a": {"b": 1}}', '[{"op": "copy", "from": "/a", "path": "/c"}]'),
      j('{"a": {"b": 1}, "c": {"b": 1}}'),
    );
    eq(patch('{"/": 9, "~1": 10}', '[{"op": "test", "path": "/~01", "value": 10}]'), j('{"/": 9, "~1": 10}'));
    eq(patch("{}", '[{"op": "add", "path": "/", "value": 1}]'), j('{"": 1}'));
    eq(patch('{"foo": "bar"}', '[{"op": "add", "path": "", "value": {"baz": "qux"}}]'), j('{"baz": "qux"}'));
  });

  it("is undefined when an operation cannot apply", () => {
    expect(patch('{"foo": "bar"}', '[{"op": "add", "path": "/baz/bat", "value": "qux"}]')).toBeUndefined();
    expect(patch('["foo", "sil"]', '[{"op": "add", "path": "/3", "value": "bar"}]')).toBeUndefined();
    expect(patch('["foo", "bar"]', '[{"op": "test", "path": "/01", "value": "bar"}]')).toBeUndefined();
    expect(patch('{"/": 9, "~1": 10}', '[{"op": "test", "path": "/~01", "value": "10"}]')).toBeUndefined();
    expect(patch('{"foo": "bar"}', '[{"op": "remove", "path": "/baz"}]')).toBeUndefined();
    expect(patch('{"foo": 1}', '[{"op": "spam", "path": "/foo", "value": 1}]')).toBeUndefined();
    expect(patch("[1]", '[{"op": "add", "path": "/-"}]')).toBeUndefined();
    expect(patch("[1, 2, 3]", '[{"op": "add", "path": "1.2", "value": "foo"}]')).toBeUndefined();
  });
});

describe("json.match_schema and json.verify_schema", () => {
  const schema = j('{"properties": {"id": {"type": "integer"}}, "required": ["id"]}');

  it("accepts matching documents, as values or JSON text", () => {
    eq(call("json.match_schema", j('{"id": 5}'), schema), [true, []]);
    eq(call("json.match_schema", '{"id": 5}', '{"properties": {"id": {"type": "integer"}}}'), [true, []]);
  });

  it("reports failures the way gojsonschema words them", () => {
    const want = RegoObject.fromRecord({
      desc: "Invalid type. Expected: integer, given: string",
      error: "id: Invalid type. Expected: integer, given: string",
      field: "id",
      type: "invalid_type",
    });
    eq(call("json.match_schema", j('{"id": "foo"}'), schema), [false, [want]]);
    const missing = call("json.match_schema", j("{}"), schema) as Value[];
    expect((missing[1] as RegoObject[])[0]?.get("error")).toBe("(root): id is required");
    const enumSchema = j('{"enum": ["a", "b"], "type": "string", "minLength": 2}');
    const out = call("json.match_schema", '"c"', enumSchema) as Value[];
    expect((out[1] as RegoObject[]).map((e) => e.get("desc"))).toEqual([
      '(root) must be one of the following: "a", "b"',
      "String length must be greater than or equal to 2",
    ]);
  });

  it("rejects invalid schemas", () => {
    const bad = j('{"properties": {"id": {"type": "unknown"}}}');
    expect(() => call("json.match_schema", j("{}"), bad)).toThrow(
      "has a primitive type that is NOT VALID -- given: /unknown/ Expected valid values are:[array boolean integer number null object string]",
    );
    eq(call("json.verify_schema", '{"type": "boolean"}'), [true, null]);
    eq(call("json.verify_schema", j('{"type": "unknown_type"}')), [
      false,
      "jsonschema: has a primitive type that is NOT VALID -- given: /unknown_type/ Expected valid values are:[array boolean integer number null object string]",
    ]);
  });
});
