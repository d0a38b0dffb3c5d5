// CLI, policy commands: `keygate policy test`, `opa test` semantics and output.

import { parseArgs } from "node:util";
import { formatRegoError, runTests, type TestResult } from "@keygate/rego";
import { loadPolicyFiles } from "./policy-files.js";

const RULE = "-".repeat(80);

/** Runs `keygate policy test <paths> [-v] [-r pattern]`; exit 0 only when every test passes (2 when some fail, 1 when the policies do not compile). */
export function policyTest(
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    err(
      `keygate policy test: ${(e as Error).message}\nusage: keygate policy test [-v] [-r <regex>] [--strict-builtin-errors] <file|dir>...\n`,
    );
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    err("usage: keygate policy test [-v] [-r <regex>] [--strict-builtin-errors] <file|dir>...\n");
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
  const report = runTests(modules, {
    data,
    ...(filter ? { filter } : {}),
    ...(values["strict-builtin-errors"] ? { engine: { strictBuiltinErrors: true } } : {}),
  });
  if (report.kind === "compile-failed") {
    err(`${report.errors.map(formatRegoError).join("\n")}\n`);
    return 1;
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

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      verbose: { type: "boolean", short: "v" },
      run: { type: "string", short: "r" },
      "strict-builtin-errors": { type: "boolean" },
    },
  });
}
