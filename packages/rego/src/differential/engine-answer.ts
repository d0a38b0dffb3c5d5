// Differential testing, engine side: asks the engine a case, in this process, with the same
// options `keygate policy eval` would use (the version the case says, strict builtin errors).

import { Engine } from "../engine/engine.js";
import { RegoError } from "../errors.js";
import type { Answer, AnswerError } from "./answer.js";
import type { DifferentialCase } from "./differential-case.js";

/** The time one case may take in the engine before it counts as a hang. */
export const ENGINE_CASE_TIMEOUT_MS = 5_000;

/** Evaluates the case with a fresh engine; every outcome becomes an answer, nothing is thrown. */
export function askEngine(c: DifferentialCase, fileNames: readonly string[]): Answer {
  try {
    const engine = new Engine({
      regoVersion: c.regoVersion,
      strictBuiltinErrors: c.strictBuiltinErrors,
      budget: { timeoutMs: ENGINE_CASE_TIMEOUT_MS },
      print: () => {},
    });
    engine.addModules(c.modules.map((source, i) => ({ file: fileNames[i] ?? `mod-${i}.rego`, source })));
    if (c.data !== undefined) engine.setData(c.data);
    const rs = engine.evalQuery(c.query, c.input === undefined ? {} : { input: c.input });
    return {
      kind: "results",
      rows: rs.map((r) => ({ expressions: r.expressions.map((e) => e.value), bindings: r.bindings })),
    };
  } catch (e) {
    if (e instanceof RegoError) {
      if (e.code === "eval_cancel_error") {
        return { kind: "broken", reason: `ran out of its ${ENGINE_CASE_TIMEOUT_MS} ms budget` };
      }
      return { kind: "errors", errors: e.errors.map(toAnswerError) };
    }
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      return { kind: "broken", reason: `stack overflow: ${e.message}` };
    }
    const err = e instanceof Error ? e : new Error(String(e));
    const at = err.stack?.split("\n")[1]?.trim() ?? "";
    return { kind: "broken", reason: `${err.name}: ${err.message}${at ? ` (${at})` : ""}` };
  }
}

function toAnswerError(d: RegoError["errors"][number]): AnswerError {
  return {
    code: d.code,
    message: d.message,
    ...(d.location ? { location: { file: d.location.file, row: d.location.row, col: d.location.col } } : {}),
  };
}
