// Domain layer, login policies: how long a login policy's decision holds, decided from the compiled
// policy. The engine reports every part of `input` the policy can read and every builtin it can
// call (through every rule and function it reaches), with the engine's own `nondeterministic` flag;
// a policy that reads only `input.session` and `input.request.remote_ip` and calls no
// nondeterministic builtin decides the same for the same caller and address; one that also reads
// the request's civil time (see login-policy-clock.ts) decides the same within one second.
import type { PolicyDependencies } from "@keygate/rego";
import type { CompiledPolicy } from "../policy-evaluations/compiled-policy-sets.js";
import { readsTimestampOnlyAsCivilTime } from "./login-policy-clock.js";

/** How long a decision holds for one caller and address. */
export type LoginReuse = "always" | "per-second" | "never";

/** What a read of `input` at this static path depends on. */
function readKind(path: readonly string[]): "stable" | "clock" | "other" {
  const [first, second] = path;
  if (first === "session") return "stable";
  if (first === "request" && second === "remote_ip") return "stable";
  if (first === "request" && second === "timestamp_ns") return "clock";
  return "other";
}

/** How long decisions with these dependencies hold (`clockBySecond`: the timestamp flows only to civil time). */
export function reuseOfDependencies(deps: PolicyDependencies, clockBySecond: () => boolean): LoginReuse {
  if (deps.builtins.some((b) => b.nondeterministic)) return "never";
  let clock = false;
  for (const read of deps.inputs) {
    const kind = readKind(read.path);
    if (kind === "other") return "never";
    if (kind === "clock") clock = true;
  }
  if (!clock) return "always";
  return clockBySecond() ? "per-second" : "never";
}

const reuseByPolicy = new WeakMap<CompiledPolicy, LoginReuse>();

/** How long a compiled login policy's decision holds (memoized per compiled policy). */
export function loginPolicyReuse(policy: CompiledPolicy): LoginReuse {
  let reuse = reuseByPolicy.get(policy);
  if (reuse === undefined) {
    reuse =
      policy.ok && policy.queries.kind === "login"
        ? reuseOfDependencies(policy.queries.document.dependencies(), () =>
            readsTimestampOnlyAsCivilTime(policy.syntax),
          )
        : "never";
    reuseByPolicy.set(policy, reuse);
  }
  return reuse;
}

/** The reuse of several policies together: the shortest of theirs. */
export function combinedReuse(policies: readonly CompiledPolicy[]): LoginReuse {
  let out: LoginReuse = "always";
  for (const p of policies) {
    const reuse = loginPolicyReuse(p);
    if (reuse === "never") return "never";
    if (reuse === "per-second") out = "per-second";
  }
  return out;
}
