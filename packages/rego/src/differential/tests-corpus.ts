// Differential testing, corpus 3: a user's policy folder with its `*_test.rego` files, run by
// `opa test --format json` and by `keygate policy test`; every test's outcome must match, and
// when the policies do not compile, both must refuse them with the same error codes.

import { readFileSync } from "node:fs";
import type { KeygatePolicyCli } from "./keygate-cli.js";
import type { KnownMismatches } from "./known-mismatches.js";
import { addMismatch, type CorpusTally } from "./mismatch.js";
import { runOpa } from "./opa-binary.js";

/** How a test ended, by either runner. */
export type TestVerdict = "pass" | "fail" | "error" | "skip";

/** What a runner reported for a folder: each test's verdict by full name, or compile errors. */
export type TestRunReport =
  | {
      readonly kind: "ran";
      readonly tests: ReadonlyMap<string, TestVerdict>;
      /** Where each test rule is (opa reports it), to quote it in a repro. */
      readonly places?: ReadonlyMap<string, { readonly file: string; readonly row: number }>;
    }
  | { readonly kind: "compile-failed"; readonly errors: readonly string[] }
  | { readonly kind: "broken"; readonly reason: string };

/** Runs `opa test --format json` on the folder. */
export async function opaTests(opa: string, dir: string, regoVersion: 0 | 1): Promise<TestRunReport> {
  const run = await runOpa(
    opa,
    ["test", "--format", "json", ...(regoVersion === 0 ? ["--v0-compatible"] : []), dir],
    300_000,
  );
  if (run.timedOut) return { kind: "broken", reason: "opa test timed out" };
  try {
    const list = JSON.parse(run.stdout) as {
      package?: string;
      name?: string;
      fail?: boolean;
      skip?: boolean;
      error?: unknown;
      location?: { file?: string; row?: number };
    }[];
    if (!Array.isArray(list)) throw new Error("not a list");
    const tests = new Map<string, TestVerdict>();
    const places = new Map<string, { file: string; row: number }>();
    for (const t of list) {
      const verdict: TestVerdict =
        t.error !== undefined ? "error" : t.skip ? "skip" : t.fail ? "fail" : "pass";
      const name = `${t.package}.${t.name}`;
      tests.set(name, verdict);
      if (t.location?.file) places.set(name, { file: t.location.file, row: t.location.row ?? 1 });
    }
    return { kind: "ran", tests, places };
  } catch {
    // Compile errors come as text: `1 error occurred: file:row: code: message`.
    const errors = [...run.stderr.matchAll(/(\S+):(\d+): ([a-z_]+_error): /g)].map((m) => `${m[3]}@${m[2]}`);
    if (errors.length > 0) return { kind: "compile-failed", errors };
    return { kind: "broken", reason: `opa test printed ${(run.stderr || run.stdout).slice(0, 300)}` };
  }
}

/** Runs `keygate policy test -v` on the folder and reads its report lines. */
export function keygateTests(cli: KeygatePolicyCli, dir: string, regoVersion: 0 | 1): TestRunReport {
  void regoVersion; // keygate policy test detects each module's version itself
  const run = cli.test(["-v", dir]);
  if (run.exitCode === 1) {
    const errors = [...run.stderr.matchAll(/(\S+):(\d+):(\d+): ([a-z_]+_error): /g)].map(
      (m) => `${m[4]}@${m[2]}`,
    );
    return { kind: "compile-failed", errors };
  }
  if (run.exitCode !== 0 && run.exitCode !== 2) return { kind: "broken", reason: run.stderr.slice(0, 300) };
  const tests = new Map<string, TestVerdict>();
  for (const m of run.stdout.matchAll(/^(data\.\S+): (PASS|FAIL|ERROR|SKIPPED)/gm)) {
    const label = m[2] as string;
    tests.set(m[1] as string, label === "SKIPPED" ? "skip" : (label.toLowerCase() as TestVerdict));
  }
  return { kind: "ran", tests };
}

/** Compares both runners on the folder: one comparison per test (or one for a compile failure). */
export async function runTestsCorpus(
  opa: string,
  cli: KeygatePolicyCli,
  dir: string,
  regoVersion: 0 | 1,
  known: KnownMismatches,
  tally: CorpusTally,
): Promise<void> {
  const [theirs, ours] = [await opaTests(opa, dir, regoVersion), keygateTests(cli, dir, regoVersion)];
  const where = dir;
  const push = (id: string, what: string, repro: string) =>
    addMismatch(tally, known, { id, what, repro, opa: repro, ours: repro });
  if (theirs.kind === "broken" || ours.kind === "broken") {
    push(where, "a runner broke", `opa: ${JSON.stringify(theirs)}\nours: ${JSON.stringify(ours)}`);
    return;
  }
  if (theirs.kind === "compile-failed" || ours.kind === "compile-failed") {
    const text = (r: TestRunReport) =>
      r.kind === "compile-failed"
        ? `refused: ${r.errors.join(" ")}`
        : `ran ${r.kind === "ran" ? r.tests.size : 0} tests`;
    const same =
      theirs.kind === "compile-failed" &&
      ours.kind === "compile-failed" &&
      codes(theirs.errors) === codes(ours.errors);
    if (same) {
      tally.compared++;
      tally.agreed++;
    } else push(where, "compile verdicts differ", `opa: ${text(theirs)}\nours: ${text(ours)}`);
    return;
  }
  const names = [...new Set([...theirs.tests.keys(), ...ours.tests.keys()])].sort();
  for (const name of names) {
    const a = theirs.tests.get(name);
    const b = ours.tests.get(name);
    if (a === b) {
      tally.compared++;
      tally.agreed++;
    } else {
      const place = theirs.places?.get(name);
      const source = place ? `\n--- ${place.file}:${place.row}\n${ruleText(place.file, place.row)}` : "";
      push(
        name,
        `opa ${a ?? "did not run it"}, ours ${b ?? "did not run it"}`,
        `folder: ${where}\ntest: ${name}${source}\n--- opa: ${a ?? "did not run it"}\n--- ours: ${b ?? "did not run it"}`,
      );
    }
  }
}

/** The text of the rule starting at the row: up to the next blank line. */
function ruleText(file: string, row: number): string {
  try {
    const lines = readFileSync(file, "utf8")
      .split("\n")
      .slice(row - 1);
    const end = lines.findIndex((l) => l.trim() === "");
    return lines.slice(0, end === -1 ? lines.length : end).join("\n");
  } catch {
    return "(cannot read the file)";
  }
}

function codes(errors: readonly string[]): string {
  return [...new Set(errors.map((e) => e.split("@")[0]))].sort().join(",");
}
