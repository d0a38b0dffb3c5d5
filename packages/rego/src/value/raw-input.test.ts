import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { fromJson, fromJsonLazy } from "./json.js";
import { RegoObject, type Value, valueKey } from "./value.js";
import { lookup } from "./lookup.js";
import { CONVERT, inputFieldId, RawInput, rawPath } from "./raw-input.js";

/** The path looked up in the converted input, as the interpreter does. */
function converted(raw: unknown, keys: readonly string[]): Value | undefined {
  let v: Value | undefined = fromJsonLazy(raw);
  for (const k of keys) v = v === undefined ? undefined : lookup(v, k);
  return v;
}

class Session {
  login = "own";
}
Object.defineProperty(Session.prototype, "inherited", { value: "from the prototype" });

describe("reading scalars of the caller's input directly", () => {
  const input = {
    session: { login: "ci", member: true, n: 2.5, none: null, nested: { a: 1 }, list: [1], ns: 1_764_000_000_123_456_789n, small: 7n },
    cls: new Session(),
    proto: JSON.parse('{"__proto__": {"x": 1}}'),
    rego: RegoObject.fromRecord({ a: "in a RegoObject" }),
    inf: { n: Number.POSITIVE_INFINITY },
    nullProto: Object.assign(Object.create(null), { k: "v" }),
  };

  it("agrees with the converted input wherever it answers, and defers the rest", () => {
    const paths = [
      ["session", "login"],
      ["session", "member"],
      ["session", "n"],
      ["session", "ns"],
      ["session", "small"],
      ["session", "none"],
      ["session", "absent"],
      ["absent", "login"],
      ["session", "login", "deeper"],
      ["nullProto", "k"],
      ["session", "toString"],
      ["cls", "login"],
      ["cls", "inherited"],
    ];
    for (const keys of paths) {
      const v = rawPath(input, keys);
      if (v !== CONVERT) expect(v, keys.join(".")).toEqual(converted(input, keys));
    }
    // The same paths through an evaluation's raw input, whose records are fetched once.
    const policy = {};
    const raw = RawInput.of(input) as RawInput;
    for (const keys of paths.filter((k) => k.length >= 2)) {
      for (let again = 0; again < 2; again++) {
        const v = raw.path(inputFieldId(policy, keys[0] as string), keys);
        expect(v, keys.join(".")).toEqual(rawPath(input, keys));
      }
    }
    expect(raw.field("session")).toBe(CONVERT);
    expect(raw.field("absent")).toBeUndefined();
    expect(RawInput.of([input])).toBeUndefined();
    expect(RawInput.of(new Session())).toBeUndefined();
    expect(rawPath(input, ["session", "login"])).toBe("ci");
    expect(rawPath(input, ["session", "absent"])).toBeUndefined();
    expect(rawPath(input, ["session", "small"])).toBe(7);
    expect(valueKey(rawPath(input, ["session", "ns"]) as Value)).toBe(valueKey(fromJson(1_764_000_000_123_456_789n)));
  });

  it("converts for composite values, class instances, RegoObjects, __proto__ and non-finite numbers", () => {
    expect(rawPath(input, ["session", "nested"])).toBe(CONVERT);
    expect(rawPath(input, ["session", "list"])).toBe(CONVERT);
    expect(rawPath(input, ["cls", "inherited"])).toBe(CONVERT);
    expect(rawPath(input, ["rego", "a"])).toBe(CONVERT);
    expect(rawPath(input, ["proto", "__proto__"])).toBe(CONVERT);
    expect(rawPath(input, ["inf", "n"])).toBe(CONVERT);
  });

  it("gives policies the same answers with plans as on the interpreter", () => {
    const src = `package p
login := input.session.login
member := input.session.member
inherited := input.cls.inherited
own := input.cls.login
x := input.proto.__proto__.x
in_rego := input.rego.a
deeper := input.session.login.deeper
nested := input.session.nested.a
`;
    const results = [false, true].map((interpretOnly) => {
      const e = new Engine({ interpretOnly });
      e.addModule("p.rego", src);
      return e.prepare("data.p").evaluate({ input })[0]?.expressions[0]?.value;
    });
    expect(results[0]).toEqual(results[1]);
    expect(results[0]).toEqual({
      login: "ci",
      member: true,
      own: "own",
      x: 1,
      in_rego: "in a RegoObject",
      nested: 1,
    });
  });

  it("does not read the caller's input once `with input` replaces it", () => {
    const e = new Engine();
    e.addModule(
      "p.rego",
      'package p\nlogin := input.session.login\nreplaced := v if {\n  v := login with input as {"session": {"login": "other"}}\n}\n',
    );
    expect(e.prepare("data.p").evaluate({ input })[0]?.expressions[0]?.value).toEqual({
      login: "ci",
      replaced: "other",
    });
  });

  it("reads each bigint as its own number when several alternate (one converted value is kept)", () => {
    const a = { t: { ns: 1_764_000_000_123_456_789n } };
    const b = { t: { ns: 1_764_000_000_123_456_790n } };
    for (let i = 0; i < 3; i++) {
      for (const raw of [a, b]) {
        const v = RawInput.of(raw)?.path(0, ["t", "ns"]);
        expect(valueKey(v as Value)).toBe(valueKey(fromJson(raw.t.ns)));
      }
    }
  });
});
