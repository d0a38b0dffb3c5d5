// Tokens, component: a table of tokens with status, expiry, last use and who created them, and the
// actions a token's state allows: rotate and revoke while usable, delete only once revoked.
import { useId, useState } from "react";
import { formatRelative, formatTime } from "../../../shared/format/time";
import { Dialog } from "../../../shared/ui/dialog";
import { ErrorNotice } from "../../../shared/ui/error-notice";
import { DangerRowAction } from "../../../shared/ui/row-action";
import { StatusBadge } from "../../../shared/ui/status-badge";
import { TableHead } from "../../../shared/ui/table-head";
import { useDeleteToken, useRevokeToken } from "../api/tokens";
import { RotateTokenDialog } from "./rotate-token-dialog";

/** A token row as the table needs it. */
export interface TokenRow {
  readonly id: string;
  readonly attributes: {
    readonly name: string;
    readonly description: string;
    readonly status: string;
    readonly tags: Readonly<Record<string, string>>;
    readonly "valid-to": string | null;
    readonly "last-used-at": string | null;
    readonly "created-at": string;
    readonly "scheduled-expire-time": string | null;
  };
  readonly relationships: { readonly "created-by": { readonly data: { readonly id: string } | null } };
}

function DeleteButton({ row, onDelete }: { row: TokenRow; onDelete: () => void }) {
  const reasonId = useId();
  const revoked = row.attributes.status === "revoked";
  if (revoked)
    return (
      <button
        type="button"
        className="button danger small"
        onClick={onDelete}
        aria-label={`Delete ${row.attributes.name}`}
      >
        Delete
      </button>
    );
  // aria-disabled rather than disabled: it stays focusable, so keyboard users hear why.
  return (
    <>
      <button
        type="button"
        className="button small"
        aria-disabled="true"
        aria-describedby={reasonId}
        aria-label={`Delete ${row.attributes.name}`}
        title="Only a revoked token can be deleted: revoke it first."
        onClick={(e) => e.preventDefault()}
      >
        Delete
      </button>
      <span id={reasonId} className="visually-hidden">
        Only a revoked token can be deleted: revoke it first.
      </span>
    </>
  );
}

/** The token table; `names` resolves creators' ids to names. */
export function TokenTable({
  rows,
  names,
}: {
  rows: readonly TokenRow[];
  names?: ReadonlyMap<string, string>;
}) {
  const [rotating, setRotating] = useState<{ id: string; name: string } | undefined>();
  const [revoking, setRevoking] = useState<{ id: string; name: string } | undefined>();
  const revoke = useRevokeToken();
  const remove = useDeleteToken();
  if (rows.length === 0) return <p className="muted">No tokens match.</p>;
  return (
    <>
      <ErrorNotice error={remove.error ?? revoke.error} />
      <table>
        <TableHead
          columns={["Name", "Status", "Expires", "Last used", "Created", "Created by"]}
          actions="Actions"
        />
        <tbody>
          {rows.map((row) => {
            const a = row.attributes;
            const creator = row.relationships["created-by"].data?.id;
            const usable = a.status === "active" || a.status === "rotated";
            return (
              <tr key={row.id}>
                <td>
                  <span className="cell-title">{a.name}</span>
                  {a.description && <span className="small muted block">{a.description}</span>}
                  {Object.entries(a.tags).length > 0 && (
                    <span className="tags">
                      {Object.entries(a.tags).map(([k, v]) => (
                        <span key={k} className="tag">
                          {k}={v}
                        </span>
                      ))}
                    </span>
                  )}
                </td>
                <td>
                  <StatusBadge status={a.status} />
                  {a.status === "rotated" && a["scheduled-expire-time"] && (
                    <span className="small muted block">
                      old secret until {formatTime(a["scheduled-expire-time"])}
                    </span>
                  )}
                </td>
                <td title={formatTime(a["valid-to"])}>
                  {a["valid-to"] ? formatRelative(a["valid-to"]) : "never"}
                </td>
                <td title={formatTime(a["last-used-at"])}>{formatRelative(a["last-used-at"])}</td>
                <td title={formatTime(a["created-at"])}>{formatRelative(a["created-at"])}</td>
                <td>{creator ? (names?.get(creator) ?? creator) : "—"}</td>
                <td className="row-actions">
                  {a.status === "active" && (
                    <button
                      type="button"
                      className="button small"
                      onClick={() => setRotating({ id: row.id, name: a.name })}
                      aria-label={`Rotate ${a.name}`}
                    >
                      Rotate
                    </button>
                  )}
                  {usable && (
                    <DangerRowAction
                      action="Revoke"
                      subject={a.name}
                      onClick={() => setRevoking({ id: row.id, name: a.name })}
                    />
                  )}
                  <DeleteButton row={row} onDelete={() => remove.mutate(row.id)} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rotating && <RotateTokenDialog token={rotating} onClose={() => setRotating(undefined)} />}
      {revoking && (
        <Dialog
          open
          title={`Revoke ${revoking.name}?`}
          onClose={() => setRevoking(undefined)}
          role="alertdialog"
        >
          <p>Every instance refuses this token from now on. This cannot be undone.</p>
          <div className="dialog-actions">
            <button type="button" className="button subtle" onClick={() => setRevoking(undefined)}>
              Cancel
            </button>
            <button
              type="button"
              className="button danger"
              onClick={() => revoke.mutate(revoking.id, { onSettled: () => setRevoking(undefined) })}
            >
              Revoke token
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}
