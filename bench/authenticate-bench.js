// Benchmarks: the CPU cost of one warm authentication (Authenticator.authenticate with the token,
// principal and space tree cached: parse, checksum, hash comparison, the cache's staleness check,
// login policies), in-process on SQLite. CPU time rather than wall time, so that other processes
// on a shared machine disturb the figure less. Run with `node bench/authenticate-bench.js` after
// `npm run build`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const WARMUP = 20_000;
const PER_ROUND = 100_000;
const ROUNDS = 7;

/** Runs the benchmark; resolves to the lines to print. */
export async function runAuthenticateBench() {
  const { Authenticator, bootstrapOrganization, openStore } = await import("@keygate/server");
  const dir = mkdtempSync(join(tmpdir(), "keygate-auth-bench-"));
  const store = await openStore({ dataDir: dir });
  const org = await bootstrapOrganization(store, { organizationName: "bench", adminName: "admin" });
  const auth = new Authenticator(store, { failureLimit: 1e9 });
  const header = `Bearer ${org.tokenValue}`;
  try {
    for (let i = 0; i < WARMUP; i++) await auth.authenticate(header, "127.0.0.1");
    const perCall = [];
    for (let round = 0; round < ROUNDS; round++) {
      const before = process.cpuUsage();
      for (let i = 0; i < PER_ROUND; i++) await auth.authenticate(header, "127.0.0.1");
      const used = process.cpuUsage(before);
      perCall.push(((used.user + used.system) * 1000) / PER_ROUND);
    }
    perCall.sort((a, b) => a - b);
    const { hits, misses } = auth.cache.stats;
    return [
      `warm authenticate: median ${Math.round(perCall[Math.floor(ROUNDS / 2)])} ns CPU, best ${Math.round(perCall[0])} ns (${ROUNDS} rounds of ${PER_ROUND.toLocaleString("en-US")}; cache ${hits.toLocaleString("en-US")} hits, ${misses} misses)`,
    ];
  } finally {
    await auth.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const line of await runAuthenticateBench()) console.log(line);
}
