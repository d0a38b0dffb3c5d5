// Conformance, running stage: runs one case on a fresh Engine and says whether it passed and,
// if not, why. Everything a case can throw is caught here, so one case never stops a run.

import { Engine } from "../engine/engine.js";
import { RegoError } from "../errors.js";
import type { Json } from "../value/json.js";
import type { ConformanceCase } from "./conformance-case.js";
import { type Bindings, compareResultSets } from "./result-comparison.js";

/** Why a case failed, coarsely: what kind of difference from OPA was seen. */
export type FailureKind =
  /** The case file is malformed (not the engine's fault). */
  | "invalid-case"
  /** The modules did not load (parse or compile error) though the case expects them to. */
  | "load-error"
  /** The query raised an error though the case expects a result. */
  | "eval-error"
  /** The case expects an error and none was raised. */
  | "missing-error"
  /** An error was raised, with another code or message than the case expects. */
  | "wrong-error"
  /** The result set differs from the wanted one. */
  | "wrong-result"
  /** Defined where undefined is wanted, or the other way round. */
  | "wrong-definedness"
  /** The evaluation ran out of its budget (a hang in the making). */
  | "budget"
  /** Something other than a RegoError was thrown: a bug in the engine. */
  | "crash"
  /** The case never answered and was stopped from outside (isolated runs only). */
  | "hang";

/** The outcome of one case. */
export type CaseOutcome =
  | { readonly kind: "pass" }
  | {
      readonly kind: "fail";
      readonly failure: FailureKind;
      /** What differs, for a person. */
      readonly reason: string;
      /** The error raised, when one was: its code and message (no location). */
      readonly error?: { readonly code: string; readonly message: string };
    };

/** Limits for one case, so that a hang becomes a failure. */
export interface CaseBudget {
  readonly timeoutMs: number;
  readonly maxSteps?: number;
  /** Evaluate rules with the interpreter only (see EngineOptions.interpretOnly). */
  readonly interpretOnly?: boolean;
}

/** The default budget of a case: OPA's cases finish in milliseconds. */
export const DEFAULT_CASE_BUDGET: CaseBudget = { timeoutMs: 5_000 };

/** Runs one case with a fresh engine and compares what happened with what the case wants. */
export function runCase(c: ConformanceCase, budget: CaseBudget = DEFAULT_CASE_BUDGET): CaseOutcome {
  if (c.problem !== undefined) return fail("invalid-case", c.problem);
  try {
    return runChecked(c, budget);
  } catch (e) {
    return crashed(e);
  }
}

function runChecked(c: ConformanceCase, budget: CaseBudget): CaseOutcome {
  const wantsError = c.wantErrorCode !== undefined || c.wantError !== undefined;
  const engine = new Engine({
    // The shared data keeps a few v0-syntax cases (builtins Rego v1 removed: `all`, `any`,
    // `re_match`, `cast_*`, `net.cidr_overlap`) under v1/ feature folders. v1 cases therefore
    // use the engine's version detection, which parses every module as v1 first and only falls
    // back to v0 when v1 fails; v0 folders force v0.
    ...(c.regoVersion === 0 ? { regoVersion: 0 as const } : {}),
    budget: budget.maxSteps === undefined ? { timeoutMs: budget.timeoutMs } : budget,
    strictBuiltinErrors: c.strictError,
    interpretOnly: budget.interpretOnly === true,
    print: () => {},
  });

  let results: Bindings[];
  try {
    engine.addModules(c.modules.map((source, i) => ({ file: `test-${i}.rego`, source })));
  } catch (e) {
    if (!(e instanceof RegoError)) throw e;
    // OPA compiles the modules before running the query; a compile error is only right when
    // the case wants that very error.
    if (wantsError) return checkError(c, e, "load-error");
    return fail("load-error", `modules did not load: ${describe(e)}`, e);
  }
  try {
    if (c.data !== undefined) engine.setData(c.data);
    const input = caseInput(c);
    const rs = engine.evalQuery(c.query, input === undefined ? {} : { input });
    results = rs.map((r) => r.bindings);
  } catch (e) {
    if (!(e instanceof RegoError)) throw e;
    if (e.code === "eval_cancel_error" && c.wantErrorCode !== "eval_cancel_error") {
      return fail("budget", `ran out of its budget: ${describe(e)}`, e);
    }
    if (wantsError) return checkError(c, e, "eval-error");
    return fail("eval-error", `unexpected error: ${describe(e)}`, e);
  }

  if (wantsError) {
    const what = [c.wantErrorCode, c.wantError && `"${c.wantError}"`].filter(Boolean).join(" ");
    return fail(
      "missing-error",
      `wanted error ${what}, got ${results.length} result(s): ${preview(results)}`,
    );
  }
  if (c.wantDefined !== undefined && c.wantDefined !== results.length > 0) {
    return fail(
      "wrong-definedness",
      `wanted ${c.wantDefined ? "defined" : "undefined"}, got ${results.length} result(s): ${preview(results)}`,
    );
  }
  if (c.wantResult !== undefined) {
    const cmp = compareResultSets(c.wantResult, results, { sortBindings: c.sortBindings });
    if (!cmp.equal) {
      if (c.wantResult.length === 0 || results.length === 0) {
        return fail(
          "wrong-definedness",
          `wanted ${c.wantResult.length} result(s), got ${results.length}: ${preview(results)}`,
        );
      }
      const parts = [];
      if (cmp.missing.length > 0) parts.push(`missing ${clip(cmp.missing.join(" "))}`);
      if (cmp.unexpected.length > 0) parts.push(`unexpected ${clip(cmp.unexpected.join(" "))}`);
      return fail("wrong-result", parts.join("; "));
    }
  }
  return { kind: "pass" };
}

