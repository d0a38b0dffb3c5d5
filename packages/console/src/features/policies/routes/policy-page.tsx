// Policies, route: write or change a policy: the Rego editor (errors at line:col as you type, from
// the browser engine), its settings (enforcement level, HCP-style query), upload, and a simulation
// of the draft on recent real inputs before anything is saved.
import { type FormEvent, useCallback, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError } from "../../../shared/api/api-error";
import { ErrorNotice } from "../../../shared/ui/error-notice";
import { Field } from "../../../shared/ui/field";
import { PageHeader } from "../../../shared/ui/page-header";
import { QueryState } from "../../../shared/ui/query-state";
import {
  useCreatePolicy,
  usePolicy,
  usePolicySource,
  useUpdatePolicy,
  useUploadPolicy,
} from "../api/policies";
import { RegoEditor } from "../components/rego-editor";
import { SimulationPanel } from "../components/simulation-panel";
import { compileDraft, type DraftProblem } from "../rego/browser-rego";

const STARTER = `package keygate.tokens

import rego.v1

# Refuse tokens that never expire.
deny contains msg if {
\tinput.token.validTo == null
\tmsg := "tokens must have an expiry"
}
`;

interface Settings {
  name: string;
  description: string;
  enforcementLevel: string;
  query: string;
}

function useDraftCheck(name: string, query: string) {
  const [problems, setProblems] = useState<readonly DraftProblem[]>([]);
  const [checked, setChecked] = useState(false);
  const check = useCallback(
    async (text: string) => {
      const result = await compileDraft(name, text, query.trim() === "" ? null : query);
      const found = result.ok ? [] : result.problems;
      setProblems(found);
      setChecked(true);
      return found;
    },
    [name, query],
  );
  return { problems, checked, check };
}

