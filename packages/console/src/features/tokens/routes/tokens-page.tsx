// Tokens, route: every token of the organization, filtered (status, expiry window, use) and sorted.
import { paginationOf } from "../../../shared/api/pagination";
import { useUserNames } from "../../../shared/api/user-names";
import { useFilterParams } from "../../../shared/hooks/use-filter-params";
import { PageHeader } from "../../../shared/ui/page-header";
import { Pager } from "../../../shared/ui/pager";
import { QueryState } from "../../../shared/ui/query-state";
import { SelectField } from "../../../shared/ui/select-field";
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
  const { params, set } = useFilterParams();
  const filters = filtersOf(params);
  const tokens = useOrganizationTokens(filters);
  const names = useUserNames();
  const select = (name: string, label: string, options: readonly [string, string][], fallback = "") => (
    <SelectField
      label={label}
      value={params.get(name) ?? fallback}
      options={options}
      onChange={(value) => set(name, value)}
    />
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
          const pagination = paginationOf(doc.meta);
          const page = Number(pagination["current-page"] ?? 1);
          const pages = Number(pagination["total-pages"] ?? 1);
          return (
            <section className="card" aria-label="Tokens">
              <p className="muted small" aria-live="polite">
                {pagination["total-count"] ?? doc.data.length} token(s)
              </p>
              <TokenTable rows={doc.data} {...(names.data ? { names: names.data } : {})} />
              <Pager page={page} pages={pages} onPage={(n) => set("page", String(n))} />
            </section>
          );
        }}
      </QueryState>
    </>
  );
}
