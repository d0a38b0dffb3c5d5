// Differential testing, `policy check`: runs `opa check --format json` and `keygate policy check`
// on the same files and compares what they decide (accepted or refused) and, when both refuse,
// the error codes and positions they report.

import type { AnswerError } from "./answer.js";
import type { KeygatePolicyCli } from "./keygate-cli.js";
import { runOpa } from "./opa-binary.js";

/** What one checker decided about a set of files. */
export type CheckVerdict =
  | { readonly kind: "accepted" }
  | { readonly kind: "refused"; readonly errors: readonly AnswerError[] }
  | { readonly kind: "broken"; readonly reason: string };

/** How the two verdicts relate: the same, or which aspect differs first. */
export type CheckAgreement = "same" | "acceptance" | "codes" | "positions" | "broken";

/** Runs `opa check --format json` on the files. */
export async function opaCheck(
  opa: string,
  files: readonly string[],
  regoVersion: 0 | 1,
): Promise<CheckVerdict> {
  const run = await runOpa(opa, [
    "check",
    "--format",
    "json",
    ...(regoVersion === 0 ? ["--v0-compatible"] : []),
    ...files,
  ]);
  if (run.timedOut) return { kind: "broken", reason: "opa check timed out" };
  if (run.exitCode === 0) return { kind: "accepted" };
  try {
    const doc = JSON.parse(run.stderr || run.stdout) as { errors?: unknown };
    if (!Array.isArray(doc.errors)) throw new Error("no errors list");
    return { kind: "refused", errors: doc.errors.map(readOpaError) };
  } catch {
    return {
      kind: "broken",
      reason: `opa check printed no JSON errors: ${(run.stderr || run.stdout).slice(0, 300)}`,
    };
  }
}

/** Runs `keygate policy check` on the files (it detects each module's Rego version itself). */
export function keygateCheck(cli: KeygatePolicyCli, files: readonly string[]): CheckVerdict {
  const run = cli.check(files);
  if (run.exitCode === 0) return { kind: "accepted" };
  if (run.exitCode !== 1)
    return { kind: "broken", reason: `exit ${run.exitCode}: ${run.stderr.slice(0, 300)}` };
  return { kind: "refused", errors: readCheckLines(run.stderr) };
}

/** Reads `file:row:col: code: message` lines (a message may run over several lines). */
export function readCheckLines(text: string): AnswerError[] {
  const errors: AnswerError[] = [];
  for (const line of text.split("\n")) {
    const m = /^(.+?):(\d+):(\d+): ([a-z_]+): (.*)$/.exec(line) ?? /^()()()([a-z_]+_error): (.*)$/.exec(line);
    if (m) {
      const [, file, row, col, code, message] = m as unknown as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      errors.push({
        code,
        message,
        ...(file ? { location: { file, row: Number(row), col: Number(col) } } : {}),
      });
    } else if (errors.length > 0 && line !== "") {
      const last = errors.pop() as AnswerError;
      errors.push({ ...last, message: `${last.message}\n${line}` });
    }
  }
  return errors;
}

/** Compares opa's verdict with ours. */
export function compareVerdicts(opa: CheckVerdict, ours: CheckVerdict): CheckAgreement {
  if (opa.kind === "broken" || ours.kind === "broken") return "broken";
  if (opa.kind !== ours.kind) return "acceptance";
  if (opa.kind === "accepted" || ours.kind === "accepted") return "same";
  const codes = (v: readonly AnswerError[]) => [...new Set(v.map((e) => e.code))].sort().join(",");
  if (codes(opa.errors) !== codes(ours.errors)) return "codes";
  const places = (v: readonly AnswerError[]) =>
    [
      ...new Set(
        v.map((e) => `${e.code}@${e.location?.file ?? ""}:${e.location?.row ?? 0}:${e.location?.col ?? 0}`),
      ),
    ]
      .sort()
      .join(" ");
  return places(opa.errors) === places(ours.errors) ? "same" : "positions";
}

/** A verdict as a person reads it. */
export function showVerdict(v: CheckVerdict): string {
  switch (v.kind) {
    case "accepted":
      return "accepted";
    case "broken":
      return `(broken) ${v.reason}`;
    case "refused":
      return v.errors
        .map(
          (e) =>
            `${e.location ? `${e.location.file.replace(/^.*\//, "")}:${e.location.row}:${e.location.col}: ` : ""}${e.code}: ${e.message.split("\n")[0]}`,
        )
        .join("\n");
  }
}

function readOpaError(raw: unknown): AnswerError {
  const rec = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const loc = (typeof rec.location === "object" && rec.location !== null ? rec.location : undefined) as
    | Record<string, unknown>
    | undefined;
  return {
    code: typeof rec.code === "string" ? rec.code : "(no code)",
    message: typeof rec.message === "string" ? rec.message : "",
    ...(loc
      ? { location: { file: String(loc.file ?? ""), row: Number(loc.row ?? 0), col: Number(loc.col ?? 0) } }
      : {}),
  };
}
