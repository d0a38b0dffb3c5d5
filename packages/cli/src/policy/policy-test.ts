// CLI, policy commands: `keygate policy test`, `opa test` semantics and output.

import { parseArgs } from "node:util";
import { formatRegoError, runTests, type TestResult } from "@keygate/rego";
import { loadPolicyFiles } from "./policy-files.js";

const RULE = "-".repeat(80);

/** Runs `keygate policy test <paths> [-v] [-r pattern]`; exit 0 only when every test passes. */
export function policyTest(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    err(`keygate policy test: ${(e as Error).message}\nusage: keygate policy test [-v] [-r <regex>] <file|dir>...\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    err("usage: keygate policy test [-v] [-r <regex>] <file|dir>...\n");
    return 2;
  }
  const { modules, data } = loadPolicyFiles(positionals);
  const report = runTests(modules, {
    data: data as never,
    ...(values.run ? { filter: new RegExp(values.run) } : {}),
  });
  if (report.kind === "compile-failed") {
    err(`${report.errors.map(formatRegoError).join("\n")}\n`);
    return 1;
  }
  const verbose = values.verbose ?? false;
  const byFile = new Map<string, TestResult[]>();
  for (const r of report.results) {
    const list = byFile.get(r.location.file) ?? [];
    list.push(r);
    byFile.set(r.location.file, list);
  }
  for (const [file, results] of byFile) {
    const shown = verbose ? results : results.filter((r) => r.outcome === "fail" || r.outcome === "error");
    if (shown.length === 0) continue;
    out(`${file}:\n`);
    for (const r of shown) {
      out(`${r.name}: ${label(r)} (${duration(r.durationMs)})\n`);
      if (r.error) out(`  ${formatRegoError(r.error)}\n`);
      for (const line of r.output) out(`  ${line}\n`);
    }
    out("\n");
  }
  const count = (o: TestResult["outcome"]) => report.results.filter((r) => r.outcome === o).length;
  const total = report.results.length;
  out(`${RULE}\n`);
  if (count("pass") > 0 || total === 0) out(`PASS: ${count("pass")}/${total}\n`);
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
    options: { verbose: { type: "boolean", short: "v" }, run: { type: "string", short: "r" } },
  });
}
