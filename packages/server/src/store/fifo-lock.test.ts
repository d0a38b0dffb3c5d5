import { describe, expect, it } from "vitest";
import { FifoLock } from "./fifo-lock.js";

describe("FifoLock", () => {
  it("hands the lock to waiters in arrival order, never to a later arrival first", async () => {
    const lock = new FifoLock();
    const order: number[] = [];
    await lock.acquire();
    const waiters = [1, 2, 3].map((n) =>
      lock.acquire().then(() => {
        order.push(n);
        // Someone arriving while n holds the lock queues behind the ones already waiting.
        if (n === 1) void lock.acquire().then(() => order.push(4)).then(() => lock.release());
        lock.release();
      }),
    );
    expect(lock.waiting).toBe(3);
    lock.release();
    await Promise.all(waiters);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([1, 2, 3, 4]);
    expect(lock.waiting).toBe(0);
    // Free again: taken at once.
    await lock.acquire();
    lock.release();
  });

  it("refuses a release while free", () => {
    expect(() => new FifoLock().release()).toThrow(/free/);
  });

  it("keeps the order over many hand-overs (the queue is compacted on the way)", async () => {
    const lock = new FifoLock();
    await lock.acquire();
    const order: number[] = [];
    const all = Array.from({ length: 5000 }, (_, n) =>
      lock.acquire().then(() => {
        order.push(n);
        lock.release();
      }),
    );
    lock.release();
    await Promise.all(all);
    expect(order).toEqual(Array.from({ length: 5000 }, (_, n) => n));
  });

  it("lets the event loop turn while a queue of synchronous holders passes it on", async () => {
    const lock = new FifoLock(1);
    await lock.acquire();
    let done = 0;
    const all = Array.from({ length: 200 }, () =>
      lock.acquire().then(() => {
        // Synchronous work, like a better-sqlite3 statement: ~0.1 ms.
        const until = performance.now() + 0.1;
        while (performance.now() < until) {}
        done++;
        lock.release();
      }),
    );
    let doneWhenTheLoopTurned: number | undefined;
    setImmediate(() => {
      doneWhenTheLoopTurned = done;
    });
    lock.release();
    await Promise.all(all);
    // Handed over in microtasks only, all 200 would be done before the loop turned.
    expect(doneWhenTheLoopTurned).toBeLessThan(200);
    expect(done).toBe(200);
  });
});
