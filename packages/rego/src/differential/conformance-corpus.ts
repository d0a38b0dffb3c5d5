// Differential testing, corpus 1: every case of the shared conformance folder, asked of both
// OPA and the engine. Where they disagree and OPA does not pass its own case either (a case of
// OPA's test binary, a v0 case under v1/), the case is left out with that reason.

import { findCaseFiles, loadCases } from "../conformance/case-files.js";
import type { ConformanceCase } from "../conformance/conformance-case.js";
import { compareResultSets } from "../conformance/result-comparison.js";
import type { Json } from "../value/json.js";
import type { Answer } from "./answer.js";
import {
  type AnswerComparison,
  type CaseTallies,
  type ComparisonContext,
  compareCase,
} from "./case-comparison.js";
import type { DifferentialCase } from "./differential-case.js";
import { readOpaEvalJson } from "./opa-answer.js";
import { runOpa } from "./opa-binary.js";
import { runPool } from "./task-pool.js";

/** Runs every case of the conformance folder through the three comparisons. */
export async function runConformanceCorpus(
  ctx: ComparisonContext,
  dir: string,
  tallies: Required<CaseTallies>,
  filter: (c: ConformanceCase) => boolean = () => true,
): Promise<void> {
  const cases = loadCases(findCaseFiles(dir)).filter(filter);
  await runPool(cases, 3, async (cc) => {
    if (cc.problem !== undefined) {
      tallies.answers.skipped.push({ id: cc.note, reason: `malformed case: ${cc.problem}` });
      return;
    }
    const input = await caseInput(ctx.opa, cc);
    if (input.kind === "unusable") {
      tallies.answers.skipped.push({ id: cc.note, reason: input.reason });
      return;
    }
    const c: DifferentialCase = {
      id: `${cc.folder} | ${cc.note}`,
      modules: cc.modules,
      data: cc.data,
      input: input.value,
      query: cc.query,
      regoVersion: cc.regoVersion,
      strictBuiltinErrors: cc.strictError,
    };
    await compareCase(ctx, c, tallies, (cmp) => opaFailsOwnCase(cc, cmp));
  });
}

/** Why OPA's own answer does not satisfy the case (so a disagreement says nothing), or undefined. */
export function opaFailsOwnCase(cc: ConformanceCase, cmp: AnswerComparison): string | undefined {
  const verdict = opaVerdict(cc, cmp.opa);
  return verdict === undefined ? undefined : `opa fails its own case (${verdict})`;
}

function opaVerdict(cc: ConformanceCase, a: Answer): string | undefined {
  if (a.kind === "broken") return a.reason;
  const wantsError = cc.wantErrorCode !== undefined || cc.wantError !== undefined;
  if (wantsError) {
    if (a.kind !== "errors") return "no error raised";
    if (cc.wantErrorCode !== undefined && !a.errors.some((e) => e.code === cc.wantErrorCode)) {
      return `raised ${a.errors.map((e) => e.code).join(",")}, case wants ${cc.wantErrorCode}`;
    }
    if (cc.wantError !== undefined && !a.errors.some((e) => e.message.includes(cc.wantError as string))) {
      return `message does not contain "${cc.wantError}"`;
    }
    return undefined;
  }
  if (a.kind === "errors") return `raised ${a.errors.map((e) => e.code).join(",")}`;
  if (cc.wantDefined !== undefined && cc.wantDefined !== a.rows.length > 0) return "definedness";
  if (cc.wantResult !== undefined) {
    const cmp = compareResultSets(
      cc.wantResult,
      a.rows.map((r) => r.bindings),
      { sortBindings: cc.sortBindings },
    );
    if (!cmp.equal) return "result set";
  }
  return undefined;
}

type CaseInputValue =
  | { readonly kind: "ok"; readonly value: Json | undefined }
  | { readonly kind: "unusable"; readonly reason: string };

/** The case's input as JSON: `input_term` text is read as JSON, else evaluated by OPA (the oracle). */
async function caseInput(opa: string, cc: ConformanceCase): Promise<CaseInputValue> {
  switch (cc.input.kind) {
    case "none":
      return { kind: "ok", value: undefined };
    case "json":
      return { kind: "ok", value: cc.input.value };
    case "term": {
      try {
        return { kind: "ok", value: JSON.parse(cc.input.text) as Json };
      } catch {
        const run = await runOpa(opa, ["eval", "--format", "json", `__input_term := ${cc.input.text}`]);
        const a = readOpaEvalJson(run.stdout, run.stderr);
        const v = a.kind === "results" ? a.rows[0]?.bindings.__input_term : undefined;
        return v === undefined
          ? { kind: "unusable", reason: `opa cannot evaluate input_term ${cc.input.text}` }
          : { kind: "ok", value: v };
      }
    }
  }
}
