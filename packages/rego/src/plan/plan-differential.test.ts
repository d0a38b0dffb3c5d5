import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { RegoError } from "../errors.js";

// Differential test: random policies over one input, evaluated with plans and with the
// interpreter alone, must give the same value or the same error. Seeded, so a failure repeats.

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INPUT = {
  a: 3,
  b: [1, 2, 5],
  s: "key-7",
  arr: [4, 1, 4, 9],
  obj: { x: 1, y: 2, z: "three" },
  users: [
    { name: "ana", roles: ["admin"] },
    { name: "bo", roles: [] },
  ],
};

class PolicyGen {
  private n = 0;
  private readonly rules: { name: string; kind: "value" | "set" | "object" }[] = [];

  constructor(private readonly r: () => number) {}

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)] as T;
  }

  private fresh(prefix: string): string {
    this.n++;
    return `${prefix}${this.n}`;
  }

  private scalar(vars: readonly string[]): string {
    const options = ["1", "2", "3", '"key-7"', "input.a", "input.b[0]", "input.b[2]", "input.obj.x", "input.missing"];
    const values = this.rules.filter((x) => x.kind === "value").map((x) => x.name);
    return this.pick([...options, ...vars, ...values, ...vars]);
  }

  private collection(vars: readonly string[]): string {
    const sets = this.rules.filter((x) => x.kind !== "value").map((x) => x.name);
    const comps = [`[y | some y in input.arr; y > ${this.scalar(vars)}]`, `{y | some y in input.b}`];
    return this.pick(["input.arr", "input.b", "input.obj", "{1, 2, 3}", "input.users", ...sets, ...comps]);
  }

  private expr(vars: string[]): string {
    switch (Math.floor(this.r() * 9)) {
      case 0: {
        const v = this.fresh("x");
        const e = `${v} := ${this.scalar(vars)}`;
        vars.push(v);
        return e;
      }
      case 1:
        return `${this.scalar(vars)} ${this.pick(["==", "!=", "<", ">", ">="])} ${this.scalar(vars)}`;
      case 2: {
        const v = this.fresh("v");
        const e = `some ${v} in ${this.collection(vars)}`;
        vars.push(v);
        return e;
      }
      case 3: {
        const k = this.fresh("k");
        const e = `${this.collection(vars)}[${k}]`;
        vars.push(k);
        return e;
      }
      case 4:
        return `not ${this.scalar(vars)} == ${this.scalar(vars)}`;
      case 5:
        return `count(${this.collection(vars)}) > ${this.pick(["0", "1", "2", "3"])}`;
      case 6: {
        const a = this.fresh("a");
        const b = this.fresh("b");
        const e = `[${a}, ${b}] := [${this.scalar(vars)}, ${this.scalar(vars)}]`;
        vars.push(a, b);
        return e;
      }
      case 7: {
        const u = this.fresh("u");
        const e = `some ${u} in input.users; every r in ${u}.roles { r != "${this.pick(["admin", "dev"])}" }`;
        vars.push(u);
        return e;
      }
      default:
        return `${this.scalar(vars)} in ${this.collection(vars)}`;
    }
  }

  private body(): { text: string; vars: string[] } {
    const vars: string[] = [];
    const exprs: string[] = [];
    const n = 1 + Math.floor(this.r() * 4);
    for (let i = 0; i < n; i++) exprs.push(this.expr(vars));
    return { text: exprs.join("\n  "), vars };
  }

  rule(): string {
    const { text, vars } = this.body();
    const kind = this.pick(["value", "value", "set", "object"] as const);
    const name = this.fresh(kind === "value" ? "p" : kind === "set" ? "s" : "o");
    this.rules.push({ name, kind });
    const term = this.scalar(vars);
    switch (kind) {
      case "value":
        return `${name} := ${term} if {\n  ${text}\n}\n\ndefault ${name} := "none"`;
      case "set":
        return `${name} contains ${term} if {\n  ${text}\n}`;
      case "object":
        return `${name}[${this.scalar(vars)}] := ${term} if {\n  ${text}\n}`;
    }
  }
}

type Outcome = { value: unknown } | { error: string };

function run(source: string, interpretOnly: boolean): Outcome | undefined {
  const engine = new Engine({ interpretOnly });
  try {
    engine.addModule("t.rego", source);
  } catch (e) {
    if (e instanceof RegoError) return undefined; // not a valid policy: nothing to compare
    throw e;
  }
  try {
    return { value: engine.prepare("data.t").values({ input: INPUT }) };
  } catch (e) {
    if (e instanceof RegoError) return { error: e.code };
    throw e;
  }
}

describe("plans against the interpreter", () => {
  it("agree on 400 random policies", () => {
    const r = rng(20261201);
    let compared = 0;
    for (let i = 0; i < 400; i++) {
      const gen = new PolicyGen(r);
      const rules = Array.from({ length: 1 + Math.floor(r() * 4) }, () => gen.rule());
      const source = `package t\nimport rego.v1\n\n${rules.join("\n\n")}\n`;
      const planned = run(source, false);
      const interpreted = run(source, true);
      expect(planned, source).toEqual(interpreted);
      if (planned) compared++;
    }
    // Most generated policies are valid: the comparison is not vacuous.
    expect(compared).toBeGreaterThan(200);
  });
});
