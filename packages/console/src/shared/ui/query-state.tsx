// Shared UI: what a page shows while its data loads or when loading failed.
import type { ReactNode } from "react";
import { ErrorNotice } from "./error-notice";

/** Renders children(data) once loaded; a loading line or the error otherwise. */
export function QueryState<T>({
  query,
  children,
}: {
  readonly query: { readonly data: T | undefined; readonly error: unknown; readonly isPending: boolean };
  readonly children: (data: T) => ReactNode;
}) {
  if (query.error) return <ErrorNotice error={query.error} />;
  if (query.isPending || query.data === undefined)
    return (
      <p className="muted" aria-live="polite">
        Loading…
      </p>
    );
  return <>{children(query.data)}</>;
}
