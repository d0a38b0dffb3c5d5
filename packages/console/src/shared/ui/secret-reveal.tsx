// Shared UI: a secret shown once, with a copy button and a plain warning that it will not be shown again.
import { useState } from "react";

/** The secret in a read-only field, a copy button, and the once-only warning. */
export function SecretReveal({ label, secret }: { readonly label: string; readonly secret: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="secret">
      <p className="notice notice-warn">
        <strong>Copy it now: you will not see this again.</strong> Keygate keeps only its hash.
      </p>
      <label htmlFor="revealed-secret">{label}</label>
      <div className="secret-row">
        <input
          id="revealed-secret"
          readOnly
          value={secret}
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button
          type="button"
          className="button"
          onClick={() => {
            void navigator.clipboard?.writeText(secret).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}
