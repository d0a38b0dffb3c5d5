// Auth, route: /invite#<secret>: shows whose invitation it is, mints the first personal token
// (shown once), and signs in with it. The secret travels in the fragment, never to server logs.
import { type FormEvent, useState } from "react";
import { useNavigate } from "react-router";
import { ApiError } from "../../../shared/api/api-error";
import { formatTime } from "../../../shared/format/time";
import { ErrorNotice } from "../../../shared/ui/error-notice";
import { Field } from "../../../shared/ui/field";
import { SecretReveal } from "../../../shared/ui/secret-reveal";
import { useAcceptInvitation, useInvitationPreview } from "../api/invitation-acceptance";
import { useSignIn } from "../api/session";

const DESCRIPTION = "/data/attributes/token-description";
const EXPIRES = "/data/attributes/token-expires-at";

/** The invitation acceptance page. */
export function InvitePage() {
  const [secret] = useState(() => decodeURIComponent(window.location.hash.replace(/^#/, "")));
  const preview = useInvitationPreview(secret);
  const accept = useAcceptInvitation();
  const signIn = useSignIn();
  const navigate = useNavigate();
  const [description, setDescription] = useState("");
  const [expiresAt, setExpiresAt] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    accept.mutate({
      secret,
      description,
      ...(expiresAt ? { expiresAt: new Date(expiresAt).toISOString() } : {}),
    });
  };
  return (
    <main className="auth-page">
      <div className="auth-card">
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-mark">K</span> Keygate
        </div>
        <h1>Accept your invitation</h1>
        {secret === "" && (
          <p className="notice notice-error">
            This link has no invitation in it. Open the full link you were given.
          </p>
        )}
        {preview.error && (
          <div className="notice notice-error" role="alert">
            <p>
              {preview.error instanceof ApiError && preview.error.status === 410
                ? "This invitation has expired. Ask an administrator for a new one."
                : "This invitation is not valid: it was used, revoked, or never existed."}
            </p>
          </div>
        )}
        {preview.data && accept.data === undefined && (
          <>
            <p>
              You are invited as <strong>{preview.data.userName}</strong> to the organization{" "}
              <strong>{preview.data.organization}</strong>. The link works until{" "}
              {formatTime(preview.data.expiresAt)}, once.
            </p>
            <form onSubmit={submit}>
              <Field
                label="Token description"
                pointer={DESCRIPTION}
                error={accept.error}
                hint="Where you will use it, e.g. “laptop”."
              >
                {(control) => (
                  <input
                    {...control}
                    value={description}
                    onChange={(e) => setDescription(e.target.value)}
                    required
                  />
                )}
              </Field>
              <Field label="Token expires (optional)" pointer={EXPIRES} error={accept.error}>
                {(control) => (
                  <input
                    {...control}
                    type="datetime-local"
                    value={expiresAt}
                    onChange={(e) => setExpiresAt(e.target.value)}
                  />
                )}
              </Field>
              <ErrorNotice error={accept.error} placed={[DESCRIPTION, EXPIRES]} />
              <button type="submit" className="button primary wide" disabled={accept.isPending}>
                Create my personal token
              </button>
            </form>
          </>
        )}
        {accept.data !== undefined && (
          <>
            <SecretReveal label="Your personal token" secret={accept.data} />
            <ErrorNotice error={signIn.error} />
            <button
              type="button"
              className="button primary wide"
              onClick={() =>
                signIn.mutate(accept.data, { onSuccess: () => navigate("/", { replace: true }) })
              }
            >
              Sign in with this token
            </button>
          </>
        )}
      </div>
    </main>
  );
}
