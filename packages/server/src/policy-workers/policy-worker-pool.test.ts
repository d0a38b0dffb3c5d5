// Policy workers: the pool decides saves in worker threads, stops an evaluation that overruns its
// time from outside and one that overruns its heap, replaces the worker, refuses beyond its queue
// (making room, in a full queue, for an organization with fewer waiting than the one with the
// most), and takes waiting organizations in turn.
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
        policies: [
          withContentHash({
            policyId: "pol-1",
            policyName: "p",
            enforcementLevel: "mandatory",
            query: null,
            source,
          }),
        ],
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

  it("lets one organization fill the whole queue, refuses beyond it with when to retry", async () => {
    pool = new PolicyWorkerPool({ workers: 1, timeoutMs: 300, memoryMb: 128, queue: 4 });
    const saves = Array.from({ length: 6 }, () => pool!.run("org-1", saveTask(NESTED_GENERATORS)));
    // One running and four waiting: a lone organization may use every place; the sixth is refused at once.
    const refused = await failureOf(saves[5]!);
    expect(refused.kind).toBe("busy");
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.message).toMatch(
      /too many policy evaluations are waiting \(4, the most allowed, for 1 workers\)/,
    );
    expect(pool.load).toEqual({ running: 1, waiting: 4 });
    expect(pool.stats.refused).toBe(1);
    const settled = await Promise.allSettled(saves.slice(0, 5));
    // Evaluated (and stopped at the time limit), none of them refused.
    for (const s of settled)
      expect(s.status === "rejected" && (s.reason as PolicyEvaluationFailure).kind).toBe("timeout");
  });

  it("in a full queue, an organization with fewer waiting takes the place of the newest task of the one with the most", async () => {
    pool = new PolicyWorkerPool({ workers: 1, timeoutMs: 300, memoryMb: 128, queue: 4 });
    const order: string[] = [];
    const track = (name: string, p: Promise<unknown>) =>
      p.then(
        () => order.push(name),
        (e: unknown) => order.push(`${name} ${(e as PolicyEvaluationFailure).kind}`),
      );
    const runs = Array.from({ length: 5 }, (_, i) =>
      track(`org-1 #${i}`, pool!.run("org-1", saveTask(NESTED_GENERATORS))),
    );
    // One running, four waiting: the queue is full, all of it org-1's.
    expect(pool.load).toEqual({ running: 1, waiting: 4 });
    // org-2 and org-3 (none waiting) each take the place of org-1's newest waiting task.
    runs.push(track("org-2 a", pool.run("org-2", saveTask(NAMED))));
    runs.push(track("org-3 c", pool.run("org-3", saveTask(NAMED))));
    // org-2 (one waiting) has fewer than org-1 (two): it takes one more place.
    runs.push(track("org-2 b", pool.run("org-2", saveTask(NAMED))));
    expect(pool.load).toEqual({ running: 1, waiting: 4 });
    // Now org-2 has the most (two; org-1 and org-3 one each): its third is refused.
    const refused = await failureOf(pool.run("org-2", saveTask(NAMED)));
    expect(refused.message).toMatch(
      /too many policy evaluations are waiting \(4, the most allowed, for 1 workers\)/,
    );
    expect(pool.stats.refused).toBe(4);
    await Promise.all(runs);
    expect(order).toEqual([
      "org-1 #4 busy",
      "org-1 #3 busy",
      "org-1 #2 busy",
      "org-1 #0 timeout",
      // Organizations in turn: org-1's waiting task, then org-2's first, org-3's, org-2's second.
      "org-1 #1 timeout",
      "org-2 a",
      "org-3 c",
      "org-2 b",
    ]);
  });

  it("says why a displaced task was refused, with when to retry", async () => {
    pool = new PolicyWorkerPool({ workers: 1, timeoutMs: 300, memoryMb: 128, queue: 2 });
    const first = pool.run("org-1", saveTask(NESTED_GENERATORS));
    const waiting = [
      pool.run("org-1", saveTask(NESTED_GENERATORS)),
      pool.run("org-1", saveTask(NESTED_GENERATORS)),
    ];
    const other = pool.run("org-2", saveTask(NAMED));
    const displaced = await failureOf(waiting[1]!);
    expect(displaced.kind).toBe("busy");
    expect(displaced.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(displaced.message).toMatch(
      /this organization had 2 policy evaluations waiting in a full queue \(2 in all, for 1 workers\), and its newest gave its place/,
    );
    await Promise.allSettled([first, waiting[0], other]);
    await expect(other).resolves.toMatchObject({ outcome: "denied" });
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
    expect(() => policyWorkerSettingsFrom({ KEYGATE_POLICY_TIMEOUT_MS: "soon" })).toThrow(
      /KEYGATE_POLICY_TIMEOUT_MS/,
    );
    expect(() => policyWorkerSettingsFrom({ KEYGATE_POLICY_MEMORY_MB: "8" })).toThrow(/from 32/);
  });
});