/** Checks a raised error against the wanted code and message substring. */
function checkError(c: ConformanceCase, e: RegoError, stage: "load-error" | "eval-error"): CaseOutcome {
  const where = stage === "load-error" ? "while loading the modules" : "from the query";
  if (c.wantErrorCode !== undefined && e.code !== c.wantErrorCode) {
    return fail("wrong-error", `wanted ${c.wantErrorCode}, got ${describe(e)} ${where}`, e);
  }
  if (c.wantError !== undefined && !opaErrorText(e).includes(c.wantError)) {
    return fail(
      "wrong-error",
      `wanted a message containing "${c.wantError}", got ${describe(e)} ${where}`,
      e,
    );
  }
  return { kind: "pass" };
}

/**
 * The text OPA's `err.Error()` gives for an error, which `want_error` is a substring of:
 * `file:row: code: message` (OPA's locations print without the column), one line per error.
 */
export function opaErrorText(e: RegoError): string {
  return e.errors
    .map((d) =>
      d.location
        ? `${d.location.file}:${d.location.row}: ${d.code}: ${d.message}`
        : `${d.code}: ${d.message}`,
    )
    .join("\n");
}

/** The case's input as JSON; `input_term` text is read as JSON, else evaluated as a Rego term. */
function caseInput(c: ConformanceCase): Json | undefined {
  switch (c.input.kind) {
    case "none":
      return undefined;
    case "json":
      return c.input.value;
    case "term": {
      try {
        return JSON.parse(c.input.text) as Json;
      } catch {
        const rs = new Engine({}).evalQuery(`input_term_value = ${c.input.text}`);
        const v = rs[0]?.bindings.input_term_value;
        if (v === undefined) throw new Error(`input_term ${c.input.text} has no value`);
        return v;
      }
    }
  }
}

function crashed(e: unknown): CaseOutcome {
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return fail("crash", `stack overflow: ${e.message}`);
  }
  if (e instanceof Error) {
    const at = e.stack?.split("\n")[1]?.trim() ?? "";
    return fail("crash", `${e.name}: ${e.message}${at ? ` (${at})` : ""}`);
  }
  return fail("crash", `threw a non-error: ${String(e)}`);
}

function fail(failure: FailureKind, reason: string, e?: RegoError): CaseOutcome {
  const firstMessage = e?.errors[0]?.message ?? e?.message;
  return e
    ? { kind: "fail", failure, reason, error: { code: e.code, message: firstMessage ?? "" } }
    : { kind: "fail", failure, reason };
}

function describe(e: RegoError): string {
  return clip(e.message.split("\n").slice(0, 3).join(" | "));
}

function preview(results: readonly Bindings[]): string {
  return clip(JSON.stringify(results));
}

function clip(s: string, max = 400): string {
  return s.length <= max ? s : `${s.slice(0, max)}…`;
}
