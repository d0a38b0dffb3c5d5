import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { RegoError } from "../errors.js";

// Networks of both families and many prefix lengths, some nested, some the same network twice.
const NETWORKS = [
  "10.0.0.0/8",
  "10.1.0.0/16",
  "10.1.2.0/24",
  "10.1.2.3/32",
  "10.2.0.0/16",
  "192.168.0.0/16",
  "0.0.0.0/0",
  "10.1.0.0/16",
  "2001:db8::/32",
  "2001:db8:1::/48",
  "::/0",
  "::ffff:172.16.0.0/108",
  "fe80::1/128",
];

/**
 * A policy of one `deny` rule per network, each beginning with its network test; rule i is "r<i>".
 * `net.cidr_overlap`, the deprecated name, only in v0 syntax (v1 refuses it).
 */
function networkPolicy(builtin = "net.cidr_contains"): string {
  const v1 = builtin === "net.cidr_contains";
  const rules = NETWORKS.map((n, i) => {
    const test = `${builtin}(${JSON.stringify(n)}, input.ip)`;
    return v1 ? `deny contains "r${i}" if ${test}` : `deny["r${i}"] { ${test} }`;
  });
  return `package c\n${v1 ? "import rego.v1\n" : ""}${rules.join("\n")}\n`;
}

function engines(source: string, strictBuiltinErrors = false): Engine[] {
  return [false, true].map((interpretOnly) => {
    const e = new Engine({ interpretOnly, strictBuiltinErrors });
    e.addModule("c.rego", source);
    return e;
  });
}

/** The outcome of a query: its value, or the code of the error it raised. */
function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    return { error: error instanceof RegoError ? error.code : String(error) };
  }
}

function deny(e: Engine, input: unknown): unknown {
  return outcome(() => e.evalQuery("data.c.deny", { input })[0]?.expressions[0]?.value);
}

/** What the rules give evaluated one by one, each network tested by the builtin on its own (no index). */
function oneByOne(ip: unknown, strictBuiltinErrors: boolean): unknown {
  const e = new Engine({ strictBuiltinErrors });
  const names: string[] = [];
  for (const [i, n] of NETWORKS.entries()) {
    const held = outcome(
      () =>
        e.evalQuery(`net.cidr_contains(${JSON.stringify(n)}, input.ip)`, { input: { ip } })[0]?.expressions[0]
          ?.value,
    );
    if (typeof held === "object" && held !== null) return held;
    if (held === true) names.push(`r${i}`);
  }
  return names.sort();
}

describe("rule indexes on network tests", () => {
  it("selects exactly the rules whose network holds the address, for every kind of value", () => {
    const values: unknown[] = [
      "10.1.2.3",
      "10.1.2.4",
      "10.1.9.9",
      "10.2.255.255",
      "10.3.0.1",
      "11.0.0.0",
      "192.168.1.1",
      "0.0.0.0",
      "255.255.255.255",
      "2001:db8::1",
      "2001:db8:1::ff",
      "2001:db9::",
      "fe80::1",
      "fe80::2",
      "::ffff:10.1.2.3",
      "::ffff:172.16.5.5",
      // Networks are tested too (a network inside a network), and bad values still fail.
      "10.1.0.0/24",
      "2001:db8::/40",
      "not an address",
      "10.1.2",
      "",
      5,
      null,
      ["10.1.2.3"],
    ];
    for (const builtin of ["net.cidr_contains", "net.cidr_overlap"]) {
      for (const strict of [false, true]) {
        for (const e of engines(networkPolicy(builtin), strict)) {
          for (const ip of values) {
            expect(deny(e, { ip }), `${builtin} ${strict} ${JSON.stringify(ip)}`).toEqual(
              oneByOne(ip, strict),
            );
          }
          expect(deny(e, {})).toEqual([]);
        }
      }
    }
  });

  it("keeps rules whose network test is not first, or whose network is malformed, and evaluates them", () => {
    const rules = NETWORKS.map(
      (n, i) => `deny contains "r${i}" if net.cidr_contains(${JSON.stringify(n)}, input.ip)`,
    );
    rules.push('deny contains "late" if {\n  input.flag\n  net.cidr_contains("10.0.0.0/8", input.ip)\n}');
    rules.push('deny contains "bad" if {\n  input.bad\n  net.cidr_contains("10.0.0.0/99", input.ip)\n}');
    const source = `package c\nimport rego.v1\n${rules.join("\n")}\n`;
    for (const e of engines(source, true)) {
      expect(deny(e, { ip: "10.2.0.1", flag: true })).toEqual(["late", "r0", "r4", "r6"].sort());
      expect(deny(e, { ip: "10.2.0.1", bad: true })).toEqual({ error: "eval_builtin_error" });
    }
  });

  it("tests every network where `with` replaces the builtin, as OPA evaluates every rule", () => {
    const source = [
      networkPolicy().trimEnd(),
      "f(_, _) := true",
      "all := x if { x := deny with net.cidr_contains as f }",
      "",
    ].join("\n");
    for (const e of engines(source)) {
      const v = e.evalQuery("data.c.all", { input: { ip: "203.0.113.9" } })[0]?.expressions[0]?.value;
      expect(v).toEqual(NETWORKS.map((_, i) => `r${i}`).sort());
    }
  });

  it("selects among networks under other indexes (logins, methods, comparisons)", () => {
    const rules: string[] = [];
    for (let i = 0; i < 40; i++) {
      switch (i % 4) {
        case 0:
          rules.push(`deny contains "range ${i}" if net.cidr_contains("10.${i}.0.0/16", input.ip)`);
          break;
        case 1:
          rules.push(`deny contains "login ${i}" if input.login == "retired-${i}"`);
          break;
        case 2:
          rules.push(
            `deny contains "team ${i}" if {\n  "team-${i}" in input.teams\n  input.method == "DELETE"\n}`,
          );
          break;
        default:
          rules.push(`deny contains "cut-off ${i}" if input.t < ${i}`);
      }
    }
    const source = `package c\nimport rego.v1\n${rules.join("\n")}\n`;
    for (const e of engines(source)) {
      expect(
        deny(e, { ip: "10.8.1.1", login: "retired-9", teams: ["team-10"], method: "DELETE", t: 20 }),
      ).toEqual(
        [
          "range 8",
          "login 9",
          "team 10",
          "cut-off 23",
          "cut-off 27",
          "cut-off 31",
          "cut-off 35",
          "cut-off 39",
        ].sort(),
      );
      expect(deny(e, { ip: "192.0.2.1", login: "x", teams: [], method: "GET", t: 100 })).toEqual([]);
    }
  });
});
