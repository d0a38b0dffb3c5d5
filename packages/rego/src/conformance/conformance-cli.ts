// Conformance, command line: `npm run conformance [-- options] [folder|note]` prints passed and
// failed per folder and in total, and with --check-floor enforces the recorded floor.

import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_CASE_BUDGET } from "./case-runner.js";
import { FLOOR_FILE, readFloor, writeFloor } from "./conformance-floor.js";
import { DEFAULT_CONFORMANCE_DIR, OWN_CASES_DIR, OWN_CASES_PREFIX } from "./case-files.js";
import { runSuite, type SuiteReport } from "./conformance-suite.js";
import { runSuiteIsolated } from "./isolated-suite.js";
import { groupFailures } from "./failure-groups.js";

const USAGE = `usage: npm run conformance -- [options] [folder|note]

  folder|note       run one folder (v1/every or every) or the cases whose note contains this text
  --dir <path>      conformance folder (default: ../shared/conformance/opa next to the repository,
                    with Keygate's own cases from packages/rego/conformance-cases)
  -v, --verbose     print every failure with its reason
  --summary         print failures grouped by likely cause, largest group first
  --check-floor     exit 1 when fewer cases pass than packages/rego/conformance-floor.json records
  --update-floor    raise the recorded floor to this run's passing count (full runs only)
  --floor-file <f>  another floor file than packages/rego/conformance-floor.json
  --timeout-ms <n>  time budget of one case (default ${DEFAULT_CASE_BUDGET.timeoutMs})
  --max-steps <n>   step budget of one case (default: the engine's)
  --interpret       evaluate every rule with the interpreter, not with its plan
  --in-process      run the cases in this thread (by default a worker thread runs them, and a
                    case that never answers is stopped and fails as a hang)
`;

/** Runs the conformance command; resolves to the exit code (0 ok, 1 below the floor, 2 usage or setup error). */
export async function conformanceMain(argv: readonly string[], out: (s: string) => void): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (e) {
    out(`conformance: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (positionals.length > 1) {
    out(`conformance: expected at most one folder or note filter, got ${positionals.length}\n${USAGE}`);
    return 2;
  }
  const timeoutMs = wholeNumber(values["timeout-ms"]) ?? DEFAULT_CASE_BUDGET.timeoutMs;
  const maxSteps = wholeNumber(values["max-steps"]);
  if (Number.isNaN(timeoutMs) || (maxSteps !== undefined && Number.isNaN(maxSteps))) {
    out(`conformance: --timeout-ms and --max-steps take a positive whole number\n${USAGE}`);
    return 2;
  }
  const dir = values.dir ?? DEFAULT_CONFORMANCE_DIR;
  if (!existsSync(dir)) {
    out(`conformance: no conformance data at ${dir} (pass --dir <path>)\n`);
    return 2;
  }
  const filter = positionals[0];
  const floorFile = values["floor-file"] ?? FLOOR_FILE;

  // Keygate's own cases run with OPA's default set, so the floor covers both.
  const ownCases = values.dir === undefined && existsSync(OWN_CASES_DIR);
  const suite = {
    dir,
    ...(ownCases ? { extraDirs: [{ dir: OWN_CASES_DIR, prefix: OWN_CASES_PREFIX }] } : {}),
    ...(filter !== undefined ? { filter } : {}),
    budget: {
      timeoutMs,
      ...(maxSteps === undefined ? {} : { maxSteps }),
      ...(values.interpret ? { interpretOnly: true } : {}),
    },
  };
  const report = values["in-process"] ? runSuite(suite) : await runSuiteIsolated(suite);
  printReport(report, out, {
    verbose: values.verbose ?? false,
    summary: values.summary ?? false,
    filtered: !!filter,
  });

  if (values["update-floor"]) {
    if (filter !== undefined) {
      out("conformance: --update-floor needs a full run (no filter)\n");
      return 2;
    }
    const current = existsSync(floorFile) ? readFloor(floorFile).passing : 0;
    if (report.passed > current) {
      writeFloor({ passing: report.passed, total: report.total }, floorFile);
      out(`floor raised from ${current} to ${report.passed} (${floorFile})\n`);
    } else {
      out(`floor kept at ${current} (this run: ${report.passed})\n`);
    }
  }
  if (values["check-floor"]) {
    const floor = readFloor(floorFile);
    const ok = report.passed >= floor.passing;
    out(`floor check: ${report.passed} passing, floor ${floor.passing}: ${ok ? "ok" : "BELOW THE FLOOR"}\n`);
    if (!ok) return 1;
  }
  return 0;
}

function printReport(
  report: SuiteReport,
  out: (s: string) => void,
  opts: { verbose: boolean; summary: boolean; filtered: boolean },
): void {
  const width = Math.max(10, ...report.folders.map((f) => f.folder.length));
  for (const f of report.folders) {
    out(
      `${f.folder.padEnd(width)}  ${String(f.passed).padStart(4)} passed  ${String(f.failed).padStart(4)} failed\n`,
    );
  }
  if (opts.verbose) {
    const failures = report.records.filter((r) => r.outcome.kind === "fail");
    if (failures.length > 0) out("\nfailures:\n");
    for (const r of failures) {
      if (r.outcome.kind !== "fail") continue;
      out(`FAIL ${r.folder} | ${r.note}\n     [${r.outcome.failure}] ${r.outcome.reason}\n`);
      if (r.known) out(`     known failure: ${r.known.reason}\n`);
    }
  }
  if (opts.summary) {
    const groups = groupFailures(report.records);
    if (groups.length > 0) out("\nfailures by likely cause:\n");
    for (const g of groups) {
      out(`${String(g.notes.length).padStart(4)}  ${g.signature}\n`);
      for (const note of g.notes.slice(0, 2)) out(`        e.g. ${note}\n`);
    }
  }
  if (report.knownButPassing.length > 0) {
    out("\nknown failures that now pass (remove them from known-failures.ts):\n");
    for (const k of report.knownButPassing) out(`  ${k.note}\n`);
  }
  if (!opts.filtered && report.knownButAbsent.length > 0) {
    out("\nknown failures that match no case (remove them from known-failures.ts):\n");
    for (const k of report.knownButAbsent) out(`  ${k.note}\n`);
  }
  const known = report.records.filter((r) => r.outcome.kind === "fail" && r.known).length;
  const pct = report.total === 0 ? 0 : (100 * report.passed) / report.total;
  out(
    `\nTOTAL  ${report.passed} passed, ${report.failed} failed (${known} known, ${report.failed - known} new) of ${report.total} cases (${pct.toFixed(1)}%)\n`,
  );
}

function wholeNumber(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  return /^[1-9]\d*$/.test(v) ? Number(v) : Number.NaN;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      dir: { type: "string" },
      verbose: { type: "boolean", short: "v" },
      summary: { type: "boolean" },
      "check-floor": { type: "boolean" },
      "update-floor": { type: "boolean" },
      "timeout-ms": { type: "string" },
      "max-steps": { type: "string" },
      "in-process": { type: "boolean" },
      interpret: { type: "boolean" },
      "floor-file": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}
