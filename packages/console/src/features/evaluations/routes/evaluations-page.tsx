// Evaluations, route: the evaluation history, filtered by entity, outcome and policy.
import { Link, useSearchParams } from "react-router";
import { formatRelative, formatTime } from "../../../shared/format/time";
import { PageHeader } from "../../../shared/ui/page-header";
import { QueryState } from "../../../shared/ui/query-state";
import { StatusBadge } from "../../../shared/ui/status-badge";
import { useEvaluations } from "../api/evaluations";

/** The evaluations page. */
export function EvaluationsPage() {
  const [params, setParams] = useSearchParams();
  const policy = params.get("policy") ?? "";
  const page = Math.max(1, Number(params.get("page") ?? "1"));
  const evaluations = useEvaluations({
    ...(params.get("entity") ? { entityType: params.get("entity") ?? "" } : {}),
    ...(params.get("outcome") ? { outcome: params.get("outcome") ?? "" } : {}),
    ...(params.get("resource") ? { resource: params.get("resource") ?? "" } : {}),
    page,
  });
  const set = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name !== "page") next.delete("page");
    setParams(next);
  };
  return (
    <>
      <PageHeader
        title="Evaluations"
        description="Every policy decision on a save, with its input and each policy's result."
      />
      <search className="filters card" aria-label="Evaluation filters">
        <label className="compact">
          Entity{" "}
          <select value={params.get("entity") ?? ""} onChange={(e) => set("entity", e.target.value)}>
            {["", "token", "api-key", "service-account", "delegate-token"].map((v) => (
              <option key={v} value={v}>
                {v || "any"}
              </option>
            ))}
          </select>
        </label>
        <label className="compact">
          Outcome{" "}
          <select value={params.get("outcome") ?? ""} onChange={(e) => set("outcome", e.target.value)}>
            {["", "allowed", "warned", "denied"].map((v) => (
              <option key={v} value={v}>
                {v || "any"}
              </option>
            ))}
          </select>
        </label>
        <label className="compact">
          Resource id{" "}
          <input
            value={params.get("resource") ?? ""}
            onChange={(e) => set("resource", e.target.value)}
            placeholder="tok-…"
          />
        </label>
        <label className="compact">
          Policy name{" "}
          <input value={policy} onChange={(e) => set("policy", e.target.value)} placeholder="on this page" />
        </label>
      </search>
      <QueryState query={evaluations}>
        {(doc) => {
          const rows = policy
            ? doc.data.filter((e) =>
                e.attributes["policy-results"].some(
                  (r) => r["policy-name"].includes(policy) || r["policy-id"] === policy,
                ),
              )
            : doc.data;
          const pages = Number(
            (doc.meta as { pagination?: Record<string, number> }).pagination?.["total-pages"] ?? 1,
          );
          return (
            <section className="card" aria-label="Evaluations">
              {rows.length === 0 ? (
                <p className="muted">No evaluations match.</p>
              ) : (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Entity</th>
                      <th scope="col">Action</th>
                      <th scope="col">Outcome</th>
                      <th scope="col">Policies</th>
                      <th scope="col">Message</th>
                    </tr>
                  </thead>
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
