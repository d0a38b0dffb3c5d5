// Policies, route: the organization's policies.
import { Link } from "react-router";
import { useOrganizationPolicies } from "../../../shared/api/organization-policies";
import { formatRelative } from "../../../shared/format/time";
import { PageHeader } from "../../../shared/ui/page-header";
import { QueryState } from "../../../shared/ui/query-state";
import { StatusBadge } from "../../../shared/ui/status-badge";
import { TableHead } from "../../../shared/ui/table-head";

/** The policies page. */
export function PoliciesPage() {
  const policies = useOrganizationPolicies();
  return (
    <>
      <PageHeader
        title="Policies"
        description="Rego policies, evaluated on saves of tokens, keys, service accounts and delegate tokens, or on every login."
        actions={
          <Link className="button primary" to="/policies/new">
            New policy
          </Link>
        }
      />
      <QueryState query={policies}>
        {(doc) =>
          doc.data.length === 0 ? (
            <p className="muted card">No policies yet. A policy takes effect once it is in a policy set.</p>
          ) : (
            <table className="card">
              <TableHead columns={["Name", "Enforcement", "Query", "Policy sets", "Updated"]} />
              <tbody>
                {doc.data.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link to={`/policies/${p.id}`}>{p.attributes.name}</Link>
                      {p.attributes.description && (
                        <span className="small muted block">{p.attributes.description}</span>
                      )}
                    </td>
                    <td>
                      <StatusBadge status={p.attributes["enforcement-level"]} />
                    </td>
                    <td>
                      <code>{p.attributes.query ?? "<package>.deny"}</code>
                    </td>
                    <td>{p.attributes["policy-set-count"]}</td>
                    <td>{formatRelative(p.attributes["updated-at"])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryState>
    </>
  );
}
