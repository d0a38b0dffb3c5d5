import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { RegoError } from "../errors.js";
import type { Value } from "../value/value.js";
import { NET_BUILTINS } from "./net.js";

const contains = NET_BUILTINS.find((b) => b.name === "net.cidr_contains");

/** The planned engine and the interpreter, each with `source`. */
function engines(source: string, strictBuiltinErrors: boolean): Engine[] {
  return [false, true].map((interpretOnly) => {
    const e = new Engine({ interpretOnly, strictBuiltinErrors });
    e.addModule("p.rego", source);
    return e;
  });
}

/** The value of `query`, or the error's code and message. */
function outcome(e: Engine, query: string, input: unknown): unknown {
  try {
    return e.evalQuery(query, { input })[0]?.expressions[0]?.value;
  } catch (error) {
    if (!(error instanceof RegoError)) throw error;
    return { code: error.code, messages: error.errors.map((d) => d.message) };
  }
}

describe("net.cidr_contains with a constant network, prepared when planned", () => {
  it("is prepared only for a network that parses", () => {
    expect(contains?.prepare?.(["10.0.0.0/8", undefined])).toBeTypeOf("function");
    expect(contains?.prepare?.(["10.0.0.0/33", undefined])).toBeUndefined();
    expect(contains?.prepare?.([8, undefined])).toBeUndefined();
    expect(contains?.prepare?.([undefined, "10.0.0.1"])).toBeUndefined();
  });

  it("answers as the unprepared builtin does, for addresses, networks and bad operands", () => {
    const prepared = contains?.prepare?.(["10.0.0.0/8", undefined]);
    const ctx = { nowNs: 0n, cache: new Map(), print: () => {}, random: () => 0.5, capabilities: {} };
    const run = (f: typeof prepared, other: Value): unknown => {
      try {
        return f?.(["10.0.0.0/8", other], ctx);
      } catch (error) {
        return { error: (error as Error).message };
      }
    };
    for (const other of ["10.1.2.3", "11.0.0.1", "10.1.0.0/16", "::ffff:10.1.2.3", "not an address", 7]) {
      expect(run(prepared, other)).toEqual(run(contains?.impl, other));
    }
  });

  it("refuses a bad constant network when the call is evaluated, not before, as the interpreter does", () => {
    const source = [
      "package p",
      "import rego.v1",
      'bad if { input.check; net.cidr_contains("10.0.0.0/33", input.ip) }',
      'typed if net.cidr_contains("10.0.0.0/8", input.n)',
      'ok if net.cidr_contains("10.0.0.0/8", input.ip)',
      "",
    ].join("\n");
    for (const strict of [true, false]) {
      const [planned, interpreted] = engines(source, strict) as [Engine, Engine];
      for (const input of [{ ip: "10.1.1.1" }, { ip: "10.1.1.1", check: true }, { n: 1, ip: "9.9.9.9" }]) {
        for (const query of ["data.p.bad", "data.p.typed", "data.p.ok", "data.p"]) {
          expect(outcome(planned, query, input)).toEqual(outcome(interpreted, query, input));
        }
      }
      // Never evaluated: no error, whatever the constant.
      expect(outcome(planned, "data.p.bad", { ip: "10.1.1.1" })).toBeUndefined();
    }
    const [strictPlanned] = engines(source, true) as [Engine];
    expect(outcome(strictPlanned, "data.p.bad", { ip: "10.1.1.1", check: true })).toEqual({
      code: "eval_builtin_error",
      messages: ["net.cidr_contains: invalid CIDR address: 10.0.0.0/33"],
    });
  });
});
