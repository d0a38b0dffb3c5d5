// Policy sets, route: the sets (global or per space; which entities on save, or login) and a form
// to create one from policies.
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { useOrganizationPolicies } from "../../../shared/api/organization-policies";
import { spacePath, useSpaceTree } from "../../../shared/api/space-tree";
import { ErrorNotice } from "../../../shared/ui/error-notice";
import { Field } from "../../../shared/ui/field";
import { PageHeader } from "../../../shared/ui/page-header";
import { QueryState } from "../../../shared/ui/query-state";
import { DangerRowAction } from "../../../shared/ui/row-action";
import { TableHead } from "../../../shared/ui/table-head";
import { useCreatePolicySet, useDeletePolicySet, usePolicySets } from "../api/policy-sets";

const SAVE_ENTITIES = ["token", "api-key", "service-account", "delegate-token"] as const;

function Checkboxes({
  legend,
  options,
  chosen,
  set,
}: {
  legend: string;
  options: readonly { value: string; label: string }[];
  chosen: readonly string[];
  set: (v: string[]) => void;
}) {
  return (
    <fieldset className="checks">
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value}>
          <input
            type="checkbox"
            checked={chosen.includes(o.value)}
            onChange={(e) =>
              set(e.target.checked ? [...chosen, o.value] : chosen.filter((c) => c !== o.value))
            }
          />{" "}
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}

function CreatePolicySetForm() {
  const create = useCreatePolicySet();
  const policies = useOrganizationPolicies();
  const tree = useSpaceTree();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<"save" | "login">("save");
  const [entityTypes, setEntityTypes] = useState<string[]>(["token"]);
  const [scope, setScope] = useState<"global" | "spaces">("global");
  const [spaceIds, setSpaceIds] = useState<string[]>([]);
  const [policyIds, setPolicyIds] = useState<string[]>([]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      {
        name,
        description: "",
        global: scope === "global",
        entityTypes: kind === "login" ? ["login"] : entityTypes,
        policyIds,
        spaceIds,
      },
      { onSuccess: () => setName("") },
    );
  };
  const placed = [
    "/data/attributes/name",
    "/data/attributes/entity-types",
    "/data/relationships/policies",
    "/data/relationships/spaces",
  ];
  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-set-heading">
      <h2 id="new-set-heading">New policy set</h2>
      <div className="settings-grid">
        <Field label="Set name" pointer={placed[0]} error={create.error}>
          {(control) => (
            <input {...control} value={name} onChange={(e) => setName(e.target.value)} required />
          )}
        </Field>
        <Field label="Evaluated" pointer="/data/attributes/events" error={create.error}>
          {(control) => (
            <select {...control} value={kind} onChange={(e) => setKind(e.target.value as "save" | "login")}>
              <option value="save">on saves of entities</option>
              <option value="login">on every login (login policy)</option>
            </select>
          )}
        </Field>
        <Field label="Applies" pointer="/data/attributes/global" error={create.error}>
          {(control) => (
            <select
              {...control}
              value={scope}
              onChange={(e) => setScope(e.target.value as "global" | "spaces")}
            >
              <option value="global">everywhere (global)</option>
              <option value="spaces">in chosen spaces and below</option>
            </select>
          )}
        </Field>
      </div>
      {kind === "save" && (
        <Checkboxes
          legend="Entities"
          options={SAVE_ENTITIES.map((e) => ({ value: e, label: e }))}
          chosen={entityTypes}
          set={setEntityTypes}
        />
      )}
      {scope === "spaces" && tree.data && (
        <Checkboxes
          legend="Spaces"
          options={[...tree.data.byId.keys()].map((id) => ({
            value: id,
            label: spacePath(tree.data.byId, id),
          }))}
          chosen={spaceIds}
          set={setSpaceIds}
        />
      )}
      {policies.data && (
        <Checkboxes
          legend="Policies"
          options={policies.data.data.map((p) => ({
            value: p.id,
            label: `${p.attributes.name} (${p.attributes["enforcement-level"]})`,
          }))}
          chosen={policyIds}
          set={setPolicyIds}
        />
      )}
      <ErrorNotice error={create.error} placed={placed} />
      <button type="submit" className="button primary" disabled={create.isPending}>
        Create policy set
      </button>
    </form>
  );
}

/** The policy sets page. */
export function PolicySetsPage() {
  const sets = usePolicySets();
  const policies = useOrganizationPolicies();
  const tree = useSpaceTree();
  const remove = useDeletePolicySet();
  const policyName = (id: string) => policies.data?.data.find((p) => p.id === id)?.attributes.name ?? id;
  return (
    <>
      <PageHeader
        title="Policy sets"
        description="A set applies its policies globally or in spaces, on saves of chosen entities or on login."
      />
      <ErrorNotice error={remove.error} />
      <QueryState query={sets}>
        {(doc) =>
          doc.data.length === 0 ? (
            <p className="muted card">No policy sets: no policy is in effect.</p>
          ) : (
            <table className="card">
              <TableHead columns={["Name", "Evaluated on", "Where", "Policies"]} actions="Actions" />
              <tbody>
                {doc.data.map((s) => (
                  <tr key={s.id}>
                    <td>{s.attributes.name}</td>
                    <td>{s.attributes["entity-types"].join(", ")}</td>
                    <td>
                      {s.attributes.global
                        ? "global"
                        : s.relationships.spaces.data
                            .map((sp) => (tree.data ? spacePath(tree.data.byId, sp.id) : sp.id))
                            .join(", ")}
                    </td>
                    <td>
                      {s.relationships.policies.data.map((p, i) => (
                        <span key={p.id}>
                          {i > 0 && ", "}
                          <Link to={`/policies/${p.id}`}>{policyName(p.id)}</Link>
                        </span>
                      ))}
                    </td>
                    <td className="row-actions">
                      <DangerRowAction
                        action="Delete"
                        subject={s.attributes.name}
                        onClick={() => remove.mutate(s.id)}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryState>
      <CreatePolicySetForm />
    </>
  );
}
