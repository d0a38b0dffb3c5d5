// HTTP, runtime: keeps V8's shape of Node's `process.nextTick` objects alive for the process's life.
// Each nextTick builds `{ [async_id_symbol], [trigger_async_id_symbol], callback, args }`; V8 holds
// the shapes ("maps") that literal passes through only weakly, from the shape before. When a GC runs
// while no tick object is alive (idle moments at startup, between requests), those shapes die and
// the next tick object is built along new ones. The literal's property definitions see another
// shape each time, and after a few such GCs they are megamorphic for good; TurboFan then compiles
// them as runtime calls. Measured on Node 20: 263 ns per scheduled-and-run tick after 12 such GCs
// against 48 ns, and 10-14% of a `keygate serve` process's CPU under the authenticated read (3 to 4
// ticks a request) in 4 of 6 processes started (which ones depends on GC timing at startup).
// Holding one tick object keeps its shape, and the shapes before it, alive: it is refreshed every
// second, so a shape V8 moves on to (a field generalized) is held as well.
import { executionAsyncResource } from "node:async_hooks";

const REFRESH_MS = 1000;

let kept: object | undefined;
let started = false;

function keep(): void {
  // In a nextTick callback the current resource is the tick object itself.
  kept = executionAsyncResource();
}

function capture(): void {
  process.nextTick(keep);
}

/** The tick object held (for tests). */
export function keptTickObject(): object | undefined {
  return kept;
}

/** Starts holding a recent nextTick object, refreshed every second (once per process; never keeps it running). */
export function keepTickObjectShape(): void {
  if (started) return;
  started = true;
  capture();
  setInterval(capture, REFRESH_MS).unref();
}
