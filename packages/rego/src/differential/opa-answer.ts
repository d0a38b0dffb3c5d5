// Differential testing, OPA side: asks `opa eval --format json` a case and reads its answer.

import type { Json } from "../value/json.js";
import type { Answer, AnswerError, AnswerRow } from "./answer.js";
import type { CaseFiles, DifferentialCase } from "./differential-case.js";
import { runOpa } from "./opa-binary.js";

/** OPA's answer to a case, and the exact text `opa eval` printed. */
export interface OpaEvalOutput {
  readonly answer: Answer;
  readonly stdout: string;
}

/** The `opa eval` arguments for a case written out as files. */
export function opaEvalArgs(c: DifferentialCase, files: CaseFiles): string[] {
  const args = ["eval", "--format", "json"];
  if (c.regoVersion === 0) args.push("--v0-compatible");
  if (c.strictBuiltinErrors) args.push("--strict-builtin-errors");
  for (const m of files.modules) args.push("-d", m);
  if (files.data !== undefined) args.push("-d", files.data);
  if (files.input !== undefined) args.push("-i", files.input);
  args.push(c.query);
  return args;
}

/** Runs `opa eval` on the case's files and reads what it printed. */
export async function askOpa(opa: string, c: DifferentialCase, files: CaseFiles): Promise<OpaEvalOutput> {
  const run = await runOpa(opa, opaEvalArgs(c, files));
  if (run.timedOut) return { answer: { kind: "broken", reason: "opa eval timed out" }, stdout: run.stdout };
  return { answer: readOpaEvalJson(run.stdout, run.stderr), stdout: run.stdout };
}

/** Reads what `opa eval --format json` printed: `{"result": [...]}`, `{}` (undefined) or `{"errors": [...]}`. */
export function readOpaEvalJson(stdout: string, stderr = ""): Answer {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    return { kind: "broken", reason: `opa printed no JSON: ${clip(stdout || stderr)}` };
  }
  if (!isRecord(doc)) return { kind: "broken", reason: `opa printed ${clip(stdout)}` };
  if (Array.isArray(doc.errors)) return { kind: "errors", errors: doc.errors.map(readError) };
  if (doc.result === undefined) return { kind: "results", rows: [] };
  if (!Array.isArray(doc.result))
    return { kind: "broken", reason: `"result" is not a list: ${clip(stdout)}` };
  const rows: AnswerRow[] = doc.result.map((r) => {
    const rec = isRecord(r) ? r : {};
    const expressions = Array.isArray(rec.expressions)
      ? rec.expressions.map((e) => (isRecord(e) ? (e.value as Json) : null))
      : [];
    const bindings = isRecord(rec.bindings) ? (rec.bindings as Record<string, Json>) : {};
    return { expressions, bindings };
  });
  return { kind: "results", rows };
}

function readError(raw: unknown): AnswerError {
  const rec = isRecord(raw) ? raw : {};
  const loc = isRecord(rec.location) ? rec.location : undefined;
  return {
    code: typeof rec.code === "string" ? rec.code : "(no code)",
    message: typeof rec.message === "string" ? rec.message : "",
    ...(loc
      ? { location: { file: String(loc.file ?? ""), row: Number(loc.row ?? 0), col: Number(loc.col ?? 0) } }
      : {}),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function clip(s: string, max = 300): string {
  const t = s.trim();
  return t.length <= max ? t : `${t.slice(0, max)}…`;
}
