// Shared, API: reads every page of a list (100 per page) for views that need the whole set (a tree).

interface ListDocument<T> {
  readonly data: readonly T[];
  readonly meta?: { readonly pagination?: Record<string, unknown> };
}

/** Calls `fetchPage(1..n)` until the last page (at most `maxPages`), and joins their items. */
export async function allPages<T>(
  fetchPage: (page: number) => Promise<ListDocument<T>>,
  maxPages = 50,
): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; page <= maxPages; page++) {
    const document = await fetchPage(page);
    items.push(...document.data);
    const totalPages = Number(document.meta?.pagination?.["total-pages"] ?? 1);
    if (page >= totalPages || document.data.length === 0) break;
  }
  return items;
}
