// The shape keeper, in a child process of its own (V8's inline-cache states are per process): after
// GCs that run while no tick object is alive, process.nextTick's object literal must still define
// its properties through monomorphic inline caches. The process without the keeper shows what the
// check detects (and that Node's V8 still needs the keeper).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { keepTickObjectShape, keptTickObject } from "./tick-object-shape.js";

const BUILT = fileURLToPath(new URL("../../dist/http/tick-object-shape.js", import.meta.url));

/** The states of nextTick's literal definitions after 12 GCs with no tick object alive. */
function literalStates(keep: boolean): Promise<string[]> {
  const script = `
    ${keep ? `const { keepTickObjectShape } = await import(${JSON.stringify(pathToFileURL(BUILT).href)}); keepTickObjectShape();` : ""}
    const noop = () => {};
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 200; i++) process.nextTick(noop);
      await new Promise((r) => setImmediate(r));
      globalThis.gc();
      await new Promise((r) => setImmediate(r));
    }
    %DebugPrint(process.nextTick);
  `;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--allow-natives-syntax", "--expose-gc", "--input-type=module", "-e", script],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        if (error) return reject(error);
        resolve([...stdout.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1]!));
      },
    );
  });
}

describe("keepTickObjectShape in this process", () => {
  it("holds a nextTick object once started", async () => {
    keepTickObjectShape();
    await new Promise((resolve) => setImmediate(resolve));
    const kept = keptTickObject() as Record<PropertyKey, unknown> | undefined;
    expect(typeof kept?.callback).toBe("function");
    expect(Object.getOwnPropertySymbols(kept).map(String)).toEqual([
      "Symbol(async_id_symbol)",
      "Symbol(trigger_async_id_symbol)",
    ]);
  });
});

describe.skipIf(!existsSync(BUILT))("keepTickObjectShape in a process of its own", () => {
  it("keeps process.nextTick's object literal monomorphic through GCs", async () => {
    const states = await literalStates(true);
    expect(states.length).toBeGreaterThan(0);
    expect(states.every((s) => s === "MONOMORPHIC")).toBe(true);
  });

  it("is needed: without it the same GCs leave the literal megamorphic", async () => {
    expect(await literalStates(false)).toContain("MEGAMORPHIC");
  });
});
