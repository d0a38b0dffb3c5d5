// Service accounts, route: the list, and a form to create one in a space.
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { spacePath, useSpaceTree } from "../../../shared/api/space-tree";
import { formatRelative } from "../../../shared/format/time";
import { ErrorNotice } from "../../../shared/ui/error-notice";
import { Field } from "../../../shared/ui/field";
import { PageHeader } from "../../../shared/ui/page-header";
import { QueryState } from "../../../shared/ui/query-state";
import { TableHead } from "../../../shared/ui/table-head";
import { useCreateServiceAccount, useServiceAccounts } from "../api/service-accounts";

function CreateServiceAccountForm() {
  const create = useCreateServiceAccount();
  const tree = useSpaceTree();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [spaceId, setSpaceId] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name, description, spaceId },
      {
        onSuccess: () => {
          setName("");
          setDescription("");
        },
      },
    );
  };
  const placed = ["/data/attributes/name", "/data/attributes/description", "/data/relationships/space"];
  return (
    <form className="inline-form card" onSubmit={submit} aria-label="Create a service account">
      <Field label="Name" pointer={placed[0]} error={create.error}>
        {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} required />}
      </Field>
      <Field label="Description" pointer={placed[1]} error={create.error}>
        {(control) => (
          <input {...control} value={description} onChange={(e) => setDescription(e.target.value)} />
        )}
      </Field>
      <Field label="Space" pointer={placed[2]} error={create.error}>
        {(control) => (
          <select {...control} value={spaceId} onChange={(e) => setSpaceId(e.target.value)}>
            <option value="">The root space</option>
            {tree.data &&
              [...tree.data.byId.keys()]
                .map((id) => ({ id, path: spacePath(tree.data.byId, id) }))
                .sort((a, b) => a.path.localeCompare(b.path))
                .map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.path}
                  </option>
                ))}
          </select>
        )}
      </Field>
      <button type="submit" className="button primary" disabled={create.isPending}>
        Create service account
      </button>
      <ErrorNotice error={create.error} placed={placed} />
    </form>
  );
}

/** The service accounts page. */
export function ServiceAccountsPage() {
  const accounts = useServiceAccounts();
  const tree = useSpaceTree();
  return (
    <>
      <PageHeader
        title="Service accounts"
        description="Machine identities: each has API keys, each key has tokens."
      />
      <CreateServiceAccountForm />
      <QueryState query={accounts}>
        {(doc) =>
          doc.data.length === 0 ? (
            <p className="muted">No service accounts yet.</p>
          ) : (
            <table className="card">
              <TableHead columns={["Name", "Space", "Description", "Created"]} />
              <tbody>
                {doc.data.map((s) => {
                  const spaceId = s.relationships.space.data?.id;
                  return (
                    <tr key={s.id}>
                      <td>
                        <Link to={`/service-accounts/${s.id}`}>{s.attributes.name}</Link>
                      </td>
                      <td>{spaceId && tree.data ? spacePath(tree.data.byId, spaceId) : ""}</td>
                      <td>{s.attributes.description ?? ""}</td>
                      <td>{formatRelative(s.attributes["created-at"])}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )
        }
      </QueryState>
    </>
  );
}
