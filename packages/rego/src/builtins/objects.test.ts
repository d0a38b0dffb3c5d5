import { describe, expect, it } from "vitest";
import { RegoObject, RegoSet, type Value, valuesEqual } from "../value/value.js";
import { OBJECT_BUILTINS } from "./objects.js";
import { callerFor } from "./test-context.js";

const call = callerFor(OBJECT_BUILTINS);
const obj = RegoObject.fromRecord;
const eq = (a: Value | undefined, b: Value) => expect(a !== undefined && valuesEqual(a, b)).toBe(true);

describe("object.get", () => {
  it("gets a key or the default", () => {
    expect(call("object.get", obj({ a: "b" }), "a", "c")).toBe("b");
    expect(call("object.get", obj({ a: "b" }), "x", "c")).toBe("c");
  });

  it("follows array paths through objects and arrays", () => {
    const o = obj({ a: obj({ b: [10, 20] }) });
    expect(call("object.get", o, ["a", "b", 1], null)).toBe(20);
    expect(call("object.get", o, ["a", "z"], "d")).toBe("d");
    expect(call("object.get", o, [], null)).toBe(o);
  });
});

describe("object functions", () => {
  it("lists keys", () => {
    eq(call("object.keys", obj({ a: 1, b: 2 })), RegoSet.of(["a", "b"]));
    expect(() => call("object.keys", "x")).toThrow("operand 1 must be object but got string");
  });

  it("removes and filters by array, set or object keys, including non-string keys", () => {
    const o = RegoObject.of([
      ["a", 1],
      [[[7]], 2],
      ["c", 3],
    ]);
    eq(call("object.remove", o, RegoSet.of([[[7]], "c"])), obj({ a: 1 }));
    eq(call("object.filter", o, ["a", "c"]), obj({ a: 1, c: 3 }));
    eq(call("object.filter", o, obj({ c: 0 })), obj({ c: 3 }));
    expect(() => call("object.remove", o, 1)).toThrow(
      "operand 2 must be one of {object, set, array} but got number",
    );
  });

  it("merges recursively, the right side winning", () => {
    const merged = call(
      "object.union",
      obj({ a: obj({ x: 1, y: 1 }), b: 1 }),
      obj({ a: obj({ y: 2 }), c: 3 }),
    );
    eq(merged, obj({ a: obj({ x: 1, y: 2 }), b: 1, c: 3 }));
    eq(call("object.union_n", [obj({ foo: "bar" }), obj({ foo: "baz", x: 1 })]), obj({ foo: "baz", x: 1 }));
    expect(() => call("object.union_n", [obj({}), "baz"])).toThrow(
      "operand 1 must be array of objects but got array containing string",
    );
    eq(
      call("object.union_n", [obj({ a: obj({ b: 2 }) }), obj({ a: 4 }), obj({ a: obj({ c: 3 }) })]),
      obj({ a: obj({ c: 3 }) }),
    );
  });
});

describe("object.subset", () => {
  it("works on objects recursively, sets, arrays (contiguous) and array-with-set", () => {
    const a = obj({ a: 5, nested: obj({ x: 10, set1: RegoSet.of([1, 2, 3, 4]), arr1: [6, 7, 8, 9] }) });
    const b = obj({ a: 5, nested: obj({ set1: RegoSet.of([4, 1]), arr1: [6, 7] }) });
    expect(call("object.subset", a, b)).toBe(true);
    expect(call("object.subset", b, a)).toBe(false);
    expect(call("object.subset", RegoSet.of([1, 2, 3]), RegoSet.of([3, 2]))).toBe(true);
    expect(call("object.subset", [1, 2, 3, 4, 5, 6], [3, 4, 5])).toBe(true);
    expect(call("object.subset", [1, 2, 3, 4, 5, 6], [4, 5, 6, 8])).toBe(false);
    expect(call("object.subset", [1, 2, 3], RegoSet.of([3, 1]))).toBe(true);
    expect(() => call("object.subset", RegoSet.of([1]), [1])).toThrow("both arguments to object.subset");
  });
});
