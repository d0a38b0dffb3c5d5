// Policies, Rego: what one policy decides on one input, computed in the browser: for saves, its
// deny messages; for logins, deny, allow and roles as Keygate reads them (deny always wins; when
// the policy defines allow, only a true allow admits; a refused caller gets no roles).
import { type CompiledDraft, denyQuery, ruleRef } from "./browser-rego";

/** One policy's decision on one input. */
export interface DraftOutcome {
  readonly outcome: "allowed" | "denied" | "error";
  readonly messages: readonly string[];
  /** For logins: `space/role` pairs granted. */
  readonly roles: readonly string[];
}

function messagesOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
  if (typeof value === "string") return [value];
  if (value === true) return ["denied"];
  if (value === false) return [];
  if (typeof value === "object") return Object.keys(value as object);
  return [String(value)];
}

function rolesOf(value: unknown): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
  const roles: string[] = [];
  for (const [space, byRole] of Object.entries(value as Record<string, unknown>)) {
    if (byRole === null || typeof byRole !== "object") continue;
    const names = Array.isArray(byRole)
      ? byRole.map(String)
      : Object.entries(byRole)
          .filter(([, v]) => v !== false)
          .map(([k]) => k);
    for (const role of names) roles.push(`${space}/${role}`);
  }
  return roles.sort();
}

/** Evaluates `draft` on `input` as a save policy (`entityType` other than login) or a login policy. */
export function draftOutcome(
  draft: CompiledDraft,
  entityType: string,
  query: string | null,
  input: unknown,
): DraftOutcome {
  try {
    if (entityType !== "login") {
      const messages = messagesOf(draft.evaluate(denyQuery(query, draft.packagePath), input));
      return { outcome: messages.length > 0 ? "denied" : "allowed", messages, roles: [] };
    }
    const deny = messagesOf(draft.evaluate(ruleRef(draft.packagePath, "deny"), input));
    if (deny.length > 0) return { outcome: "denied", messages: deny, roles: [] };
    // A policy that defines allow admits only the callers its allow is true for.
    if (draft.rules.has("allow") && draft.evaluate(ruleRef(draft.packagePath, "allow"), input) !== true)
      return { outcome: "denied", messages: ["no allow admits this caller"], roles: [] };
    const roles = rolesOf(draft.evaluate(ruleRef(draft.packagePath, "roles"), input));
    return { outcome: "allowed", messages: [], roles };
  } catch (error) {
    return {
      outcome: "error",
      messages: [error instanceof Error ? error.message : String(error)],
      roles: [],
    };
  }
}

/** What changed from `before` to `after`, in words (empty when nothing did). */
export function describeChange(before: DraftOutcome, after: DraftOutcome): string[] {
  const changes: string[] = [];
  if (before.outcome !== after.outcome) changes.push(`${before.outcome} → ${after.outcome}`);
  const added = after.roles.filter((r) => !before.roles.includes(r));
  const removed = before.roles.filter((r) => !after.roles.includes(r));
  if (added.length) changes.push(`roles added: ${added.join(", ")}`);
  if (removed.length) changes.push(`roles removed: ${removed.join(", ")}`);
  if (changes.length === 0 && before.messages.join("\n") !== after.messages.join("\n"))
    changes.push("messages changed");
  return changes;
}
