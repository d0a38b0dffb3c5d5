// Access, route: "what may this key do": per space, the permissions and the binding, team or
// login-policy rule (file:line) that granted each role.
import { Link, useParams } from "react-router";
import { PageHeader } from "../../../shared/ui/page-header";
import { QueryState } from "../../../shared/ui/query-state";
import { TableHead } from "../../../shared/ui/table-head";
import { useKeyAccess } from "../api/key-access";

type Reason = {
  kind: string;
  "binding-id": string | null;
  "team-name": string | null;
  "policy-id": string | null;
  "policy-name": string | null;
  rule: string | null;
};

function Grant({ reason, inherited }: { reason: Reason; inherited: boolean }) {
  const suffix = inherited ? " (inherited from a parent space)" : "";
  switch (reason.kind) {
    case "direct-binding":
      return (
        <span>
          Role binding {reason["binding-id"]}
          {suffix}
        </span>
      );
    case "team-binding":
      return (
        <span>
          Through team {reason["team-name"]}
          {suffix}
        </span>
      );
    case "login-policy":
      return (
        <span>
          Login policy{" "}
          {reason["policy-id"] ? (
            <Link to={`/policies/${reason["policy-id"]}`}>{reason["policy-name"]}</Link>
          ) : (
            reason["policy-name"]
          )}
          {reason.rule && (
            <>
              , rule <code>{reason.rule}</code>
            </>
          )}
          {suffix}
        </span>
      );
    default:
      return <span>{reason.kind}</span>;
  }
}

/** The key-access page. */
export function KeyAccessPage() {
  const { id = "" } = useParams();
  const access = useKeyAccess(id);
  return (
    <>
      <p className="breadcrumbs">
        <Link to={`/api-keys/${id}`}>API key</Link> / effective access
      </p>
      <PageHeader
        title="What may this key do?"
        description="Effective permissions per space, with what granted each one."
      />
      <QueryState query={access}>
        {(doc) =>
          doc.data.attributes.spaces.length === 0 ? (
            <p className="muted">This key has no permission in any space.</p>
          ) : (
            doc.data.attributes.spaces.map((space) => (
              <section
                key={space["space-id"]}
                className="card"
                aria-labelledby={`space-${space["space-id"]}`}
              >
                <h2 id={`space-${space["space-id"]}`}>{space["space-name"]}</h2>
                <p className="permissions">
                  {space.permissions.map((p) => (
                    <code key={p} className="permission">
                      {p}
                    </code>
                  ))}
                </p>
                <table>
                  <TableHead columns={["Role", "Granted by", "Permissions"]} />
                  <tbody>
                    {space.roles.map((role) => (
                      <tr
                        key={`${role["role-id"]}-${role["granted-in-space-id"]}-${role.reason.kind}-${role.reason["binding-id"] ?? role.reason["team-id"] ?? role.reason.rule}`}
                      >
                        <td>{role["role-name"]}</td>
                        <td>
                          <Grant reason={role.reason as Reason} inherited={role.inherited} />
                        </td>
                        <td className="small">{role.permissions.join(", ")}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            ))
          )
        }
      </QueryState>
    </>
  );
}
