// Policy workers: the pool decides saves in worker threads, stops an evaluation that overruns its
// time from outside and one that overruns its heap, replaces the worker, refuses beyond its queue
// (and beyond one organization's share of it), and takes waiting organizations in turn.
import { afterEach, describe, expect, it } from "vitest";
import { withContentHash } from "../domain/policy-evaluations/policy-compile-cache.js";
import { PolicyEvaluationFailure } from "../domain/policy-evaluations/policy-evaluator.js";
import type { SaveTask } from "../domain/policy-evaluations/policy-task.js";
import type { PolicySet } from "../domain/policy-sets/policy-set.js";
import { PolicyWorkerPool } from "./policy-worker-pool.js";
import { policyWorkerSettingsFrom } from "./policy-worker-settings.js";

const SET: PolicySet = {
  id: "polset-1",
  organizationId: "org-1",
  name: "tokens",
  description: null,
  global: true,
  entityTypes: ["token"],
  events: ["onSave"],
  policyIds: ["pol-1"],
  spaceIds: [],
  createdAt: 0,
  updatedAt: 0,
};

function saveTask(source: string, name = "laptop"): SaveTask {
  return {
    kind: "save",
    sets: [
      {
        set: SET,
        policies: [withContentHash({ policyId: "pol-1", policyName: "p", enforcementLevel: "mandatory", query: null, source })],
      },
    ],
    input: { token: { name } },
    nowNs: 1_700_000_000_000_000_000n,
  };
}

const NAMED = 'package p\n\ndeny contains "no laptops" if input.token.name == "laptop"\n';
// Hostile policies the pool must survive on its own (the engine's budgets aside).
const NESTED_GENERATORS =
  'package p\n\ndeny contains "x" if {\n  some i in numbers.range(1, 100000)\n  some j in numbers.range(1, 100000)\n  i == j + 100001\n}\n';
const HUGE_SET =
  'package p\n\ndeny contains "x" if {\n  s := {[i, j] | some i in numbers.range(1, 3000); some j in numbers.range(1, 3000)}\n  count(s) > 0\n}\n';
// Under the engine's own memory budget (its estimate: 32 bytes an element, 128 MiB), over a 32 MB heap.
const HUGE_ARRAY =
  'package p\n\ndeny contains "x" if {\n  s := [[x, x] | some x in numbers.range(1, 1000000)]\n  count(s) > 0\n}\n';
const RANGE_1E9 = 'package p\n\ndeny contains "x" if count(numbers.range(1, 1000000000)) > 0\n';
const DEEP = `package p\n\ndeny contains "x" if {\n  x := ${"[".repeat(20000)}1${"]".repeat(20000)}\n  count(x) > 0\n}\n`;

async function failureOf(promise: Promise<unknown>): Promise<PolicyEvaluationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PolicyEvaluationFailure);
  return error as PolicyEvaluationFailure;
}

