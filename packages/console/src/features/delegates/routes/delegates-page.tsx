// Delegates, route: delegate tokens and the agents connected with them, updated live; revoke a
// token and watch its agents drop.
import { type FormEvent, useState } from "react";
import { spacePath, useSpaceTree } from "../../../shared/api/space-tree";
import { formatRelative, formatTime } from "../../../shared/format/time";
import { Dialog } from "../../../shared/ui/dialog";
import { ErrorNotice } from "../../../shared/ui/error-notice";
import { Field } from "../../../shared/ui/field";
import { PageHeader } from "../../../shared/ui/page-header";
import { QueryState } from "../../../shared/ui/query-state";
import { DangerRowAction } from "../../../shared/ui/row-action";
import { SecretReveal } from "../../../shared/ui/secret-reveal";
import { StatusBadge } from "../../../shared/ui/status-badge";
import { TableHead } from "../../../shared/ui/table-head";
import {
  useConnectedDelegates,
  useCreateDelegateToken,
  useDelegateEvents,
  useDelegateTokens,
  useRevokeDelegateToken,
} from "../api/delegates";

function CreateDelegateTokenForm() {
  const create = useCreateDelegateToken();
  const tree = useSpaceTree();
  const [name, setName] = useState("");
  const [spaceId, setSpaceId] = useState("");
  const secret = (create.data?.data.attributes as { token?: string } | undefined)?.token;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name, spaceId }, { onSuccess: () => setName("") });
  };
  return (
    <>
      <form className="inline-form card" onSubmit={submit} aria-label="Create a delegate token">
        <Field label="Delegate token name" pointer="/data/attributes/name" error={create.error}>
          {(control) => (
            <input {...control} value={name} onChange={(e) => setName(e.target.value)} required />
          )}
        </Field>
        <Field label="Space" pointer="/data/relationships/space" error={create.error}>
          {(control) => (
            <select {...control} value={spaceId} onChange={(e) => setSpaceId(e.target.value)}>
              <option value="">The root space</option>
              {tree.data &&
                [...tree.data.byId.keys()].map((id) => (
                  <option key={id} value={id}>
                    {spacePath(tree.data.byId, id)}
                  </option>
                ))}
            </select>
          )}
        </Field>
        <button type="submit" className="button primary" disabled={create.isPending}>
          Create delegate token
        </button>
        <ErrorNotice error={create.error} placed={["/data/attributes/name", "/data/relationships/space"]} />
      </form>
      {secret && (
        <Dialog open title="Delegate token created" role="alertdialog" onClose={() => create.reset()}>
          <SecretReveal label="Delegate token secret" secret={secret} />
          <div className="dialog-actions">
            <button type="button" className="button primary" onClick={() => create.reset()}>
              Done, I have copied it
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}

/** The delegates page. */
export function DelegatesPage() {
  const tokens = useDelegateTokens();
  const delegates = useConnectedDelegates();
  const live = useDelegateEvents();
  const revoke = useRevokeDelegateToken();
  const tokenName = (id: string | undefined) =>
    tokens.data?.data.find((t) => t.id === id)?.attributes.name ?? id ?? "—";
  return (
    <>
      <PageHeader
        title="Delegates"
        description="Agents that stay connected with a delegate token. The list updates live."
      />
      <section className="card" aria-labelledby="connected-heading">
        <div className="section-head">
          <h2 id="connected-heading">Connected agents</h2>
          <span className={`live live-${live}`} role="status">
            {live === "live" ? "Live" : live === "connecting" ? "Connecting…" : "Reconnecting…"}
          </span>
        </div>
        <QueryState query={delegates}>
          {(doc) =>
            doc.data.length === 0 ? (
              <p className="muted">No agent is connected.</p>
            ) : (
              <table aria-label="Connected agents">
                <TableHead columns={["Agent", "Host", "Version", "Token", "Connected", "Last heartbeat"]} />
                <tbody>
                  {doc.data.map((d) => (
                    <tr key={d.id}>
                      <td>{d.attributes.name}</td>
                      <td>{d.attributes.host}</td>
                      <td>{d.attributes.version}</td>
                      <td>{tokenName(d.relationships["delegate-token"].data?.id)}</td>
                      <td title={formatTime(d.attributes["connected-at"])}>
                        {formatRelative(d.attributes["connected-at"])}
                      </td>
                      <td title={formatTime(d.attributes["last-heartbeat-at"])}>
                        {formatRelative(d.attributes["last-heartbeat-at"])}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </QueryState>
      </section>
      <section className="card" aria-labelledby="dtokens-heading">
        <h2 id="dtokens-heading">Delegate tokens</h2>
        <ErrorNotice error={revoke.error} />
        <QueryState query={tokens}>
          {(doc) => (
            <table>
              <TableHead columns={["Name", "Status", "Last used", "Created"]} actions="Actions" />
              <tbody>
                {doc.data.map((t) => (
                  <tr key={t.id}>
                    <td>
                      {t.attributes.name}
                      {t.attributes.default && <span className="small muted"> (default)</span>}
                    </td>
                    <td>
                      <StatusBadge status={t.attributes.status} />
                    </td>
                    <td>{formatRelative(t.attributes["last-used-at"])}</td>
                    <td>{formatRelative(t.attributes["created-at"])}</td>
                    <td className="row-actions">
                      {t.attributes.status === "active" && (
                        <DangerRowAction
                          action="Revoke"
                          subject={t.attributes.name}
                          onClick={() => revoke.mutate(t.id)}
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </QueryState>
      </section>
      <CreateDelegateTokenForm />
    </>
  );
}
