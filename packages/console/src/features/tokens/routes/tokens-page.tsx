// Tokens, route: every token of the organization, filtered (status, expiry window, use) and sorted.
import { useSearchParams } from "react-router";
import { useUserNames } from "../../../shared/api/user-names";
import { PageHeader } from "../../../shared/ui/page-header";
import { QueryState } from "../../../shared/ui/query-state";
import { type TokenFilters, useOrganizationTokens } from "../api/tokens";
import { TokenTable } from "../components/token-table";

const DAY = 86_400_000;

function filtersOf(params: URLSearchParams): TokenFilters {
  const days = (name: string) => Number(params.get(name) ?? "0");
  const status = params.get("status") ?? "";
  const sort = params.get("sort") ?? "-created-at";
  return {
    ...(status ? { status } : {}),
    ...(days("expires") > 0
      ? { expiresBefore: new Date(Date.now() + days("expires") * DAY).toISOString() }
      : {}),
    ...(days("unused") > 0
      ? { lastUsedBefore: new Date(Date.now() - days("unused") * DAY).toISOString() }
      : {}),
    ...(params.get("never-used") === "true" ? { neverUsed: true } : {}),
    sort,
    page: Math.max(1, days("page")),
  };
}

/** The tokens page. */
export function TokensPage() {
  const [params, setParams] = useSearchParams();
  const filters = filtersOf(params);
  const tokens = useOrganizationTokens(filters);
  const names = useUserNames();
  const set = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name !== "page") next.delete("page");
    setParams(next);
  };
  const select = (name: string, label: string, options: readonly [string, string][], fallback = "") => (
    <label className="compact">
      {label}{" "}
      <select value={params.get(name) ?? fallback} onChange={(e) => set(name, e.target.value)}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <>
      <PageHeader
        title="Tokens"
        description="Every token in the organization. Filter by state, expiry and use."
      />
      <search className="filters card" aria-label="Token filters">
        {select("status", "Status", [
          ["", "any"],
          ["active", "active"],
          ["rotated", "rotated"],
          ["expired", "expired"],
          ["revoked", "revoked"],
        ])}
        {select("expires", "Expires within", [
          ["", "any time"],
          ["7", "7 days"],
          ["30", "30 days"],
          ["90", "90 days"],
        ])}
        {select("unused", "Unused for", [
          ["", "—"],
          ["30", "30 days"],
          ["90", "90 days"],
        ])}
        {select("never-used", "Use", [
          ["", "any"],
          ["true", "never used"],
        ])}
        {select(
          "sort",
          "Sort by",
          [
            ["-created-at", "newest first"],
            ["created-at", "oldest first"],
            ["expires-at", "expiring soonest"],
            ["-last-used-at", "recently used"],
            ["last-used-at", "least recently used"],
          ],
          "-created-at",
        )}
      </search>
      <QueryState query={tokens}>
        {(doc) => {
          const pagination = (doc.meta as { pagination?: Record<string, number | null> }).pagination ?? {};
          const page = Number(pagination["current-page"] ?? 1);
          const pages = Number(pagination["total-pages"] ?? 1);
          return (
            <section className="card" aria-label="Tokens">
              <p className="muted small" aria-live="polite">
                {pagination["total-count"] ?? doc.data.length} token(s)
              </p>
              <TokenTable rows={doc.data} {...(names.data ? { names: names.data } : {})} />
              <nav className="pager" aria-label="Pages">
                <button
                  type="button"
                  className="button small"
                  disabled={page <= 1}
                  onClick={() => set("page", String(page - 1))}
                >
                  Previous
                </button>
                <span>
                  Page {page} of {Math.max(1, pages)}
                </span>
                <button
                  type="button"
                  className="button small"
                  disabled={page >= pages}
                  onClick={() => set("page", String(page + 1))}
                >
                  Next
                </button>
              </nav>
            </section>
          );
        }}
      </QueryState>
    </>
  );
}
