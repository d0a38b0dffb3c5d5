// Shared UI: a status or outcome as a coloured badge with its word (colour never carries it alone).
const TONE: Record<string, string> = {
  active: "good",
  passed: "good",
  allowed: "good",
  success: "good",
  connected: "good",
  pending: "info",
  accepted: "info",
  rotated: "warn",
  advisory: "warn",
  "advisory-failed": "warn",
  warned: "warn",
  expired: "muted",
  disconnected: "muted",
  "query-undefined": "muted",
  revoked: "bad",
  denied: "bad",
  failed: "bad",
  failure: "bad",
  error: "bad",
  errored: "bad",
  mandatory: "bad",
};

/** A badge for a status word (active, revoked, denied, ...). */
export function StatusBadge({ status }: { readonly status: string }) {
  return <span className={`badge badge-${TONE[status] ?? "muted"}`}>{status}</span>;
}
