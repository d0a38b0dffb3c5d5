import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import type { Json } from "../value/json.js";

/** The query's first value with plans and on the interpreter. */
function bothWays(
  modules: Record<string, string>,
  query: string,
  data?: Json,
  input?: Json,
): [unknown, unknown] {
  const out = [false, true].map((interpretOnly) => {
    const e = new Engine({ interpretOnly });
    for (const [file, src] of Object.entries(modules)) e.addModule(file, src);
    if (data !== undefined) e.setData(data);
    return e.prepare(query).evaluate({ input })[0]?.expressions[0]?.value;
  });
  return [out[0], out[1]];
}

describe("package queries built as JSON", () => {
  it("follows the engine's data from one evaluation to the next", () => {
    const e = new Engine();
    e.addModule("p.rego", "package app\nimport rego.v1\nallow if input.ok\n");
    const q = e.prepare("data.app");
    const value = () => q.evaluate({ input: { ok: true } })[0]?.expressions[0]?.value;
    expect(value()).toEqual({ allow: true });
    e.setData({ app: { limit: 3 } });
    expect(value()).toEqual({ allow: true, limit: 3 });
    e.setData({ app: { limit: 4 } });
    expect(value()).toEqual({ allow: true, limit: 4 });
    e.setData({});
    expect(value()).toEqual({ allow: true });
  });

  const modules = {
    "a.rego": `package app
import rego.v1
allow if input.user == "alice"
roles["prod"]["deployer"] if allow
roles["prod"]["reader"] := 1
limits.cpu := 2
deny contains msg if { not allow; msg := "no" }
f(x) := x
`,
    "b.rego": 'package app.sub\nimport rego.v1\nx := {"__proto__": 1, "k": {"__proto__": {"b": 2}}}\n',
  };

  it("gives the interpreter's value for a package with nested packages, ref heads and sets", () => {
    for (const input of [{ user: "alice" }, { user: "bob" }]) {
      const [planned, interpreted] = bothWays(modules, "data.app", undefined, input);
      expect(planned).toEqual(interpreted);
    }
    expect(bothWays(modules, "data.app", undefined, { user: "alice" })[0]).toMatchObject({
      allow: true,
      roles: { prod: { deployer: true, reader: 1 } },
      limits: { cpu: 2 },
      deny: [],
    });
  });

  it("merges base documents at the package's path", () => {
    const data = { app: { base: "doc", limits: { mem: 3 } } };
    const [planned, interpreted] = bothWays(modules, "data.app", data, { user: "bob" });
    expect(planned).toEqual(interpreted);
    expect(planned).toMatchObject({ base: "doc", limits: { cpu: 2, mem: 3 } });
  });

  it("keeps `__proto__` as an own key of the result", () => {
    const [planned, interpreted] = bothWays(modules, "data.app.sub", undefined, {});
    expect(planned).toEqual(interpreted);
    const x = (planned as { x: Record<string, unknown> }).x;
    expect(Object.keys(x)).toEqual(["__proto__", "k"]);
    expect(Object.getPrototypeOf(x)).toBe(Object.prototype);
    expect(Object.hasOwn(x, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(x.k)).toBe(Object.prototype);
    expect(JSON.stringify(x)).toBe('{"__proto__":1,"k":{"__proto__":{"b":2}}}');
  });

  it("gives the interpreter's value under subtree indexes, with base documents, at every level", () => {
    const rules = Array.from(
      { length: 12 },
      (_, i) => `roles["space-${i % 3}"]["role-${i}"] if input.login == "key-${i}"`,
    ).join("\n");
    // Several live leaves under one node, written out of key order, around a node of two rules
    // (which no subtree index covers).
    const more = [
      'roles["space-1"]["zz-last"] if input.login == "key-1"',
      'roles["space-1"]["aa-first"] if input.login == "key-1"',
      'roles["space-1"]["m-two-rules"] if input.login == "key-1"',
      'roles["space-1"]["m-two-rules"] if input.login == "key-4"',
    ].join("\n");
    const mods = {
      "login.rego": `package keygate.login\nimport rego.v1\n${rules}\n${more}\nallow if input.login\n`,
      "other.rego": "package keygate.other\nimport rego.v1\nx := 1\n",
    };
    const data = { keygate: { login: { base: true, roles: { "space-9": { fixed: 1 } } }, extra: [1] } };
    const queries = ["data", "data.keygate", "data.keygate.login", "data.keygate.login.roles", 'data.keygate.login.roles["space-1"]'];
    for (const withData of [undefined, data]) {
      for (const q of queries) {
        for (const input of [{ login: "key-4" }, { login: "key-0" }, { login: "key-1" }, { login: "nobody" }, {}]) {
          const [planned, interpreted] = bothWays(mods, q, withData, input);
          // Same keys in the same order.
          expect(JSON.stringify(planned), `${q} ${JSON.stringify(input)} ${withData ? "with data" : ""}`).toBe(
            JSON.stringify(interpreted),
          );
        }
      }
    }
    expect(bothWays(mods, "data.keygate.login", data, { login: "key-4" })[0]).toEqual({
      allow: true,
      base: true,
      roles: { "space-0": {}, "space-1": { "m-two-rules": true, "role-4": true }, "space-2": {}, "space-9": { fixed: 1 } },
    });
    expect(JSON.stringify(bothWays(mods, "data.keygate.login.roles", undefined, { login: "key-1" })[0])).toBe(
      JSON.stringify({
        "space-0": {},
        "space-1": { "aa-first": true, "m-two-rules": true, "role-1": true, "zz-last": true },
        "space-2": {},
      }),
    );
  });
});
