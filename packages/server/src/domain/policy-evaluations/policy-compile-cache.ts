// Domain layer, policy evaluation: compiled policies kept by content hash in the thread that
// evaluates them (a policy worker, or the process for in-process evaluation), so repeated saves
// and simulations of the same policy text compile it once.
import { createHash } from "node:crypto";
import type { PolicySet } from "../policy-sets/policy-set.js";
import {
  type CompiledPolicy,
  type CompiledPolicySet,
  compilePolicyFor,
  type PolicyText,
  type UntextedPolicy,
} from "./compiled-policy-sets.js";

/** A policy's text with its content hash (computed once where the text is loaded, not per save). */
export interface HashedPolicyText extends PolicyText {
  readonly contentHash: string;
}

/** A policy set with its policies' texts, as sent to the evaluating thread. */
export interface PolicySetTexts {
  readonly set: PolicySet;
  readonly policies: readonly HashedPolicyText[];
  readonly untexted?: readonly UntextedPolicy[];
}

/** How many compiled policies a thread keeps (least recently used ones are dropped first). */
export const COMPILED_POLICIES_KEPT = 512;

const compiled = new Map<string, CompiledPolicy>();

/** The text with its content hash: everything its compiled value depends on, hashed. */
export function withContentHash(text: PolicyText): HashedPolicyText {
  const { policyId, policyName, enforcementLevel, query, source } = text;
  // The file name (from the policy name) shows in error locations; the id and level are carried.
  const contentHash = createHash("sha256")
    .update(JSON.stringify([policyId, policyName, enforcementLevel, query, source]))
    .digest("base64url");
  return { policyId, policyName, enforcementLevel, query, source, contentHash };
}

/** The policy compiled for `purpose`, from this thread's cache when the same text was seen before. */
export function cachedCompiledPolicy(purpose: "save" | "login", text: HashedPolicyText): CompiledPolicy {
  const key = `${purpose}:${text.contentHash}`;
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
  return sets.map(({ set, policies, untexted }) => {
    const purpose = set.entityTypes.includes("login") ? "login" : "save";
    const compiledPolicies = policies.map((text) => cachedCompiledPolicy(purpose, text));
    return untexted === undefined ? { set, policies: compiledPolicies } : { set, policies: compiledPolicies, untexted };
  });
}

// Texts of the policies of loaded snapshots, hashed once per loaded policy.
const hashedTexts = new WeakMap<CompiledPolicy, HashedPolicyText>();

/** The texts of compiled sets (what a task carries to the evaluating thread). */
export function setTextsOf(sets: readonly CompiledPolicySet[]): PolicySetTexts[] {
  return sets.map(({ set, policies, untexted }) => ({
    set,
    ...(untexted === undefined ? {} : { untexted }),
    policies: policies.map((policy) => {
      let text = hashedTexts.get(policy);
      if (text === undefined) {
        text = withContentHash(policy);
        hashedTexts.set(policy, text);
      }
      return text;
    }),
  }));
}

/** How many compiled policies this thread holds (for tests). */
export function compiledPoliciesHeld(): number {
  return compiled.size;
}
