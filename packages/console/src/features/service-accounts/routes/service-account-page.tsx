// Service accounts, route: one service account and its API keys, with a form to create a key.
import { type FormEvent, useState } from "react";
import { Link, useParams } from "react-router";
import { formatRelative } from "../../../shared/format/time";
import { ErrorNotice } from "../../../shared/ui/error-notice";
import { Field } from "../../../shared/ui/field";
import { PageHeader } from "../../../shared/ui/page-header";
import { QueryState } from "../../../shared/ui/query-state";
import { TableHead } from "../../../shared/ui/table-head";
import { useApiKeys, useCreateApiKey, useServiceAccount } from "../api/service-accounts";

function CreateKeyForm({ serviceAccountId }: { serviceAccountId: string }) {
  const create = useCreateApiKey(serviceAccountId);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name, description },
      {
        onSuccess: () => {
          setName("");
          setDescription("");
        },
      },
    );
  };
  const placed = ["/data/attributes/name", "/data/attributes/description"];
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Create an API key">
      <Field label="Key name" pointer={placed[0]} error={create.error}>
        {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} required />}
      </Field>
      <Field label="Key description" pointer={placed[1]} error={create.error}>
        {(control) => (
          <input {...control} value={description} onChange={(e) => setDescription(e.target.value)} />
        )}
      </Field>
      <button type="submit" className="button primary" disabled={create.isPending}>
        Create API key
      </button>
      <ErrorNotice error={create.error} placed={placed} />
    </form>
  );
}

/** The service account page. */
export function ServiceAccountPage() {
  const { id = "" } = useParams();
  const account = useServiceAccount(id);
  const keys = useApiKeys(id);
  return (
    <QueryState query={account}>
      {(doc) => (
        <>
          <p className="breadcrumbs">
            <Link to="/service-accounts">Service accounts</Link> / {doc.data.attributes.name}
          </p>
          <PageHeader
            title={doc.data.attributes.name}
            description={doc.data.attributes.description ?? `Service account ${doc.data.id}`}
          />
          <section aria-labelledby="keys-heading" className="card">
            <h2 id="keys-heading">API keys</h2>
            <QueryState query={keys}>
              {(k) =>
                k.data.length === 0 ? (
                  <p className="muted">This service account has no API keys yet.</p>
                ) : (
                  <table>
                    <TableHead columns={["Name", "Description", "Created"]} actions="Links" />
                    <tbody>
                      {k.data.map((key) => (
                        <tr key={key.id}>
                          <td>
                            <Link to={`/api-keys/${key.id}`}>{key.attributes.name}</Link>
                          </td>
                          <td>{key.attributes.description ?? ""}</td>
                          <td>{formatRelative(key.attributes["created-at"])}</td>
                          <td className="row-actions">
                            <Link to={`/api-keys/${key.id}/access`}>What may this key do?</Link>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )
              }
            </QueryState>
            <CreateKeyForm serviceAccountId={id} />
          </section>
        </>
      )}
    </QueryState>
  );
}
