// Evaluations, route: the evaluation history, filtered by entity, outcome and policy.
import { Link } from "react-router";
import { useOrganizationPolicies } from "../../../shared/api/organization-policies";
import { pageCountOf } from "../../../shared/api/pagination";
import { formatRelative, formatTime } from "../../../shared/format/time";
import { useFilterParams } from "../../../shared/hooks/use-filter-params";
import { PageHeader } from "../../../shared/ui/page-header";
import { Pager } from "../../../shared/ui/pager";
import { QueryState } from "../../../shared/ui/query-state";
import { SelectField } from "../../../shared/ui/select-field";
import { StatusBadge } from "../../../shared/ui/status-badge";
import { TableHead } from "../../../shared/ui/table-head";
import { useEvaluations } from "../api/evaluations";

/** [value, text] options of a filter whose empty value reads "any". */
function anyOr(values: readonly string[]): [string, string][] {
  return values.map((v) => [v, v || "any"]);
}

/** The evaluations page. */
export function EvaluationsPage() {
  const { params, page, set } = useFilterParams();
  const policies = useOrganizationPolicies();
  const evaluations = useEvaluations({
    ...(params.get("policy") ? { policy: params.get("policy") ?? "" } : {}),
    ...(params.get("entity") ? { entityType: params.get("entity") ?? "" } : {}),
    ...(params.get("outcome") ? { outcome: params.get("outcome") ?? "" } : {}),
    ...(params.get("resource") ? { resource: params.get("resource") ?? "" } : {}),
    page,
  });
  return (
    <>
      <PageHeader
        title="Evaluations"
        description="Every policy decision on a save, with its input and each policy's result."
      />
      <search className="filters card" aria-label="Evaluation filters">
        <SelectField
          label="Entity"
          value={params.get("entity") ?? ""}
          options={anyOr(["", "token", "api-key", "service-account", "delegate-token"])}
          onChange={(value) => set("entity", value)}
        />
        <SelectField
          label="Outcome"
          value={params.get("outcome") ?? ""}
          options={anyOr(["", "allowed", "warned", "denied"])}
          onChange={(value) => set("outcome", value)}
        />
        <label className="compact">
          Resource id{" "}
          <input
            value={params.get("resource") ?? ""}
            onChange={(e) => set("resource", e.target.value)}
            placeholder="tok-…"
          />
        </label>
        <SelectField
          label="Policy"
          value={params.get("policy") ?? ""}
          options={[
            ["", "any"],
            ...(policies.data?.data ?? []).map((p): [string, string] => [p.id, p.attributes.name]),
          ]}
          onChange={(value) => set("policy", value)}
        />
      </search>
      <QueryState query={evaluations}>
        {(doc) => {
          const rows = doc.data;
          const pages = pageCountOf(doc.meta);
          return (
            <section className="card" aria-label="Evaluations">
              {rows.length === 0 ? (
                <p className="muted">No evaluations match.</p>
              ) : (
                <table>
                  <TableHead columns={["When", "Entity", "Action", "Outcome", "Policies", "Message"]} />
                  <tbody>
                    {rows.map((e) => (
                      <tr key={e.id}>
                        <td title={formatTime(e.attributes["created-at"])}>
                          <Link to={`/evaluations/${e.id}`}>
                            {formatRelative(e.attributes["created-at"])}
                          </Link>
                        </td>
                        <td>{e.attributes["entity-type"]}</td>
                        <td>{e.attributes.action}</td>
                        <td>
                          <StatusBadge status={e.attributes.outcome} />
                        </td>
                        <td>{e.attributes["policy-results"].map((r) => r["policy-name"]).join(", ")}</td>
                        <td className="small">{e.attributes.messages[0] ?? ""}</td>
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
