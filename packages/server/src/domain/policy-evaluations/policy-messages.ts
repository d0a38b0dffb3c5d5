// Domain layer, policy evaluation: the messages a policy's `deny` or `warn` value holds. Pure (no
// engine, no node: modules), so the browser console reads policy results the same way.

/** The messages a deny/warn value holds: a set of strings (or `{msg}` objects), or `true`. */
export function messagesOf(value: unknown, policyName: string, rule: string): string[] {
  if (value === undefined || value === null || value === false) return [];
  if (value === true) return [`${rule} is true in policy ${policyName}`];
  if (Array.isArray(value)) return value.map((item) => messageText(item));
  if (typeof value === "string") return value === "" ? [] : [value];
  if (typeof value === "object") {
    const entries = Object.entries(value);
    return entries.length === 0 ? [] : [messageText(value)];
  }
  return [messageText(value)];
}

function messageText(item: unknown): string {
  if (typeof item === "string") return item;
  if (typeof item === "object" && item !== null) {
    const { msg, message } = item as { msg?: unknown; message?: unknown };
    if (typeof msg === "string") return msg;
    if (typeof message === "string") return message;
  }
  return JSON.stringify(item);
}
