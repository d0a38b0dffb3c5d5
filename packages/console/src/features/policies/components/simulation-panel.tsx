// Policies, component: runs a draft on recent real inputs (the samples endpoint) in the browser and
// shows, per input, what would change against the saved version (allowed → denied, roles added or
// removed) before anything is saved. A draft calling builtins that need node:crypto is simulated
// by the server instead (POST /policy-simulations), and the panel says so.
import { useId, useState } from "react";
import { currentOrganization } from "../../../shared/api/api-client";
import { formatRelative } from "../../../shared/format/time";
import { ErrorNotice } from "../../../shared/ui/error-notice";
import { JsonView } from "../../../shared/ui/json-view";
import { StatusBadge } from "../../../shared/ui/status-badge";
import { TableHead } from "../../../shared/ui/table-head";
import { loadLoginContext } from "../api/login-context";
import { usePolicySource } from "../api/policies";
import { usePolicySamples, useServerSimulation } from "../api/simulation";
import { compileDraft } from "../rego/browser-rego";
import { type DraftOutcome, describeChange, draftOutcome } from "../rego/draft-outcome";
import { decideLoginInBrowser, loginOutcome, loginSetup } from "../rego/login-simulation";

const ENTITY_TYPES = ["token", "api-key", "service-account", "delegate-token", "login"] as const;

/** One simulated input. */
interface SimulatedRow {
  readonly id: string;
  readonly createdAt: string;
  readonly action: string;
  readonly input: unknown;
  readonly current: DraftOutcome;
  readonly draft: DraftOutcome;
  readonly changes: readonly string[];
}

/** The outcome of a run. */
type Run =
  | { readonly where: "browser"; readonly rows: readonly SimulatedRow[] }
  | { readonly where: "server"; readonly reason: string; readonly rows: readonly SimulatedRow[] }
  | { readonly where: "invalid"; readonly message: string };

const NO_POLICY: DraftOutcome = { outcome: "allowed", messages: [], roles: [] };

/** A run's rows in the browser: each sample's outcome now and with the draft (`decide`), and the change. */
function browserRows<I>(
  samples: readonly {
    readonly id: string;
    readonly attributes: { readonly "created-at": string; readonly action: string; readonly input: I };
  }[],
  decide: (input: I) => readonly [DraftOutcome, DraftOutcome],
): SimulatedRow[] {
  return samples.map((s) => {
    const [current, draft] = decide(s.attributes.input);
    return {
      id: s.id,
      createdAt: s.attributes["created-at"],
      action: s.attributes.action,
      input: s.attributes.input,
      current,
      draft,
      changes: describeChange(current, draft),
    };
  });
}

/** The server's outcome of a sample: a save's outcome, or a login's refusal (`denied`) and roles. */
function serverOutcome(o: {
  kind: string;
  outcome?: string;
  denied?: boolean;
  messages: string[];
  roles?: string[];
}): DraftOutcome {
  const refused = o.kind === "login" ? o.denied === true : o.outcome === "denied";
  const outcome = o.outcome === "error" ? "error" : refused ? "denied" : "allowed";
  return { outcome, messages: o.messages, roles: [...(o.roles ?? [])].sort() };
}

/** Who or what an input is about, in a few words. */
function sampleSubject(input: unknown): string {
  const i = input as {
    session?: { principal?: { name?: string }; login?: string };
    token?: { name?: string };
    apiKey?: { name?: string };
    serviceAccount?: { name?: string };
    delegateToken?: { name?: string };
  } | null;
  return (
    i?.session?.principal?.name ??
    i?.session?.login ??
    i?.token?.name ??
    i?.apiKey?.name ??
    i?.serviceAccount?.name ??
    i?.delegateToken?.name ??
    ""
  );
}