function ProblemList({ problems, checked }: { problems: readonly DraftProblem[]; checked: boolean }) {
  return (
    <div className="problems" aria-live="polite">
      {!checked ? (
        <p className="muted small">Checking with the Rego engine…</p>
      ) : problems.length === 0 ? (
        <p className="ok-line small">Compiles: no errors.</p>
      ) : (
        <ul aria-label="Compile errors" className="problem-list">
          {problems.map((p) => (
            <li key={`${p.row}:${p.col}:${p.code}:${p.message}`}>
              <strong>
                line {p.row ?? "?"}:{p.col ?? "?"}
              </strong>{" "}
              <code>{p.code}</code> {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function SettingsFields({
  settings,
  set,
  error,
  isNew,
}: {
  settings: Settings;
  set: (s: Settings) => void;
  error: unknown;
  isNew: boolean;
}) {
  return (
    <div className="settings-grid">
      {isNew && (
        <Field label="Name" pointer="/data/attributes/name" error={error}>
          {(control) => (
            <input
              {...control}
              value={settings.name}
              onChange={(e) => set({ ...settings, name: e.target.value })}
              required
            />
          )}
        </Field>
      )}
      <Field label="Description" pointer="/data/attributes/description" error={error}>
        {(control) => (
          <input
            {...control}
            value={settings.description}
            onChange={(e) => set({ ...settings, description: e.target.value })}
          />
        )}
      </Field>
      <Field
        label="Enforcement level"
        pointer="/data/attributes/enforcement-level"
        error={error}
        hint="Mandatory refuses the save; advisory warns."
      >
        {(control) => (
          <select
            {...control}
            value={settings.enforcementLevel}
            onChange={(e) => set({ ...settings, enforcementLevel: e.target.value })}
          >
            <option value="advisory">advisory</option>
            <option value="mandatory">mandatory</option>
          </select>
        )}
      </Field>
      <Field
        label="Query"
        pointer="/data/attributes/query"
        error={error}
        hint="HCP-style, e.g. terraform.main; empty reads <package>.deny."
      >
        {(control) => (
          <input
            {...control}
            value={settings.query}
            onChange={(e) => set({ ...settings, query: e.target.value })}
            spellCheck={false}
          />
        )}
      </Field>
    </div>
  );
}

function Editor({ id, initial, source }: { id: string | undefined; initial: Settings; source: string }) {
  const navigate = useNavigate();
  const [settings, setSettings] = useState(initial);
  const [text, setText] = useState(source);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [saved, setSaved] = useState(false);
  const [createdId, setCreatedId] = useState(id);
  const create = useCreatePolicy();
  const update = useUpdatePolicy();
  const upload = useUploadPolicy();
  const draft = useDraftCheck(settings.name, settings.query);
  const edit = (next: string) => {
    setText(next);
    setSaved(false);
  };
  const configure = (next: Settings) => {
    setSettings(next);
    setSaved(false);
  };
  const error = create.error ?? update.error ?? upload.error;
  const placed = [
    "/data/attributes/name",
    "/data/attributes/description",
    "/data/attributes/enforcement-level",
    "/data/attributes/query",
  ];
  const busy = create.isPending || update.isPending || upload.isPending;
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setWarnings([]);
    try {
      let target = createdId;
      if (target === undefined) {
        target = (await create.mutateAsync(settings)).data.id;
        setCreatedId(target);
      } else {
        await update.mutateAsync({ id: target, ...settings });
      }
      // The text goes up in its own request, as with HCP Terraform's API.
      setWarnings(await upload.mutateAsync({ id: target, source: text }));
      if (id === undefined) navigate(`/policies/${target}`, { replace: true });
      else setSaved(true);
    } catch {
      // Shown next to the fields and below the editor.
    }
  };
  return (
    <form onSubmit={save}>
      <section className="card" aria-labelledby="settings-heading">
        <h2 id="settings-heading">Settings</h2>
        <SettingsFields settings={settings} set={configure} error={error} isNew={createdId === undefined} />
      </section>
      <section className="card" aria-labelledby="rego-heading">
        <div className="section-head">
          <h2 id="rego-heading">Rego</h2>
          <span className="muted small">
            Checked in your browser as you type by the same engine the server runs.
          </span>
        </div>
        <RegoEditor label="Policy Rego text" value={text} onChange={edit} check={draft.check} />
        <label className="file-pick small">
          Load a .rego file into the editor{" "}
          <input
            type="file"
            accept=".rego,text/plain"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void file.text().then(edit);
            }}
          />
        </label>
        <ProblemList problems={draft.problems} checked={draft.checked} />
        <ErrorNotice error={error} placed={placed} />
        {error instanceof ApiError &&
          error.status === 422 &&
          error.errors.some((e) => e.source?.pointer === undefined) && (
            <p className="small muted">The server refused the text; the lines above say where.</p>
          )}
        {warnings.length > 0 && (
          <div className="notice notice-warn" role="status">
            {warnings.map((w) => (
              <p key={w}>{w}</p>
            ))}
          </div>
        )}
        {saved && (
          <p className="ok-line" role="status">
            Saved.
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={busy}>
            {createdId === undefined ? "Create policy" : "Save and upload"}
          </button>
          {draft.problems.length > 0 && (
            <span className="small muted">The draft has compile errors; the server will refuse it.</span>
          )}
        </div>
      </section>
      <SimulationPanel draft={text} name={settings.name} query={settings.query} policyId={id} />
    </form>
  );
}

/** The policy page (`/policies/new` for a new one). */
export function PolicyPage() {
  const { id = "new" } = useParams();
  if (id === "new")
    return (
      <>
        <p className="breadcrumbs">
          <Link to="/policies">Policies</Link> / new
        </p>
        <PageHeader
          title="New policy"
          description="Write it, see its errors as you type, simulate it, then create it."
        />
        <Editor
          id={undefined}
          initial={{ name: "", description: "", enforcementLevel: "mandatory", query: "" }}
          source={STARTER}
        />
      </>
    );
  return <ExistingPolicy id={id} />;
}

function ExistingPolicy({ id }: { id: string }) {
  const policy = usePolicy(id);
  const source = usePolicySource(id);
  return (
    <QueryState query={policy}>
      {(doc) => (
        <>
          <p className="breadcrumbs">
            <Link to="/policies">Policies</Link> / {doc.data.attributes.name}
          </p>
          <PageHeader
            title={doc.data.attributes.name}
            description={`Policy ${doc.data.id}, in ${doc.data.attributes["policy-set-count"]} policy set(s).`}
          />
          <QueryState query={source}>
            {(text) => (
              <Editor
                id={id}
                initial={{
                  name: doc.data.attributes.name,
                  description: doc.data.attributes.description ?? "",
                  enforcementLevel: doc.data.attributes["enforcement-level"],
                  query: doc.data.attributes.query ?? "",
                }}
                source={text}
              />
            )}
          </QueryState>
        </>
      )}
    </QueryState>
  );
}
