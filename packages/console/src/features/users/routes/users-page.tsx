// Users, route: the organization's people; create one, invite one (a link shown once), revoke invitations.
import { type FormEvent, useState } from "react";
import { formatRelative, formatTime } from "../../../shared/format/time";
import { Dialog } from "../../../shared/ui/dialog";
import { ErrorNotice } from "../../../shared/ui/error-notice";
import { Field } from "../../../shared/ui/field";
import { PageHeader } from "../../../shared/ui/page-header";
import { QueryState } from "../../../shared/ui/query-state";
import { SecretReveal } from "../../../shared/ui/secret-reveal";
import { SelectField } from "../../../shared/ui/select-field";
import { StatusBadge } from "../../../shared/ui/status-badge";
import { TableHead } from "../../../shared/ui/table-head";
import { useCreateUser, useInvitations, useInviteUser, useRevokeInvitation, useUsers } from "../api/users";

function CreateUserForm() {
  const create = useCreateUser();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name, email },
      {
        onSuccess: () => {
          setName("");
          setEmail("");
        },
      },
    );
  };
  return (
    <form className="inline-form card" onSubmit={submit} aria-label="Add a user">
      <Field label="User name" pointer="/data/attributes/name" error={create.error}>
        {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} required />}
      </Field>
      <Field label="Email" pointer="/data/attributes/email" error={create.error}>
        {(control) => (
          <input {...control} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        )}
      </Field>
      <button type="submit" className="button primary" disabled={create.isPending}>
        Add user
      </button>
      <ErrorNotice error={create.error} placed={["/data/attributes/name", "/data/attributes/email"]} />
    </form>
  );
}

function InviteDialog({ user, onClose }: { user: { id: string; name: string }; onClose: () => void }) {
  const invite = useInviteUser();
  const [hours, setHours] = useState("72");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    invite.mutate({ userId: user.id, expiresInHours: Number(hours) });
  };
  return (
    <Dialog
      open
      title={`Invite ${user.name}`}
      onClose={onClose}
      role={invite.data ? "alertdialog" : "dialog"}
    >
      {invite.data ? (
        <>
          <p>
            Send this link to {user.name}. It works once, until {formatTime(invite.data["expires-at"])}.
          </p>
          <SecretReveal label="Invitation link" secret={invite.data.url ?? invite.data.secret ?? ""} />
          <div className="dialog-actions">
            <button type="button" className="button primary" onClick={onClose}>
              I have copied it
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit}>
          <p className="muted">
            The link lets {user.name} create their first personal token. A new invitation revokes a pending
            one.
          </p>
          <Field
            label="Valid for (hours)"
            pointer="/data/attributes/expires-in-hours"
            error={invite.error}
            hint="1 to 720 hours."
          >
            {(control) => (
              <input
                {...control}
                type="number"
                min={1}
                max={720}
                value={hours}
                onChange={(e) => setHours(e.target.value)}
                required
              />
            )}
          </Field>
          <ErrorNotice error={invite.error} placed={["/data/attributes/expires-in-hours"]} />
          <div className="dialog-actions">
            <button type="button" className="button subtle" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="button primary" disabled={invite.isPending}>
              Create invitation link
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

function Invitations({ names }: { names: ReadonlyMap<string, string> }) {
  const [status, setStatus] = useState("pending");
  const invitations = useInvitations(status);
  const revoke = useRevokeInvitation();
  return (
    <section aria-labelledby="invitations-heading" className="card">
      <div className="section-head">
        <h2 id="invitations-heading">Invitations</h2>
        <SelectField
          label="Status"
          value={status}
          options={[
            ["", "all"],
            ["pending", "pending"],
            ["accepted", "accepted"],
            ["revoked", "revoked"],
            ["expired", "expired"],
          ]}
          onChange={setStatus}
        />
      </div>
      <ErrorNotice error={revoke.error} />
      <QueryState query={invitations}>
        {(doc) =>
          doc.data.length === 0 ? (
            <p className="muted">No {status} invitations.</p>
          ) : (
            <table>
              <TableHead columns={["User", "Status", "Created", "Expires"]} actions="Actions" />
              <tbody>
                {doc.data.map((i) => {
                  const userId =
                    (i.relationships as { user?: { data?: { id: string } | null } }).user?.data?.id ?? "";
                  return (
                    <tr key={i.id}>
                      <td>{names.get(userId) ?? userId}</td>
                      <td>
                        <StatusBadge status={i.attributes.status} />
                      </td>
                      <td>{formatRelative(i.attributes["created-at"])}</td>
                      <td>{formatTime(i.attributes["expires-at"])}</td>
                      <td className="row-actions">
                        {i.attributes.status === "pending" && (
                          <button
                            type="button"
                            className="button danger small"
                            onClick={() => revoke.mutate(i.id)}
                          >
                            Revoke
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )
        }
      </QueryState>
    </section>
  );
}

/** The users page. */
export function UsersPage() {
  const users = useUsers();
  const [inviting, setInviting] = useState<{ id: string; name: string } | undefined>();
  return (
    <>
      <PageHeader
        title="Users"
        description="People sign in with a personal token; an invitation gives them their first one."
      />
      <CreateUserForm />
      <QueryState query={users}>
        {(doc) => (
          <>
            <section aria-labelledby="users-heading" className="card">
              <h2 id="users-heading">People</h2>
              <table>
                <TableHead columns={["Name", "Email", "State", "Added"]} actions="Actions" />
                <tbody>
                  {doc.data.map((u) => (
                    <tr key={u.id}>
                      <td>{u.attributes.name}</td>
                      <td>{u.attributes.email ?? ""}</td>
                      <td>{u.attributes.disabled ? "disabled" : "enabled"}</td>
                      <td>{formatRelative(u.attributes["created-at"])}</td>
                      <td className="row-actions">
                        <button
                          type="button"
                          className="button small"
                          onClick={() => setInviting({ id: u.id, name: u.attributes.name })}
                          aria-label={`Invite ${u.attributes.name}`}
                        >
                          Invite
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <Invitations names={new Map(doc.data.map((u) => [u.id, u.attributes.name]))} />
          </>
        )}
      </QueryState>
      {inviting && <InviteDialog user={inviting} onClose={() => setInviting(undefined)} />}
    </>
  );
}
