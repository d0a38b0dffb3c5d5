import { describe, expect, it } from "vitest";
import { LoadedValues } from "./loaded-values.js";

/** A load the test settles by hand. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("LoadedValues", () => {
  it("shares a load in flight and keeps its value readable without waiting once done", async () => {
    const values = new LoadedValues<number>();
    const load = deferred<number>();
    let loads = 0;
    const loader = () => {
      loads++;
      return load.promise;
    };
    const a = values.get("k", loader);
    const b = values.get("k", loader);
    expect(a).toBe(b);
    expect(values.peek("k")).toBeUndefined();
    load.resolve(7);
    expect(await a).toBe(7);
    expect(values.peek("k")).toBe(7);
    expect(loads).toBe(1);
  });

  it("does not keep a load deleted while in flight, nor a failed one", async () => {
    const values = new LoadedValues<number>();
    const stale = deferred<number>();
    const pending = values.get("k", () => stale.promise);
    values.delete("k");
    stale.resolve(1);
    await pending;
    expect(values.peek("k")).toBeUndefined();

    const failing = deferred<number>();
    const failed = values.get("f", () => failing.promise);
    failing.reject(new Error("down"));
    await expect(failed).rejects.toThrow("down");
    expect(values.get("f", () => Promise.resolve(2))).not.toBe(failed);
    expect(await values.get("f", () => Promise.resolve(3))).toBe(2);
  });

  it("forgets the keys of a prefix, and everything on clear", async () => {
    const values = new LoadedValues<string>();
    for (const key of ["org-a|1", "org-a|2", "org-b|1"]) await values.get(key, () => Promise.resolve(key));
    values.deleteByPrefix("org-a|");
    expect([values.peek("org-a|1"), values.peek("org-a|2"), values.peek("org-b|1")]).toEqual([
      undefined,
      undefined,
      "org-b|1",
    ]);
    values.clear();
    expect(values.peek("org-b|1")).toBeUndefined();
  });
});
