// Policies, route: sample and simulate: pick a saved policy (or start blank), edit the draft, and
// see what it would change on recent real inputs, without saving anything.
import { useCallback, useState } from "react";
import { useOrganizationPolicies } from "../../../shared/api/organization-policies";
import { PageHeader } from "../../../shared/ui/page-header";
import { usePolicySource } from "../api/policies";
import { RegoEditor } from "../components/rego-editor";
import { SimulationPanel } from "../components/simulation-panel";
import { compileDraft } from "../rego/browser-rego";

const BLANK = `package keygate.login

import rego.v1

allow if input.session.member
`;

function DraftEditor({
  policyId,
  name,
  query,
  initial,
}: {
  policyId: string | undefined;
  name: string;
  query: string;
  initial: string;
}) {
  const [text, setText] = useState(initial);
  const check = useCallback(
    async (source: string) => {
      const result = await compileDraft(name, source, query || null);
      return result.ok ? [] : result.problems;
    },
    [name, query],
  );
  return (
    <>
      <section className="card" aria-label="Draft">
        <RegoEditor label="Draft Rego text" value={text} onChange={setText} check={check} />
      </section>
      <SimulationPanel draft={text} name={name} query={query} policyId={policyId} />
    </>
  );
}

/** The simulate page. */
export function SimulatePage() {
  const policies = useOrganizationPolicies();
  const [policyId, setPolicyId] = useState("");
  const source = usePolicySource(policyId);
  const policy = policies.data?.data.find((p) => p.id === policyId);
  return (
    <>
      <PageHeader
        title="Simulate"
        description="Run a draft policy on recent real inputs and see what would change, before saving."
      />
      <div className="card inline-form">
        <label className="compact">
          Start from{" "}
          <select value={policyId} onChange={(e) => setPolicyId(e.target.value)}>
            <option value="">a blank login policy</option>
            {policies.data?.data.map((p) => (
              <option key={p.id} value={p.id}>
                {p.attributes.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {policyId === "" ? (
        <DraftEditor key="blank" policyId={undefined} name="draft" query="" initial={BLANK} />
      ) : source.data !== undefined && policy ? (
        <DraftEditor
          key={policyId}
          policyId={policyId}
          name={policy.attributes.name}
          query={policy.attributes.query ?? ""}
          initial={source.data}
        />
      ) : (
        <p className="muted">Loading the policy…</p>
      )}
    </>
  );
}
