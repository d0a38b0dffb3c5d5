// End-to-end: `keygate policy eval` on hostile policies, as a real process. Each must end with
// its outcome (eval_cancel_error, a parse error, a value or undefined) and exit; the process runs
// with its heap limited to HEAP_LIMIT_MB, so a policy that needed more would crash it (and fail
// the test) instead of ending cleanly.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HOSTILE_POLICIES, hostileModule } from "../packages/rego/src/test-support/hostile-policies.js";
import { CLI_MAIN, ensureCliBuilt, REPO_ROOT } from "./support/keygate-build.js";

const TIMEOUT_MS = 1000;
// Node's start, loading the engine and compiling (20,000 rules take seconds on a loaded machine)
// come on top of the evaluation's budget.
const PROCESS_MARGIN_MS = 8000;
const HEAP_LIMIT_MB = 512;
// GNU time reports the process's peak resident size; without it only the heap limit holds.
const GNU_TIME = "/usr/bin/time";

const root = mkdtempSync(join(tmpdir(), "keygate-hostile-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What `keygate policy eval` printed, read back as an outcome of the hostile list. */
function outcomeOf(stdout: string): unknown {
  const out = JSON.parse(stdout) as {
    errors?: { code: string }[];
    result?: { expressions: { value: unknown }[] }[];
  };
  if (out.errors) return { error: out.errors[0]?.code };
  if (!out.result) return { undefined: true };
  return { value: out.result[0]?.expressions[0]?.value };
}

/** Runs `keygate policy eval` on one module; returns its result, wall time and peak RSS (MB). */
function evalProcess(name: string, module: string, timeoutMs: number) {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "hostile.rego"), module);
  const node = [
    process.execPath,
    `--max-old-space-size=${HEAP_LIMIT_MB}`,
    CLI_MAIN,
    "policy",
    "eval",
    "--timeout",
    `${timeoutMs}ms`,
    "-d",
    dir,
    "data.hostile.p",
  ];
  const timed = existsSync(GNU_TIME);
  const [command, ...args] = timed ? [GNU_TIME, "-f", "peak-rss-kb %M", ...node] : node;
  const start = performance.now();
  const r = spawnSync(command as string, args, { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
  const elapsed = performance.now() - start;
  const rssKb = /peak-rss-kb (\d+)/.exec(r.stderr)?.[1];
  return { r, elapsed, rssMb: rssKb === undefined ? undefined : Number(rssKb) / 1024 };
}

describe("keygate policy eval ends hostile policies cleanly", () => {
  ensureCliBuilt();
  for (const [i, hostile] of HOSTILE_POLICIES.entries()) {
    it(hostile.name, () => {
      const timeoutMs = hostile.timeoutMs ?? TIMEOUT_MS;
      const { r, elapsed, rssMb } = evalProcess(`case-${i}`, hostileModule(hostile), timeoutMs);
      console.log(
        `${hostile.name}: exit ${r.status} in ${elapsed.toFixed(0)} ms (the whole process: Node's start, ` +
          `loading, compiling, evaluating), peak RSS ${rssMb === undefined ? "unknown" : `${rssMb.toFixed(0)} MB`}`,
      );
      expect(r.signal).toBeNull();
      expect(outcomeOf(r.stdout)).toEqual(hostile.outcome);
      expect(r.status).toBe("error" in hostile.outcome ? 1 : 0);
      expect(elapsed).toBeLessThan(timeoutMs + PROCESS_MARGIN_MS);
      if (rssMb !== undefined) expect(rssMb).toBeLessThan(HEAP_LIMIT_MB);
    });
  }
});