/** The simulation panel for a draft (`policyId`: the saved policy it would replace, if any). */
export function SimulationPanel({
  draft,
  name,
  query,
  policyId,
}: {
  draft: string;
  name: string;
  query: string;
  policyId: string | undefined;
}) {
  const headingId = useId();
  const [entityType, setEntityType] = useState<string>("token");
  const [run, setRun] = useState<Run | undefined>();
  const [running, setRunning] = useState(false);
  const samples = usePolicySamples(entityType);
  const saved = usePolicySource(policyId ?? "");
  const server = useServerSimulation();
  const simulate = async () => {
    setRunning(true);
    try {
      const q = query.trim() === "" ? null : query;
      const compiled = await compileDraft(name, draft, q);
      if (!compiled.ok) {
        setRun({ where: "invalid", message: "The draft does not compile; fix the errors above first." });
        return;
      }
      // Login drafts are decided with the organization's other login policies, as the server does.
      const setups =
        entityType === "login"
          ? await (async () => {
              const context = await loadLoginContext();
              const organization = currentOrganization();
              return Promise.all([
                loginSetup(context, organization),
                loginSetup(context, organization, { name, source: draft, replaces: policyId }),
              ]);
            })()
          : undefined;
      const crypto = new Set(compiled.draft.cryptoBuiltins);
      for (const setup of setups ?? [])
        for (const set of setup.sets)
          for (const p of set.policies)
            if (!("error" in p.compiled)) for (const b of p.compiled.cryptoBuiltins) crypto.add(b);
      if (crypto.size > 0) {
        const answer = await server.mutateAsync({
          entityType,
          source: draft,
          query,
          ...(policyId ? { policyId } : {}),
        });
        const rows = answer.data.attributes.samples.map((s) => {
          const current = serverOutcome(s.current);
          const after = serverOutcome(s.draft);
          return {
            id: s["sample-id"],
            createdAt: s["created-at"],
            action: s.action,
            input: s.input,
            current,
            draft: after,
            changes: describeChange(current, after),
          };
        });
        setRun({
          where: "server",
          reason: `This ${compiled.draft.cryptoBuiltins.length > 0 ? "draft" : "organization's login policies"} call ${[...crypto].join(", ")}, which need node:crypto: browsers only offer asynchronous WebCrypto, so Keygate simulated it on the server.`,
          rows,
        });
        return;
      }
      if (setups !== undefined) {
        const [now, next] = setups;
        const rows = browserRows(samples.data?.data ?? [], (input) => [
          loginOutcome(now, decideLoginInBrowser(now, input)),
          loginOutcome(next, decideLoginInBrowser(next, input)),
        ]);
        setRun({ where: "browser", rows });
        return;
      }
      const before = policyId && saved.data ? await compileDraft(name, saved.data, q) : undefined;
      const rows = browserRows(samples.data?.data ?? [], (input) => [
        before?.ok ? draftOutcome(before.draft, entityType, q, input) : NO_POLICY,
        draftOutcome(compiled.draft, entityType, q, input),
      ]);
      setRun({ where: "browser", rows });
    } catch (error) {
      setRun({ where: "invalid", message: error instanceof Error ? error.message : String(error) });
    } finally {
      setRunning(false);
    }
  };
  const rows = run && run.where !== "invalid" ? run.rows : [];
  const changed = rows.filter((r) => r.changes.length > 0).length;
  return (
    <section className="card" aria-labelledby={headingId}>
      <div className="section-head">
        <h2 id={headingId}>Simulate on recent inputs</h2>
        <span className="muted small">Nothing is saved. Runs in your browser with the same engine.</span>
      </div>
      <div className="inline-form">
        <label className="compact">
          Inputs of{" "}
          <select
            value={entityType}
            onChange={(e) => {
              setEntityType(e.target.value);
              setRun(undefined);
            }}
          >
            {ENTITY_TYPES.map((t) => (
              <option key={t} value={t}>
                {t === "login" ? "logins" : `${t} saves`}
              </option>
            ))}
          </select>
        </label>
        <span className="muted small">
          {samples.data ? `${samples.data.data.length} recent input(s)` : "loading inputs…"}
        </span>
        <button
          type="button"
          className="button"
          onClick={() => void simulate()}
          disabled={running || samples.isPending}
        >
          {running ? "Simulating…" : "Simulate draft"}
        </button>
      </div>
      <ErrorNotice error={samples.error ?? server.error} />
      {run?.where === "invalid" && (
        <p className="notice notice-error" role="alert">
          {run.message}
        </p>
      )}
      {run?.where === "server" && (
        <p className="notice notice-info" role="status">
          {run.reason}
        </p>
      )}
      {run && run.where !== "invalid" && (
        <>
          <p role="status" className="sim-summary">
            {rows.length === 0
              ? "No recent inputs of this kind to simulate on."
              : `${changed} of ${rows.length} input(s) would change${run.where === "browser" ? " (simulated in the browser)" : ""}.`}
          </p>
          {rows.length > 0 && (
            <table aria-label="Simulation results">
              <TableHead columns={["Input", "Now", "With the draft", "Change"]} />
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id} className={r.changes.length > 0 ? "row-changed" : ""}>
                    <td>
                      <details>
                        <summary>
                          {r.action}
                          {sampleSubject(r.input) && ` ${sampleSubject(r.input)}`} ·{" "}
                          {formatRelative(r.createdAt)}
                        </summary>
                        <JsonView value={r.input} label="Simulated input" />
                      </details>
                    </td>
                    <td>
                      <StatusBadge status={r.current.outcome} />
                      {r.current.roles.length > 0 && (
                        <span className="small block">{r.current.roles.join(", ")}</span>
                      )}
                    </td>
                    <td>
                      <StatusBadge status={r.draft.outcome} />
                      {r.draft.roles.length > 0 && (
                        <span className="small block">{r.draft.roles.join(", ")}</span>
                      )}
                      {r.draft.messages.map((m) => (
                        <span key={m} className="small block">
                          {m}
                        </span>
                      ))}
                    </td>
                    <td>
                      {r.changes.length > 0 ? (
                        <strong>{r.changes.join("; ")}</strong>
                      ) : (
                        <span className="muted">no change</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