describe("policy worker pool", () => {
  let pool: PolicyWorkerPool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it("decides a save in a worker thread", async () => {
    pool = new PolicyWorkerPool({ workers: 1, timeoutMs: 10_000, memoryMb: 128, queue: 4 });
    const denied = await pool.run("org-1", saveTask(NAMED));
    expect(denied).toMatchObject({ outcome: "denied", messages: ["no laptops"] });
    const allowed = await pool.run("org-1", saveTask(NAMED, "ci"));
    expect(allowed).toMatchObject({ outcome: "allowed", messages: [] });
    expect(pool.stats.completed).toBe(2);
  });

  it("stops an evaluation at its time limit from outside, and runs the next one on a new worker", async () => {
    pool = new PolicyWorkerPool({ workers: 1, timeoutMs: 300, memoryMb: 128, queue: 4 });
    const failure = await failureOf(pool.run("org-1", saveTask(NESTED_GENERATORS)));
    expect(failure.kind).toBe("timeout");
    expect(failure.message).toMatch(/time limit of 300 ms/);
    await expect(pool.run("org-1", saveTask(NAMED))).resolves.toMatchObject({ outcome: "denied" });
    expect(pool.stats).toMatchObject({ timedOut: 1, completed: 1 });
  });

  it("stops an evaluation that overruns its worker's heap (or its time), and keeps working", async () => {
    pool = new PolicyWorkerPool({ workers: 1, timeoutMs: 20_000, memoryMb: 32, queue: 4 });
    const failure = await failureOf(pool.run("org-1", saveTask(HUGE_ARRAY)));
    expect(failure.kind).toBe("out_of_memory");
    expect(failure.message).toMatch(/out of memory \(limit 32 MB/);
    const set = await failureOf(pool.run("org-1", saveTask(HUGE_SET)));
    expect(["out_of_memory", "timeout"]).toContain(set.kind);
    await expect(pool.run("org-1", saveTask(NAMED))).resolves.toMatchObject({ outcome: "denied" });
  }, 90_000);

  it("answers a policy nested too deep for the parser with an error, not a crash", async () => {
    pool = new PolicyWorkerPool({ workers: 1, timeoutMs: 10_000, memoryMb: 128, queue: 4 });
    const decision = await pool.run("org-1", saveTask(DEEP));
    expect(decision.outcome).toBe("denied");
    expect(decision.results[0]?.outcome).toBe("errored");
  });

  it("refuses beyond the queue, and beyond one organization's half of it, with when to retry", async () => {
    pool = new PolicyWorkerPool({ workers: 1, timeoutMs: 300, memoryMb: 128, queue: 4 });
    const hostile = Array.from({ length: 4 }, () => pool!.run("org-1", saveTask(NESTED_GENERATORS)));
    // One running, two waiting (org-1's share of the queue); the fourth is refused at once.
    const refused = await failureOf(hostile[3]!);
    expect(refused.kind).toBe("busy");
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.message).toMatch(/this organization has 2 policy evaluations waiting/);
    // Another organization still finds room, and is taken before org-1's second waiting task.
    const order: string[] = [];
    const other = pool.run("org-2", saveTask(NAMED)).then((r) => {
      order.push("org-2");
      return r;
    });
    const settled = hostile.slice(0, 3).map((p) =>
      p.then(
        () => order.push("org-1"),
        () => order.push("org-1"),
      ),
    );
    await expect(other).resolves.toMatchObject({ outcome: "denied" });
    await Promise.all(settled);
    expect(order.indexOf("org-2")).toBeLessThan(order.lastIndexOf("org-1"));
    expect(pool.stats.refused).toBe(1);
  });

  // Depends on the engine's up-front refusal of huge ranges (engine issue; another branch): the
  // engine then answers eval_cancel_error at once, so the policy errors inside its evaluation.
  // Before that fix this case ends at the time limit instead (and the worker is replaced).
  it("a policy counting numbers.range(1, 1e9) errors quickly (needs the engine's range refusal)", async () => {
    pool = new PolicyWorkerPool({ workers: 1, timeoutMs: 5000, memoryMb: 128, queue: 4 });
    const decision = await pool.run("org-1", saveTask(RANGE_1E9));
    expect(decision.results[0]?.outcome).toBe("errored");
    expect(decision.outcome).toBe("denied");
  });

  it("refuses everything at once after close", async () => {
    pool = new PolicyWorkerPool({ workers: 1, timeoutMs: 300, memoryMb: 128, queue: 4 });
    await pool.close();
    expect((await failureOf(pool.run("org-1", saveTask(NAMED)))).kind).toBe("busy");
  });
});

describe("policy worker settings", () => {
  it("reads KEYGATE_POLICY_* and names a bad one", () => {
    expect(
      policyWorkerSettingsFrom({
        KEYGATE_POLICY_WORKERS: "3",
        KEYGATE_POLICY_TIMEOUT_MS: "250",
        KEYGATE_POLICY_MEMORY_MB: "64",
        KEYGATE_POLICY_QUEUE: "0",
      }),
    ).toEqual({ workers: 3, timeoutMs: 250, memoryMb: 64, queue: 0 });
    expect(() => policyWorkerSettingsFrom({ KEYGATE_POLICY_TIMEOUT_MS: "soon" })).toThrow(/KEYGATE_POLICY_TIMEOUT_MS/);
    expect(() => policyWorkerSettingsFrom({ KEYGATE_POLICY_MEMORY_MB: "8" })).toThrow(/from 32/);
  });
});
