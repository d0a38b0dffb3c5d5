// Spaces, route: the space tree; for the chosen space, its service accounts and role bindings, a
// child space form and a binding form; the organization's users, teams and roles beside them.
import { type FormEvent, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ErrorNotice } from "../../../shared/ui/error-notice";
import { Field } from "../../../shared/ui/field";
import { PageHeader } from "../../../shared/ui/page-header";
import { QueryState } from "../../../shared/ui/query-state";
import { TableHead } from "../../../shared/ui/table-head";
import {
  type SpaceNode,
  spacePath,
  useCreateBinding,
  useCreateSpace,
  useSpaceContents,
  useSpaceTree,
} from "../api/spaces";

function Tree({
  nodes,
  selected,
  onSelect,
}: {
  nodes: readonly SpaceNode[];
  selected: string | undefined;
  onSelect: (id: string) => void;
}) {
  return (
    <ul className="tree">
      {nodes.map((node) => (
        <li key={node.id}>
          <button
            type="button"
            className={`tree-item ${node.id === selected ? "selected" : ""}`}
            aria-current={node.id === selected ? "true" : undefined}
            onClick={() => onSelect(node.id)}
          >
            {node.name}
          </button>
          {node.children.length > 0 && <Tree nodes={node.children} selected={selected} onSelect={onSelect} />}
        </li>
      ))}
    </ul>
  );
}

function CreateSpaceForm({ parentId }: { parentId: string }) {
  const create = useCreateSpace();
  const [name, setName] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name, description: "", parentId }, { onSuccess: () => setName("") });
  };
  return (
    <form className="inline-form card" onSubmit={submit} aria-label="Create a child space">
      <Field label="New child space" pointer="/data/attributes/name" error={create.error}>
        {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} required />}
      </Field>
      <button type="submit" className="button" disabled={create.isPending}>
        Create space
      </button>
      <ErrorNotice error={create.error} placed={["/data/attributes/name"]} />
    </form>
  );
}

function BindingForm({
  spaceId,
  roles,
  subjects,
}: {
  spaceId: string;
  roles: readonly { id: string; name: string }[];
  subjects: readonly { id: string; type: string; name: string }[];
}) {
  const create = useCreateBinding();
  const [roleId, setRoleId] = useState("");
  const [subject, setSubject] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const [subjectType = "", subjectId = ""] = subject.split(":");
    create.mutate({
      roleId,
      subjectType: subjectType as "users" | "service-accounts" | "teams",
      subjectId,
      spaceId,
    });
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <Field label="Role" pointer="/data/relationships/role" error={create.error}>
        {(control) => (
          <select {...control} value={roleId} onChange={(e) => setRoleId(e.target.value)} required>
            <option value="">Choose a role</option>
            {roles.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Granted to" pointer="/data/relationships/subject" error={create.error}>
        {(control) => (
          <select {...control} value={subject} onChange={(e) => setSubject(e.target.value)} required>
            <option value="">Choose a principal or team</option>
            {subjects.map((s) => (
              <option key={s.id} value={`${s.type}:${s.id}`}>
                {s.name} ({s.type})
              </option>
            ))}
          </select>
        )}
      </Field>
      <button type="submit" className="button" disabled={create.isPending}>
        Bind role
      </button>
      <ErrorNotice
        error={create.error}
        placed={["/data/relationships/role", "/data/relationships/subject"]}
      />
    </form>
  );
}

function SpaceDetail({ spaceId, path }: { spaceId: string; path: string }) {
  const contents = useSpaceContents(spaceId);
  return (
    <QueryState query={contents}>
      {(c) => (
        <>
          <h2>{path}</h2>
          <p className="muted small">
            Space id <code>{spaceId}</code>. Bindings here apply in this space and every space below it.
          </p>
          <section aria-labelledby="sa-heading" className="card">
            <h3 id="sa-heading">Service accounts</h3>
            {c.serviceAccounts.length === 0 ? (
              <p className="muted">No service account lives in this space.</p>
            ) : (
              <table>
                <TableHead columns={["Name", "Description", "State"]} />
                <tbody>
                  {c.serviceAccounts.map((s) => (
                    <tr key={s.id}>
                      <td>
                        <Link to={`/service-accounts/${s.id}`}>{s.attributes.name}</Link>
                      </td>
                      <td>{s.attributes.description ?? ""}</td>
                      <td>{s.attributes.disabled ? "disabled" : "enabled"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="bindings-heading" className="card">
            <h3 id="bindings-heading">Role bindings</h3>
            {c.bindings.length === 0 ? (
              <p className="muted">No role is bound in this space.</p>
            ) : (
              <table>
                <TableHead columns={["Role", "Granted to", "Kind"]} />
                <tbody>
                  {c.bindings.map((b) => {
                    const role = b.relationships.role.data;
                    const subject = b.relationships.subject.data;
                    return (
                      <tr key={b.id}>
                        <td>{role ? (c.names.get(role.id) ?? role.id) : "—"}</td>
                        <td>{subject ? (c.names.get(subject.id) ?? subject.id) : "—"}</td>
                        <td>{subject?.type ?? ""}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
            <BindingForm
              spaceId={spaceId}
              roles={c.roles.map((r) => ({ id: r.id, name: r.attributes.name }))}
              subjects={[
                ...c.users.map((u) => ({ id: u.id, type: "users", name: u.attributes.name })),
                ...c.teams.map((t) => ({ id: t.id, type: "teams", name: t.attributes.name })),
                ...c.serviceAccounts.map((s) => ({
                  id: s.id,
                  type: "service-accounts",
                  name: s.attributes.name,
                })),
              ]}
            />
          </section>
          <div className="two-columns">
            <section aria-labelledby="teams-heading" className="card">
              <h3 id="teams-heading">Teams</h3>
              {c.teams.length === 0 ? (
                <p className="muted">No teams.</p>
              ) : (
                <p>{c.teams.map((t) => t.attributes.name).join(", ")}</p>
              )}
            </section>
            <section aria-labelledby="roles-heading" className="card">
              <h3 id="roles-heading">Roles</h3>
              <ul className="plain-list">
                {c.roles.map((r) => (
                  <li key={r.id}>
                    <strong>{r.attributes.name}</strong>
                    {r.attributes["built-in"] ? <span className="muted small"> built-in</span> : null}
                    <p className="small muted">{r.attributes.permissions.join(", ")}</p>
                  </li>
                ))}
              </ul>
            </section>
          </div>
          <CreateSpaceForm parentId={spaceId} />
        </>
      )}
    </QueryState>
  );
}

/** The spaces page. */
export function SpacesPage() {
  const tree = useSpaceTree();
  const [params, setParams] = useSearchParams();
  return (
    <>
      <PageHeader
        title="Spaces"
        description="Spaces nest; roles bound in a space apply in it and below it."
      />
      <QueryState query={tree}>
        {(t) => {
          const selected = params.get("space") ?? t.roots[0]?.id;
          return (
            <div className="split">
              <nav aria-label="Space tree" className="card tree-card">
                <Tree nodes={t.roots} selected={selected} onSelect={(id) => setParams({ space: id })} />
              </nav>
              <div>{selected && <SpaceDetail spaceId={selected} path={spacePath(t.byId, selected)} />}</div>
            </div>
          );
        }}
      </QueryState>
    </>
  );
}
