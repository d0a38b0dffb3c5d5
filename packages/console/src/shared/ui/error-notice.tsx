// Shared UI: an API error that belongs to no one field, shown as an alert.
import { ApiError } from "../api/api-error";

/** Shows `error` (minus the errors placed next to fields at `placed` pointers); nothing if none. */
export function ErrorNotice({
  error,
  placed = [],
}: {
  readonly error: unknown;
  readonly placed?: readonly string[];
}) {
  if (error === null || error === undefined) return null;
  if (error instanceof ApiError) {
    const rest = error.unplaced(placed);
    if (rest.length === 0) return null;
    return (
      <div className="notice notice-error" role="alert">
        {rest.map((e) => (
          <p key={`${e.code ?? ""}:${e.source?.pointer ?? e.source?.parameter ?? ""}:${e.detail ?? e.title}`}>
            {e.detail ?? e.title ?? `HTTP ${error.status}`}
          </p>
        ))}
      </div>
    );
  }
  return (
    <div className="notice notice-error" role="alert">
      <p>{error instanceof Error ? error.message : String(error)}</p>
    </div>
  );
}
