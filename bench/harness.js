// Benchmarks: a small timing harness. Runs a subject and its baseline in calibrated batches,
// alternating round by round, so that the ratio holds within one run on a noisy machine.

/** Finds a batch size for which `fn` runs about `roundMs`, warming it up on the way. */
function calibrate(fn, roundMs) {
  let sink = 0;
  let batch = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) sink ^= fn() ? 1 : 0;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= roundMs / 4 || batch >= 1 << 24) {
      if (sink === 42) console.log(""); // keeps the results observable to the optimiser
      return Math.max(1, Math.round((batch * roundMs) / Math.max(ms, 0.001)));
    }
    batch *= 2;
  }
}

/** ns per operation of one batch of `fn`. */
function timeBatch(fn, batch) {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < batch; i++) sink ^= fn() ? 1 : 0;
  const ns = Number(process.hrtime.bigint() - t0) / batch;
  if (sink === 42) console.log("");
  return ns;
}

/**
 * Measures a subject against its baseline in alternating rounds (A B B A ...), so that both see
 * the same machine: each side's best round, and the ratio as the median of the per-round
 * ratios, which holds when the machine's speed drifts during the run.
 * @param {string} subjectName
 * @param {() => unknown} subject
 * @param {string} baselineName
 * @param {() => unknown} baseline
 * @param {{ rounds?: number, roundMs?: number }} [options]
 */
export function measurePair(subjectName, subject, baselineName, baseline, options = {}) {
  const rounds = options.rounds ?? 15;
  const roundMs = options.roundMs ?? 60;
  const batchS = calibrate(subject, roundMs);
  const batchB = calibrate(baseline, roundMs);
  const ts = [];
  const tb = [];
  const ratios = [];
  for (let r = 0; r < rounds; r++) {
    let s;
    let b;
    if (r % 2 === 0) {
      s = timeBatch(subject, batchS);
      b = timeBatch(baseline, batchB);
    } else {
      b = timeBatch(baseline, batchB);
      s = timeBatch(subject, batchS);
    }
    ts.push(s);
    tb.push(b);
    ratios.push(s / b);
  }
  const best = (xs) => Math.min(...xs);
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return {
    subject: { name: subjectName, nsPerOp: best(ts), opsPerSec: 1e9 / best(ts) },
    baseline: { name: baselineName, nsPerOp: best(tb), opsPerSec: 1e9 / best(tb) },
    ratio: median(ratios),
  };
}

/**
 * Formats a paired measurement (see `measurePair`): both best figures, the median ratio and the
 * verdict against the goal.
 * @param {{ subject: object, baseline: object, ratio: number }} pair
 * @param {{ text: string, maxRatio: number }} goal met when the ratio is at most `maxRatio`
 */
export function pairLine(pair, goal) {
  return ratioLine(pair.subject, pair.baseline, goal, pair.ratio);
}

/**
 * Formats a comparison line: both figures, the ratio of `subject` to `baseline` time, and whether
 * the goal is met.
 * @param {{name: string, nsPerOp: number, opsPerSec: number}} subject
 * @param {{name: string, nsPerOp: number, opsPerSec: number}} baseline
 * @param {{ text: string, maxRatio: number }} goal
 * @param {number} [pairedRatio] the ratio of a paired measurement, instead of best over best
 */
export function ratioLine(subject, baseline, goal, pairedRatio) {
  const ratio = pairedRatio ?? subject.nsPerOp / baseline.nsPerOp;
  return (
    `${subject.name}: ${fmt(subject)} | ${baseline.name}: ${fmt(baseline)} | ` +
    `ratio ${formatRatio(ratio)} (goal: ${goal.text}: ${verdict(ratio <= goal.maxRatio)})`
  );
}

/** A ratio with two decimals, or two significant digits below 0.1 (0.004x, not 0.00x). */
export function formatRatio(ratio) {
  return `${ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2)}x`;
}

/** "met" or "NOT met". */
export function verdict(met) {
  return met ? "met" : "NOT met";
}

function fmt(m) {
  const ns = m.nsPerOp;
  const t =
    ns < 1000
      ? `${ns.toFixed(0)} ns`
      : ns < 1e6
        ? `${(ns / 1000).toFixed(2)} µs`
        : `${(ns / 1e6).toFixed(2)} ms`;
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
  const r = await autocannon({
    url,
    headers,
    connections: options.connections,
    duration: options.durationSeconds,
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors };
}
