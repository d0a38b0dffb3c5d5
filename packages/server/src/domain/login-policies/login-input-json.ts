// Domain layer, login policies: a login input as stored in samples (JSON) and back. A leaf module,
// so that checks on samples can read them without loading the rest of the login-policy layer.

/** The input as JSON (for samples): `timestamp_ns` as a number of nanoseconds. */
export function loginInputToJson(input: Record<string, unknown>): unknown {
  return JSON.parse(
    JSON.stringify(input, (_key, value: unknown) => (typeof value === "bigint" ? Number(value) : value)),
  );
}

/** A stored login input made evaluable again: `timestamp_ns` back to an exact integer. */
export function loginInputFromJson(json: unknown): unknown {
  if (typeof json !== "object" || json === null) return json;
  const request = (json as { request?: unknown }).request;
  if (typeof request !== "object" || request === null) return json;
  const ts = (request as { timestamp_ns?: unknown }).timestamp_ns;
  if (typeof ts !== "number" || !Number.isFinite(ts)) return json;
  return { ...json, request: { ...request, timestamp_ns: BigInt(Math.round(ts)) } };
}
