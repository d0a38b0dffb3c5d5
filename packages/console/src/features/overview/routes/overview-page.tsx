// Overview, route: the organization at a glance: counts, tokens to look at, recent refusals.
import { Link } from "react-router";
import { formatRelative } from "../../../shared/format/time";
import { PageHeader } from "../../../shared/ui/page-header";
import { QueryState } from "../../../shared/ui/query-state";
import { StatusBadge } from "../../../shared/ui/status-badge";
import { type Count, useOverviewCounts } from "../api/overview-counts";

function Stat({ label, value, to, tone }: { label: string; value: Count; to: string; tone?: "warn" }) {
  const known = "value" in value;
  return (
    <Link to={to} className={`stat ${tone && known && value.value > 0 ? `stat-${tone}` : ""}`}>
      <span className="stat-value">{known ? value.value : "—"}</span>
      <span className="stat-label">{label}</span>
      {!known && <span className="small muted">unavailable: {value.error}</span>}
    </Link>
  );
}

/** The overview page. */
export function OverviewPage() {
  const counts = useOverviewCounts();
  return (
    <>
      <PageHeader
        title="Overview"
        description="Machine identities, tokens and policy decisions in this organization."
      />
      <QueryState query={counts}>
        {(c) => (
          <>
            <section aria-labelledby="inventory">
              <h2 id="inventory">Inventory</h2>
              <div className="stats">
                <Stat label="Service accounts" value={c.serviceAccounts} to="/service-accounts" />
                <Stat label="Users" value={c.users} to="/users" />
                <Stat label="Active tokens" value={c.activeTokens} to="/tokens?status=active" />
                <Stat label="Policies" value={c.policies} to="/policies" />
              </div>
            </section>
            <section aria-labelledby="attention">
              <h2 id="attention">Tokens needing attention</h2>
              <div className="stats">
                <Stat
                  label="Expire within 7 days"
                  value={c.expiringIn7Days}
                  to="/tokens?status=active&expires=7"
                  tone="warn"
                />
                <Stat
                  label="Expire within 30 days"
                  value={c.expiringIn30Days}
                  to="/tokens?status=active&expires=30"
                  tone="warn"
                />
                <Stat
                  label="Never used"
                  value={c.neverUsed}
                  to="/tokens?status=active&never-used=true"
                  tone="warn"
                />
                <Stat
                  label="Unused for 90 days"
                  value={c.unusedFor90Days}
                  to="/tokens?status=active&unused=90"
                  tone="warn"
                />
              </div>
            </section>
            <div className="two-columns">
              <section aria-labelledby="denied-saves" className="card">
                <h2 id="denied-saves">Recent denied saves</h2>
                {c.deniedSaves.length === 0 ? (
                  <p className="muted">No save was refused by a policy.</p>
                ) : (
                  <ul className="plain-list">
                    {c.deniedSaves.map((e) => (
                      <li key={e.id}>
                        <Link to={`/evaluations/${e.id}`}>
                          {e.attributes["entity-type"]} {e.attributes.action}
                        </Link>{" "}
                        <StatusBadge status={e.attributes.outcome} />{" "}
                        <span className="muted small">{formatRelative(e.attributes["created-at"])}</span>
                        {e.attributes.messages[0] && <p className="small">{e.attributes.messages[0]}</p>}
                      </li>
                    ))}
                  </ul>
                )}
              </section>
              <section aria-labelledby="denied-logins" className="card">
                <h2 id="denied-logins">Recent denied logins</h2>
                {c.deniedLogins.length === 0 ? (
                  <p className="muted">No login was refused by a login policy.</p>
                ) : (
                  <ul className="plain-list">
                    {c.deniedLogins.map((e) => (
                      <li key={e.id}>
                        <Link to={`/audit/${e.id}`}>{e.attributes["resource-id"]}</Link>{" "}
                        <span className="muted small">{formatRelative(e.attributes["occurred-at"])}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            </div>
          </>
        )}
      </QueryState>
    </>
  );
}
