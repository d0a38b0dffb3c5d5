// Tokens, route: one API key and its tokens: create (secret shown once), rotate, revoke, delete.
import { useState } from "react";
import { Link, useParams } from "react-router";
import { useUserNames } from "../../../shared/api/user-names";
import { PageHeader } from "../../../shared/ui/page-header";
import { QueryState } from "../../../shared/ui/query-state";
import { useApiKey } from "../api/api-key";
import { useKeyTokens } from "../api/tokens";
import { CreateTokenDialog } from "../components/create-token-dialog";
import { TokenTable } from "../components/token-table";

/** The API key page. */
export function ApiKeyPage() {
  const { id = "" } = useParams();
  const key = useApiKey(id);
  const tokens = useKeyTokens(id);
  const names = useUserNames();
  const [creating, setCreating] = useState(false);
  return (
    <QueryState query={key}>
      {(doc) => {
        const principal = doc.data.relationships.principal.data;
        return (
          <>
            <p className="breadcrumbs">
              {principal?.type === "service-accounts" ? (
                <Link to={`/service-accounts/${principal.id}`}>Service account</Link>
              ) : (
                "Principal"
              )}{" "}
              / API key {doc.data.attributes.name}
            </p>
            <PageHeader
              title={doc.data.attributes.name}
              description={doc.data.attributes.description || `API key ${doc.data.id}`}
              actions={
                <>
                  <Link className="button" to={`/api-keys/${id}/access`}>
                    What may this key do?
                  </Link>
                  <button type="button" className="button primary" onClick={() => setCreating(true)}>
                    Create token
                  </button>
                </>
              }
            />
            <section aria-labelledby="tokens-heading" className="card">
              <h2 id="tokens-heading">Tokens</h2>
              <QueryState query={tokens}>
                {(t) => <TokenTable rows={t.data} {...(names.data ? { names: names.data } : {})} />}
              </QueryState>
            </section>
            {creating && <CreateTokenDialog apiKeyId={id} onClose={() => setCreating(false)} />}
          </>
        );
      }}
    </QueryState>
  );
}
