// Audit, route: one audit event in full.
import { Link, useParams } from "react-router";
import { formatTime } from "../../../shared/format/time";
import { PageHeader } from "../../../shared/ui/page-header";
import { QueryState } from "../../../shared/ui/query-state";
import { JsonView } from "../../../shared/ui/json-view";
import { StatusBadge } from "../../../shared/ui/status-badge";
import { useAuditEvent } from "../api/audit-events";

/** The audit event page. */
export function AuditEventPage() {
  const { id = "" } = useParams();
  const event = useAuditEvent(id);
  return (
    <QueryState query={event}>
      {(doc) => {
        const a = doc.data.attributes;
        return (
          <>
            <p className="breadcrumbs">
              <Link to="/audit">Audit log</Link> / {doc.data.id}
            </p>
            <PageHeader title={a.action} description={formatTime(a["occurred-at"])} />
            <section className="card">
              <dl className="facts">
                <dt>Outcome</dt>
                <dd>
                  <StatusBadge status={a.outcome} />
                </dd>
                <dt>Resource</dt>
                <dd>
                  {a["resource-type"]} <code>{a["resource-id"]}</code>
                </dd>
                <dt>Actor</dt>
                <dd>
                  <code>{doc.data.relationships.actor.data?.id ?? "—"}</code>
                </dd>
                <dt>Actor token</dt>
                <dd>
                  <code>{doc.data.relationships["actor-token"].data?.id ?? "—"}</code>
                </dd>
                <dt>Via</dt>
                <dd>{a.via}</dd>
                <dt>Address</dt>
                <dd>{a["actor-ip"] ?? "—"}</dd>
                <dt>Policy evaluation</dt>
                <dd>
                  {a["policy-evaluation-id"] ? (
                    <Link to={`/evaluations/${a["policy-evaluation-id"]}`}>{a["policy-evaluation-id"]}</Link>
                  ) : (
                    "—"
                  )}
                </dd>
              </dl>
            </section>
            <section className="card" aria-labelledby="details-heading">
              <h2 id="details-heading">Details</h2>
              <JsonView value={a.details} label="Event details" />
            </section>
          </>
        );
      }}
    </QueryState>
  );
}
