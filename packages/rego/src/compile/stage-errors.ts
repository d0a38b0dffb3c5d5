// Compile stage bookkeeping: the errors found, kept per stage of OPA's compiler. OPA runs its
// stages in a fixed order and stops after the first one that reports errors, so what a policy
// is refused for is that stage's errors alone (an unsafe variable, not also the type error the
// same rule would cause later). The checks here run in their own order; this puts theirs back.

import type { RegoErrorDetail } from "../errors.js";

/**
 * The stages of OPA's compiler (ast/compile.go) that report errors, in OPA's order:
 * `declarations` is everything up to its rewriting of local variables, annotations and
 * `rego.metadata` calls; `conflicts` CheckRuleConflicts; `calls` CheckUndefinedFuncs (which
 * also checks the number of arguments); `safety` CheckSafetyRuleHeads and CheckSafetyRuleBodies;
 * `recursion` CheckRecursion; `types` CheckTypes (argument types, match errors); `deprecated`
 * CheckDeprecatedBuiltins. Queries run the same stages without those about rules.
 */
export const COMPILE_STAGES = [
  "declarations",
  "conflicts",
  "calls",
  "safety",
  "recursion",
  "types",
  "deprecated",
] as const;

/** One of OPA's compiler stages that report errors. */
export type CompileStage = (typeof COMPILE_STAGES)[number];

/** Errors collected per compiler stage, reported as OPA would: the first failing stage's. */
export class StageErrors {
  private readonly byStage = new Map<CompileStage, RegoErrorDetail[]>();

  /** Records errors found by a stage, after those it already has. */
  add(stage: CompileStage, errors: readonly RegoErrorDetail[]): void {
    if (errors.length === 0) return;
    const list = this.byStage.get(stage);
    if (list) list.push(...errors);
    else this.byStage.set(stage, [...errors]);
  }

  /** Whether any stage up to and including `stage` has errors (OPA would have stopped there). */
  failedBy(stage: CompileStage): boolean {
    for (const s of COMPILE_STAGES) {
      if (this.byStage.has(s)) return true;
      if (s === stage) return false;
    }
    return false;
  }

  /** The errors of the first stage that has any; none when every stage passed. */
  reported(): readonly RegoErrorDetail[] {
    for (const s of COMPILE_STAGES) {
      const list = this.byStage.get(s);
      if (list) return list;
    }
    return [];
  }
}
