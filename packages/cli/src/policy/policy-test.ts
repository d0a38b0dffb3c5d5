// CLI, policy commands: `keygate policy test`, `opa test` semantics and output.

import { formatRegoError, runTests, type TestProgress, type TestResult } from "@keygate/rego";
import { progressBar } from "../output/progress-bar.js";
import { errorJson } from "./policy-eval.js";
import { parsePolicyArgs } from "./policy-args.js";
import { loadPolicyFiles } from "./policy-files.js";

const RULE = "-".repeat(80);

const TEST_SPEC = {
  command: "keygate policy test",
  synopsis: "[-v] [-r <regex>] [--format pretty|json] [--strict-builtin-errors] <file|dir>...",
  summary:
    "Run the test_ rules of Rego files (opa test semantics and output; --format json prints opa test's JSON). A progress bar shows on a terminal.",
  options: {
    verbose: {
      type: "boolean",
      short: "v",
      description: "list every test, passed ones too, with their print output",
    },
    run: { type: "string", short: "r", value: "REGEX", description: "only tests whose full name matches" },
    format: { type: "string", short: "f", value: "FORMAT", description: "pretty (default) or json" },
    "strict-builtin-errors": { type: "boolean", description: "treat builtin errors as fatal" },
  },
  examples: ["keygate policy test policies/", "keygate policy test -r allow --format json policies/ tests/"],
} as const;

/** One test result as `opa test --format json` prints it (duration in ns; print output base64, as Go's []byte). */
function resultJson(r: TestResult): Record<string, unknown> {
  return {
    location: { file: r.location.file, row: r.location.row, col: r.location.col },
    package: r.package,
    name: r.name.slice(r.package.length + 1),
    ...(r.outcome === "fail" ? { fail: true } : {}),
    ...(r.error ? { error: errorJson(r.error) } : {}),
    ...(r.outcome === "skip" ? { skip: true } : {}),
    duration: Math.round(r.durationMs * 1_000_000),
    ...(r.output.length > 0
      ? { output: Buffer.from(r.output.map((l) => `${l}\n`).join(""), "utf8").toString("base64") }
      : {}),
  };
}

const STAGES: Readonly<Record<TestProgress["stage"], string>> = {
  parse: "parsing",
  compile: "compiling",
  test: "testing",
};

/** Runs `keygate policy test <paths> [-v] [-r pattern]`; exit 0 only when every test passes (2 when some fail, 1 when the policies do not compile). */
export function policyTest(
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
  interactive = false,
): number {
  const parsed = parsePolicyArgs(TEST_SPEC, argv, out, err);
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const usage = `usage: ${TEST_SPEC.command} ${TEST_SPEC.synopsis}\n`;
  if (positionals.length === 0) {
    err(usage);
    return 2;
  }
  const format = values.format ?? "pretty";
  if (format !== "pretty" && format !== "json") {
    err(`keygate policy test: --format must be pretty or json, got "${format}"\n${usage}`);
    return 2;
  }
  const { modules, data } = loadPolicyFiles(positionals);
  let filter: RegExp | undefined;
  try {
    filter = values.run === undefined ? undefined : new RegExp(values.run);
  } catch (e) {
    err(`keygate policy test: --run is not a valid regular expression: ${(e as Error).message}\n`);
    return 2;
  }
  const progress = progressBar(err, interactive);
  const report = runTests(modules, {
    data,
    ...(filter ? { filter } : {}),
    ...(values["strict-builtin-errors"] ? { engine: { strictBuiltinErrors: true } } : {}),
    onProgress: (p) => progress.update(STAGES[p.stage], p.done, p.total),
  });
  progress.clear();
  if (report.kind === "compile-failed") {
    if (format === "json") out(`${JSON.stringify({ errors: report.errors.map(errorJson) }, null, 2)}\n`);
    else err(`${report.errors.map(formatRegoError).join("\n")}\n`);
    return 1;
  }
  const failed = report.results.filter((r) => r.outcome === "fail" || r.outcome === "error").length;
  if (format === "json") {
    out(`${JSON.stringify(report.results.map(resultJson), null, 2)}\n`);
    return failed === 0 ? 0 : 2;
  }
  const verbose = values.verbose ?? false;
  // As opa test's pretty reporter: every test that did not pass (all with -v), grouped under its
  // file, then a rule and the counts.
  let lastFile: string | undefined;
  let shown = false;
  for (const r of report.results) {
    if (r.outcome === "pass" && !verbose) continue;
    if (r.location.file !== lastFile) {
      if (lastFile !== undefined) out("\n");
      out(`${r.location.file}:\n`);
      lastFile = r.location.file;
    }
    out(`${r.name}: ${label(r)}${r.outcome === "skip" ? "" : ` (${duration(r.durationMs)})`}\n`);
    if (r.error) out(`  ${formatRegoError(r.error)}\n`);
    if (verbose || r.outcome !== "pass") for (const line of r.output) out(`  ${line}\n`);
    shown = true;
  }
  const count = (o: TestResult["outcome"]) => report.results.filter((r) => r.outcome === o).length;
  const total = report.results.length;
  if (shown) out(`${RULE}\n`);
  if (total === 0) out("no tests found\n");
  if (count("pass") > 0) out(`PASS: ${count("pass")}/${total}\n`);
  if (count("fail") > 0) out(`FAIL: ${count("fail")}/${total}\n`);
  if (count("skip") > 0) out(`SKIPPED: ${count("skip")}/${total}\n`);
  if (count("error") > 0) out(`ERROR: ${count("error")}/${total}\n`);
  return count("fail") + count("error") === 0 ? 0 : 2;
}

function label(r: TestResult): string {
  switch (r.outcome) {
    case "pass":
      return "PASS";
    case "fail":
      return "FAIL";
    case "error":
      return "ERROR";
    case "skip":
      return "SKIPPED";
  }
}

function duration(ms: number): string {
  return ms < 1 ? `${Math.round(ms * 1000)}µs` : `${ms.toFixed(1)}ms`;
}
