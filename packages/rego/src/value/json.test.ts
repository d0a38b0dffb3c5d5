import { describe, expect, it } from "vitest";
import { fromJson, fromJsonLazy, jsonObject, toJson } from "./json.js";
import { RegoObject, valueKey, valuesEqual } from "./value.js";

describe("lazy input conversion", () => {
  const doc = {
    b: { z: [1, { y: "deep" }], a: null },
    a: "text",
    n: 2.5,
    t: true,
    "\u0000odd": 1,
    __proto__: { inherited: "hidden" },
  };

  it("reads the same values as the eager conversion, key by key", () => {
    const lazy = fromJsonLazy(JSON.parse(JSON.stringify({ ...doc }))) as RegoObject;
    const eager = fromJson(JSON.parse(JSON.stringify({ ...doc }))) as RegoObject;
    expect(lazy.get("a")).toBe("text");
    expect(lazy.get("n")).toBe(2.5);
    expect(lazy.get("t")).toBe(true);
    expect(lazy.get("\u0000odd")).toBe(1);
    expect(toJson(lazy.get("b") as RegoObject)).toEqual({ a: null, z: [1, { y: "deep" }] });
    expect(lazy.get("missing")).toBeUndefined();
    expect(lazy.get(1)).toBeUndefined();
    expect(lazy.size).toBe(eager.size);
    expect(valueKey(lazy)).toBe(valueKey(eager));
    expect(valuesEqual(lazy, eager)).toBe(true);
    expect(toJson(lazy)).toEqual(toJson(eager));
  });

  it("finishes converting after some keys were read, keeping their values", () => {
    const lazy = fromJsonLazy({ c: { x: 1 }, a: 1, b: "two" }) as RegoObject;
    const c = lazy.get("c");
    expect(lazy.keys()).toEqual(["a", "b", "c"]);
    expect(lazy.get("c")).toBe(c);
  });

  it("sees own properties only, as JSON has", () => {
    const withProto = Object.create({ inherited: "hidden", count: 3 }) as Record<string, unknown>;
    withProto.own = "seen";
    const lazy = fromJsonLazy(withProto) as RegoObject;
    expect(lazy.get("own")).toBe("seen");
    expect(lazy.get("inherited")).toBeUndefined();
    expect(lazy.get("count")).toBeUndefined();
    expect(lazy.get("toString")).toBeUndefined();
    expect((fromJsonLazy({}) as RegoObject).get("constructor")).toBeUndefined();
    expect(lazy.size).toBe(1);
  });

  it("rejects a value that is not JSON when it is read", () => {
    const lazy = fromJsonLazy({ ok: 1, bad: Number.NaN }) as RegoObject;
    expect(lazy.get("ok")).toBe(1);
    expect(() => lazy.get("bad")).toThrow(TypeError);
  });
});

describe("JSON objects of results", () => {
  it("are plain objects, equal to literals", () => {
    const o = jsonObject();
    o.a = 1;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(o.constructor).toBe(Object);
    expect(o).toStrictEqual({ a: 1 });
    const converted = toJson(fromJson({ b: { c: true } }));
    expect(converted).toStrictEqual({ b: { c: true } });
    expect(Object.getPrototypeOf((converted as { b: object }).b)).toBe(Object.prototype);
    expect(JSON.stringify(converted)).toBe('{"b":{"c":true}}');
  });
});
