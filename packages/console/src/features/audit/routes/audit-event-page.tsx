// Audit, route: one audit event in full.
import { Fragment } from "react";
import { Link, useParams } from "react-router";
import { formatTime } from "../../../shared/format/time";
import { Facts } from "../../../shared/ui/facts";
import { JsonView } from "../../../shared/ui/json-view";
import { PageHeader } from "../../../shared/ui/page-header";
import { QueryState } from "../../../shared/ui/query-state";
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
              <Facts
                facts={[
                  ["Outcome", <StatusBadge key="outcome" status={a.outcome} />],
                  [
                    "Resource",
                    <Fragment key="resource">
                      {a["resource-type"]} <code>{a["resource-id"]}</code>
                    </Fragment>,
                  ],
                  ["Actor", <code key="actor">{doc.data.relationships.actor.data?.id ?? "—"}</code>],
                  [
                    "Actor token",
                    <code key="actor-token">{doc.data.relationships["actor-token"].data?.id ?? "—"}</code>,
                  ],
                  ["Via", a.via],
                  ["Address", a["actor-ip"] ?? "—"],
                  [
                    "Policy evaluation",
                    a["policy-evaluation-id"] ? (
                      <Link key="evaluation" to={`/evaluations/${a["policy-evaluation-id"]}`}>
                        {a["policy-evaluation-id"]}
                      </Link>
                    ) : (
                      "—"
                    ),
                  ],
                ]}
              />
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
