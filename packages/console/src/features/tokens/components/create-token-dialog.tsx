// Tokens, component: the create-token dialog (name, description, expiry, tags), then the secret once.
import { type FormEvent, useState } from "react";
import { Dialog } from "../../../shared/ui/dialog";
import { ErrorNotice } from "../../../shared/ui/error-notice";
import { Field } from "../../../shared/ui/field";
import { SecretReveal } from "../../../shared/ui/secret-reveal";
import { useCreateToken } from "../api/tokens";
import { ExpiryPicker, expiryOf } from "./expiry-picker";

const PLACED = [
  "/data/attributes/name",
  "/data/attributes/description",
  "/data/attributes/valid-to",
  "/data/attributes/tags",
];

/** Parses `key=value` lines into tags; answers the first bad line's problem instead. */
function parseTags(text: string): Record<string, string> | string {
  const tags: Record<string, string> = {};
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const eq = line.indexOf("=");
    if (eq <= 0) return `line ${index + 1}: write tags as key=value`;
    tags[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return tags;
}

/** Creates a token under `apiKeyId`; shows its secret once, then forgets it. */
export function CreateTokenDialog({ apiKeyId, onClose }: { apiKeyId: string; onClose: () => void }) {
  const create = useCreateToken(apiKeyId);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [expiry, setExpiry] = useState({ choice: "30", date: "" });
  const [tagText, setTagText] = useState("");
  const [tagError, setTagError] = useState("");
  const secret = create.data?.data.attributes.token;
  const close = () => {
    create.reset();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const tags = parseTags(tagText);
    if (typeof tags === "string") {
      setTagError(tags);
      return;
    }
    setTagError("");
    create.mutate({ name, description, validTo: expiryOf(expiry.choice, expiry.date), tags });
  };
  if (secret !== undefined)
    return (
      <Dialog open title="Token created" onClose={close} role="alertdialog">
        <p>
          The token <strong>{create.data?.data.attributes.name}</strong> was created.
        </p>
        <SecretReveal label="Token secret" secret={secret} />
        <div className="dialog-actions">
          <button type="button" className="button primary" onClick={close}>
            Done, I have copied it
          </button>
        </div>
      </Dialog>
    );
  return (
    <Dialog open title="Create a token" onClose={close}>
      <form onSubmit={submit}>
        <Field label="Token name" pointer={PLACED[0]} error={create.error}>
          {(control) => (
            <input {...control} value={name} onChange={(e) => setName(e.target.value)} required />
          )}
        </Field>
        <Field label="Description" pointer={PLACED[1]} error={create.error}>
          {(control) => (
            <input {...control} value={description} onChange={(e) => setDescription(e.target.value)} />
          )}
        </Field>
        <Field label="Expires" pointer={PLACED[2]} error={create.error}>
          {(control) => (
            <ExpiryPicker
              id={control.id}
              {...(control["aria-describedby"] ? { describedBy: control["aria-describedby"] } : {})}
              onChange={(choice, date) => setExpiry({ choice, date })}
            />
          )}
        </Field>
        <Field
          label="Tags"
          pointer={PLACED[3]}
          error={create.error}
          hint="One key=value per line, e.g. team=payments."
        >
          {(control) => (
            <textarea {...control} rows={3} value={tagText} onChange={(e) => setTagText(e.target.value)} />
          )}
        </Field>
        {tagError && (
          <p className="field-error" role="alert">
            {tagError}
          </p>
        )}
        <ErrorNotice error={create.error} placed={PLACED} />
        <div className="dialog-actions">
          <button type="button" className="button subtle" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={create.isPending}>
            Create token
          </button>
        </div>
      </form>
    </Dialog>
  );
}
