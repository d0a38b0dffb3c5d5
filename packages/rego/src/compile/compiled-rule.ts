// Compile stage: one compiled rule, as the rule tree holds it and planning and evaluation read it.

import type { Body, Term } from "../syntax/ast.js";
import type { Location } from "../syntax/location.js";

/**
 * How a rule contributes to its node's value:
 * - complete: the whole value (`p := 1`);
 * - set: one element of a set (`p contains x`, v0 `p[x]`);
 * - object: one entry of a (possibly nested) object (`p[k] := v`, `roles[s][r]`), or one
 *   element of a set nested in an object (`p[k].r contains x`);
 * - function: a function (`f(x) := y`).
 */
export type RuleKind = "complete" | "set" | "object" | "function";

/** A rule after compilation: names resolved, body ordered for evaluation. */
export interface CompiledRule {
  readonly kind: RuleKind;
  /** Number of the rule within its tree (else rules included), for plans kept beside the tree. */
  readonly id: number;
  /** Position among the node's rules, in source order (used to merge index candidates). */
  readonly ordinal: number;
  /** Dynamic key terms after the node path (object rules: one per level). */
  readonly keys: readonly Term[];
  /** The set element (set rules). */
  readonly element: Term | undefined;
  /** The value (`true` when the rule has none). */
  readonly value: Term;
  /** Whether the value term holds no variables (so one solution is enough). */
  readonly groundValue: boolean;
  /**
   * Whether every key term holds no variable (`c[7] := 1`): with a ground value too, the rule's
   * one entry is decided by its first solution, as for a complete rule.
   */
  readonly groundKeys: boolean;
  /** Function arguments. */
  readonly args: readonly Term[] | undefined;
  readonly body: Body;
  readonly elseRule: CompiledRule | undefined;
  readonly isDefault: boolean;
  readonly location: Location;
  /** The rule's full head ref, for messages (`data.pkg.p`). */
  readonly name: string;
}
