// Domain layer, policy evaluation: compiled policies kept by content hash in the thread that
// evaluates them (a policy worker, or the process for in-process evaluation), so repeated saves
// and simulations of the same policy text compile it once.
import { createHash } from "node:crypto";
import type { PolicySet } from "../policy-sets/policy-set.js";
import { type CompiledPolicy, type CompiledPolicySet, compilePolicyFor, type PolicyText } from "./compiled-policy-sets.js";

/** A policy set with its policies' texts, as sent to the evaluating thread. */
export interface PolicySetTexts {
  readonly set: PolicySet;
  readonly policies: readonly PolicyText[];
}

/** How many compiled policies a thread keeps (least recently used ones are dropped first). */
export const COMPILED_POLICIES_KEPT = 512;

const compiled = new Map<string, CompiledPolicy>();

function contentHash(purpose: "save" | "login", text: PolicyText): string {
  // Everything the compiled value depends on: the file name (from the policy name) shows in error
  // locations, the id and level are carried with it.
  return createHash("sha256")
    .update(JSON.stringify([purpose, text.policyId, text.policyName, text.enforcementLevel, text.query, text.source]))
    .digest("base64url");
}

/** The policy compiled for `purpose`, from this thread's cache when the same text was seen before. */
export function cachedCompiledPolicy(purpose: "save" | "login", text: PolicyText): CompiledPolicy {
  const key = contentHash(purpose, text);
  const hit = compiled.get(key);
  if (hit !== undefined) {
    // Re-inserted so the Map's insertion order is least-recently-used first.
    compiled.delete(key);
    compiled.set(key, hit);
    return hit;
  }
  const policy = compilePolicyFor(purpose, text);
  compiled.set(key, policy);
  if (compiled.size > COMPILED_POLICIES_KEPT) {
    const oldest = compiled.keys().next().value;
    if (oldest !== undefined) compiled.delete(oldest);
  }
  return policy;
}

/** Compiles (or takes from this thread's cache) every policy of the sets, each for its set's purpose. */
export function compiledSetsOf(sets: readonly PolicySetTexts[]): CompiledPolicySet[] {
  return sets.map(({ set, policies }) => {
    const purpose = set.entityTypes.includes("login") ? "login" : "save";
    return { set, policies: policies.map((text) => cachedCompiledPolicy(purpose, text)) };
  });
}

/** The texts of compiled sets (what a task carries to the evaluating thread). */
export function setTextsOf(sets: readonly CompiledPolicySet[]): PolicySetTexts[] {
  return sets.map(({ set, policies }) => ({
    set,
    policies: policies.map(({ policyId, policyName, enforcementLevel, query, source }) => ({
      policyId,
      policyName,
      enforcementLevel,
      query,
      source,
    })),
  }));
}

/** How many compiled policies this thread holds (for tests). */
export function compiledPoliciesHeld(): number {
  return compiled.size;
}
