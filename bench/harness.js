// Benchmarks: a small timing harness. Runs a function in calibrated batches and keeps the best
// of several rounds, so figures are comparable within one run on a noisy machine.

/**
 * Measures `fn` and returns operations per second (best round) and ns per operation.
 * @param {string} name
 * @param {() => unknown} fn
 * @param {{ rounds?: number, roundMs?: number }} [options]
 */
export function measure(name, fn, options = {}) {
  const rounds = options.rounds ?? 7;
  const roundMs = options.roundMs ?? 150;
  let sink = 0;
  // Warm up and calibrate: find a batch size that takes about roundMs.
  let batch = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) sink ^= fn() ? 1 : 0;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= roundMs / 4 || batch >= 1 << 24) {
      batch = Math.max(1, Math.round((batch * roundMs) / Math.max(ms, 0.001)));
      break;
    }
    batch *= 2;
  }
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) sink ^= fn() ? 1 : 0;
    const nsPerOp = Number(process.hrtime.bigint() - t0) / batch;
    if (nsPerOp < best) best = nsPerOp;
  }
  if (sink === 42) console.log(""); // keeps the results observable to the optimiser
  return { name, nsPerOp: best, opsPerSec: 1e9 / best };
}

/**
 * Formats a comparison line: both figures and the ratio of `subject` to `baseline` time.
 * @param {{name: string, nsPerOp: number, opsPerSec: number}} subject
 * @param {{name: string, nsPerOp: number, opsPerSec: number}} baseline
 * @param {string} goal
 */
export function ratioLine(subject, baseline, goal) {
  const ratio = subject.nsPerOp / baseline.nsPerOp;
  return (
    `${subject.name}: ${fmt(subject)} | ${baseline.name}: ${fmt(baseline)} | ` +
    `ratio ${ratio.toFixed(2)}x${goal ? ` (goal: ${goal})` : ""}`
  );
}

function fmt(m) {
  const ns = m.nsPerOp;
  const t = ns < 1000 ? `${ns.toFixed(0)} ns` : ns < 1e6 ? `${(ns / 1000).toFixed(2)} µs` : `${(ns / 1e6).toFixed(2)} ms`;
  return `${t}/op (${Math.round(m.opsPerSec).toLocaleString("en-US")} ops/s)`;
}

/**
 * Loads a URL over loopback with autocannon: one second of warm-up (cache fill, JIT), then the
 * measured run. Returns requests/s, p50 and p99 latency (ms) and the count of errors and non-2xx.
 * @param {string} url
 * @param {Record<string, string>} headers
 * @param {{ connections: number, durationSeconds: number }} options
 */
export async function loadUrl(url, headers, options) {
  const { default: autocannon } = await import("autocannon");
  await autocannon({ url, headers, connections: options.connections, duration: 1 });
  const r = await autocannon({ url, headers, connections: options.connections, duration: options.durationSeconds });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors };
}
