// Evaluations, route: one evaluation in full: outcome, each policy's result, the input.
import { Link, useParams } from "react-router";
import { formatTime } from "../../../shared/format/time";
import { Facts } from "../../../shared/ui/facts";
import { JsonView } from "../../../shared/ui/json-view";
import { PageHeader } from "../../../shared/ui/page-header";
import { QueryState } from "../../../shared/ui/query-state";
import { StatusBadge } from "../../../shared/ui/status-badge";
import { TableHead } from "../../../shared/ui/table-head";
import { useEvaluation } from "../api/evaluations";

/** The evaluation page. */
export function EvaluationPage() {
  const { id = "" } = useParams();
  const evaluation = useEvaluation(id);
  return (
    <QueryState query={evaluation}>
      {(doc) => {
        const a = doc.data.attributes;
        return (
          <>
            <p className="breadcrumbs">
              <Link to="/evaluations">Evaluations</Link> / {doc.data.id}
            </p>
            <PageHeader
              title={`${a["entity-type"]} ${a.action}`}
              description={`${formatTime(a["created-at"])} · ${a["duration-us"]} µs`}
            />
            <section className="card">
              <Facts
                facts={[
                  ["Outcome", <StatusBadge key="outcome" status={a.outcome} />],
                  ["Resource", <code key="resource">{a["resource-id"] ?? "—"}</code>],
                  ["Actor", <code key="actor">{a["actor-id"] ?? "—"}</code>],
                  ["Messages", a.messages.length ? a.messages.join("; ") : "—"],
                  ["Warnings", a.warnings.length ? a.warnings.join("; ") : "—"],
                ]}
              />
            </section>
            <section className="card" aria-labelledby="results-heading">
              <h2 id="results-heading">Policies evaluated</h2>
              <table>
                <TableHead columns={["Policy", "Set", "Enforcement", "Outcome", "Messages"]} />
                <tbody>
                  {a["policy-results"].map((r) => (
                    <tr key={`${r["policy-set-id"]}-${r["policy-id"]}`}>
                      <td>
                        <Link to={`/policies/${r["policy-id"]}`}>{r["policy-name"]}</Link>
                      </td>
                      <td>{r["policy-set-name"]}</td>
                      <td>{r["enforcement-level"]}</td>
                      <td>
                        <StatusBadge status={r.outcome} />
                      </td>
                      <td className="small">{[...r.messages, ...r.warnings].join("; ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section className="card" aria-labelledby="input-heading">
              <h2 id="input-heading">Input</h2>
              <JsonView value={a.input} label="Evaluation input" />
            </section>
          </>
        );
      }}
    </QueryState>
  );
}
