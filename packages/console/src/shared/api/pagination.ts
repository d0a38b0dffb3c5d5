// Shared, API: reads the JSON:API pagination meta of a list document.

/** The pagination meta of a list document ({} when the document has none). */
export function paginationOf(meta: unknown): Record<string, number | null> {
  return (meta as { pagination?: Record<string, number | null> } | undefined)?.pagination ?? {};
}

/** How many pages the list has (1 when the document does not say). */
export function pageCountOf(meta: unknown): number {
  return Number(paginationOf(meta)["total-pages"] ?? 1);
}
