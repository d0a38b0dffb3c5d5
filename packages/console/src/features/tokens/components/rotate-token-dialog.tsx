// Tokens, component: rotate a token with a grace period for the old secret; the new secret once.
import { type FormEvent, useState } from "react";
import { formatTime } from "../../../shared/format/time";
import { Dialog } from "../../../shared/ui/dialog";
import { ErrorNotice } from "../../../shared/ui/error-notice";
import { Field } from "../../../shared/ui/field";
import { SecretReveal } from "../../../shared/ui/secret-reveal";
import { useRotateToken } from "../api/tokens";

const GRACE: readonly { seconds: number; label: string }[] = [
  { seconds: 0, label: "None: the old secret stops now" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 86_400, label: "24 hours" },
  { seconds: 7 * 86_400, label: "7 days" },
];

/** Rotates the token `token`; shows the new secret once. */
export function RotateTokenDialog({
  token,
  onClose,
}: {
  token: { id: string; name: string };
  onClose: () => void;
}) {
  const rotate = useRotateToken();
  const [grace, setGrace] = useState("3600");
  const close = () => {
    rotate.reset();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    rotate.mutate({ id: token.id, graceSeconds: Number(grace) });
  };
  const rotated = rotate.data?.data;
  if (rotated !== undefined)
    return (
      <Dialog open title="Token rotated" onClose={close} role="alertdialog">
        <p>
          <strong>{token.name}</strong> has a new secret.{" "}
          {Number(grace) > 0
            ? `The old one keeps working for the grace period.`
            : "The old one no longer works."}
        </p>
        <SecretReveal label="New token secret" secret={rotated.attributes.token} />
        {rotated.attributes["valid-to"] && (
          <p className="small muted">The new token expires {formatTime(rotated.attributes["valid-to"])}.</p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button primary" onClick={close}>
            Done, I have copied it
          </button>
        </div>
      </Dialog>
    );
  return (
    <Dialog open title={`Rotate ${token.name}`} onClose={close}>
      <form onSubmit={submit}>
        <p className="muted">
          A new token replaces this one. Clients switch to the new secret while the old one still works.
        </p>
        <Field
          label="Grace period for the old secret"
          pointer="/data/attributes/grace-period-seconds"
          error={rotate.error}
        >
          {(control) => (
            <select {...control} value={grace} onChange={(e) => setGrace(e.target.value)}>
              {GRACE.map((g) => (
                <option key={g.seconds} value={g.seconds}>
                  {g.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <ErrorNotice error={rotate.error} placed={["/data/attributes/grace-period-seconds"]} />
        <div className="dialog-actions">
          <button type="button" className="button subtle" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={rotate.isPending}>
            Rotate token
          </button>
        </div>
      </form>
    </Dialog>
  );
}
