// Auth, route: sign in with a personal token (exchanged for a session cookie; never stored here).
import { type FormEvent, useState } from "react";
import { Navigate, useLocation } from "react-router";
import { ErrorNotice } from "../../../shared/ui/error-notice";
import { Field } from "../../../shared/ui/field";
import { useSession, useSignIn } from "../api/session";

const TOKEN = "/data/attributes/token";

/** The sign-in page. */
export function SignInPage() {
  const session = useSession();
  const signIn = useSignIn();
  const location = useLocation();
  const [token, setToken] = useState("");
  const from = (location.state as { from?: string } | null)?.from ?? "/";
  if (session.data) return <Navigate to={from} replace />;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate(token.trim(), { onSuccess: () => setToken("") });
  };
  return (
    <main className="auth-page">
      <div className="auth-card">
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-mark">K</span> Keygate
        </div>
        <h1>Sign in</h1>
        <p className="muted">
          Paste your personal token (<code>kgu_…</code>). It is exchanged for a session cookie and is not kept
          by the browser.
        </p>
        <form onSubmit={submit}>
          <Field label="Personal token" pointer={TOKEN} error={signIn.error}>
            {(control) => (
              <input
                {...control}
                type="password"
                autoComplete="off"
                spellCheck={false}
                value={token}
                onChange={(e) => setToken(e.target.value)}
                required
              />
            )}
          </Field>
          <ErrorNotice error={signIn.error} placed={[TOKEN]} />
          <button
            type="submit"
            className="button primary wide"
            disabled={signIn.isPending || token.trim() === ""}
          >
            {signIn.isPending ? "Signing in…" : "Sign in"}
          </button>
        </form>
        <p className="muted small">
          No token yet? Ask an administrator for an invitation link. The first administrator's token is
          printed once by <code>keygate serve</code> on its first start.
        </p>
      </div>
    </main>
  );
}
