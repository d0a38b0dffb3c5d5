// Audit, route: the audit log with filters (actor, action, resource, outcome, time range) and paging.
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { pageCountOf } from "../../../shared/api/pagination";
import { useUserNames } from "../../../shared/api/user-names";
import { formatTime } from "../../../shared/format/time";
import { useFilterParams } from "../../../shared/hooks/use-filter-params";
import { PageHeader } from "../../../shared/ui/page-header";
import { Pager } from "../../../shared/ui/pager";
import { QueryState } from "../../../shared/ui/query-state";
import { SelectField } from "../../../shared/ui/select-field";
import { StatusBadge } from "../../../shared/ui/status-badge";
import { TableHead } from "../../../shared/ui/table-head";
import { useAuditEvents } from "../api/audit-events";

const FIELDS = [
  { name: "actor", label: "Actor id", placeholder: "usr-…" },
  { name: "action", label: "Action", placeholder: "token.created" },
  { name: "resource-type", label: "Resource type", placeholder: "tokens" },
  { name: "resource-id", label: "Resource id", placeholder: "tok-…" },
] as const;

function toIso(local: string): string | undefined {
  return local ? new Date(local).toISOString() : undefined;
}

/** The audit log page. */
export function AuditLogPage() {
  const { params, setParams, page, set } = useFilterParams();
  const [form, setForm] = useState(() =>
    Object.fromEntries(
      [...FIELDS.map((f) => f.name), "outcome", "since", "until"].map((n) => [n, params.get(n) ?? ""]),
    ),
  );
  const names = useUserNames();
  const actorName = (id: string | undefined) =>
    id === undefined ? "—" : (names.data?.get(id) ?? <code className="small">{id}</code>);
  const get = (name: string) => params.get(name) ?? "";
  const events = useAuditEvents({
    actor: get("actor"),
    action: get("action"),
    resourceType: get("resource-type"),
    resourceId: get("resource-id"),
    outcome: get("outcome"),
    ...(toIso(get("since")) ? { since: toIso(get("since")) } : {}),
    ...(toIso(get("until")) ? { until: toIso(get("until")) } : {}),
    page,
  });
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) if (v) next.set(k, v);
    setParams(next);
  };
  return (
    <>
      <PageHeader title="Audit log" description="Every change and every refusal, who made it, from where." />
      <search aria-label="Audit filters">
        <form className="filters card" onSubmit={apply}>
          {FIELDS.map((f) => (
            <label key={f.name} className="compact">
              {f.label}{" "}
              <input
                value={form[f.name]}
                placeholder={f.placeholder}
                onChange={(e) => setForm({ ...form, [f.name]: e.target.value })}
              />
            </label>
          ))}
          <SelectField
            label="Outcome"
            value={form.outcome ?? ""}
            options={[
              ["", "any"],
              ["success", "success"],
              ["denied", "denied"],
              ["failure", "failure"],
            ]}
            onChange={(outcome) => setForm({ ...form, outcome })}
          />
          <label className="compact">
            From{" "}
            <input
              type="datetime-local"
              value={form.since}
              onChange={(e) => setForm({ ...form, since: e.target.value })}
            />
          </label>
          <label className="compact">
            To{" "}
            <input
              type="datetime-local"
              value={form.until}
              onChange={(e) => setForm({ ...form, until: e.target.value })}
            />
          </label>
          <button type="submit" className="button">
            Apply filters
          </button>
        </form>
      </search>
      <QueryState query={events}>
        {(doc) => {
          const pages = pageCountOf(doc.meta);
          return (
            <section className="card" aria-label="Audit events">
              {doc.data.length === 0 ? (
                <p className="muted">No events match.</p>
              ) : (
                <table>
                  <TableHead columns={["When (UTC)", "Action", "Outcome", "Resource", "Actor", "Via"]} />
                  <tbody>
                    {doc.data.map((e) => (
                      <tr key={e.id}>
                        <td>
                          <Link className="nowrap" to={`/audit/${e.id}`}>
                            {formatTime(e.attributes["occurred-at"])}
                          </Link>
                        </td>
                        <td>
                          <code>{e.attributes.action}</code>
                        </td>
                        <td>
                          <StatusBadge status={e.attributes.outcome} />
                        </td>
                        <td>
                          {e.attributes["resource-type"]}{" "}
                          <code className="small">{e.attributes["resource-id"]}</code>
                        </td>
                        <td>{actorName(e.relationships.actor.data?.id)}</td>
                        <td>{e.attributes.via}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <Pager page={page} pages={pages} onPage={(n) => set("page", String(n))} />
            </section>
          );
        }}
      </QueryState>
    </>
  );
}
