// CLI, governance commands: `keygate policy simulate`: runs a draft policy file against the kept
// samples on the server and prints one line per sample: who (login, principal) and what changes
// with the draft (allowed -> denied, roles gained and lost by space path, or a save's outcome).
import { readFileSync } from "node:fs";
import type { ApiClient, ApiResource } from "../client/api-client.js";
import { CliError, type CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { parseVerb } from "../client/verb-args.js";
import { formatTable, printData } from "../output/result-printer.js";

/** An outcome of a sample, now or with the draft, as the server renders it. */
interface Outcome {
  kind: string;
  outcome?: string;
  allowed?: boolean;
  denied?: boolean;
  messages: string[];
  warnings?: string[];
  /** Login roles granted, as `spaceId/roleId`. */
  roles?: string[];
}

interface SampleResult {
  "sample-id": string;
  "created-at": string;
  action: string;
  input: unknown;
  current: Outcome;
  draft: Outcome;
  changed: boolean;
}

/** Names for ids: spaces by path (`platform/production`), roles by name. */
export interface SimulationNames {
  readonly spaces: ReadonlyMap<string, string>;
  readonly roles: ReadonlyMap<string, string>;
}

/** Each space's path from the root's children down (the root itself is `/`). */
export function spacePaths(spaces: readonly ApiResource[]): Map<string, string> {
  const parent = new Map<string, string | null>();
  const name = new Map<string, string>();
  for (const s of spaces) {
    const p = s.relationships?.parent?.data;
    parent.set(s.id, p && !Array.isArray(p) ? p.id : null);
    name.set(s.id, String(s.attributes.name));
  }
  const paths = new Map<string, string>();
  for (const s of spaces) {
    const parts: string[] = [];
    let at: string | null | undefined = s.id;
    for (let depth = 0; at && depth < 1000; depth++) {
      if (parent.get(at) === null) break; // the root is not part of a path
      parts.unshift(name.get(at) ?? at);
      at = parent.get(at);
    }
    paths.set(s.id, parts.length === 0 ? "/" : parts.join("/"));
  }
  return paths;
}

function verdict(o: Outcome): string {
  // `denied` is any refusal (an error, a deny, or an allow that a set requires and nothing gave);
  // `allowed` only says an allow rule matched, so a login with no allow required is not denied.
  if (o.kind === "login") return o.denied ? "denied" : "allowed";
  return o.outcome ?? "?";
}

function roleName(entry: string, names: SimulationNames): string {
  const at = entry.indexOf("/");
  const space = entry.slice(0, at);
  const role = entry.slice(at + 1);
  return `${names.spaces.get(space) ?? space}:${names.roles.get(role) ?? role}`;
}

/** What changes for one sample with the draft: verdict, then roles gained (+) and lost (-), then why. */
export function changeText(
  sample: Pick<SampleResult, "current" | "draft" | "changed">,
  names: SimulationNames,
): string {
  const before = verdict(sample.current);
  const after = verdict(sample.draft);
  const parts: string[] = [];
  if (before !== after) parts.push(`${before} -> ${after}`);
  const now = new Set(sample.current.roles ?? []);
  const then = new Set(sample.draft.roles ?? []);
  const gained = [...then].filter((r) => !now.has(r)).map((r) => `+${roleName(r, names)}`);
  const lost = [...now].filter((r) => !then.has(r)).map((r) => `-${roleName(r, names)}`);
  if (gained.length + lost.length > 0) parts.push(`roles ${[...gained, ...lost].join(" ")}`);
  if (parts.length === 0 && !sample.changed) return `no change (${before})`;
  // Why: the messages of each side that has any (a denial's reasons, an advisory warning).
  const notes = (o: Outcome) => [...o.messages, ...(o.warnings ?? [])].join("; ");
  if (notes(sample.current) !== "") parts.push(`now: ${notes(sample.current)}`);
  if (notes(sample.draft) !== "") parts.push(`with the draft: ${notes(sample.draft)}`);
  return parts.length === 0 ? "changed (same verdict)" : parts.join(", ");
}

/** The login and principal of a sample's input (`input.session` for login samples). */
function whoOf(input: unknown): { login: string; principal: string } {
  const session = (input as { session?: Record<string, unknown> } | undefined)?.session;
  const principal = session?.principal as Record<string, unknown> | undefined;
  if (session) {
    return {
      login: String(session.login ?? "-"),
      principal: principal
        ? `${String(principal.name)} (${String(principal.kind)} ${String(principal.identifier)})`
        : "-",
    };
  }
  const entity = input as Record<string, unknown> | undefined;
  const subject = (entity?.principal ?? entity?.actor) as Record<string, unknown> | undefined;
  return { login: "-", principal: subject ? String(subject.name ?? subject.id ?? "-") : "-" };
}

async function namesOf(client: ApiClient, org: string): Promise<SimulationNames> {
  const [spaces, roles] = await Promise.all([
    client.all(`/organizations/${org}/spaces`),
    client.all(`/organizations/${org}/roles`),
  ]);
  return { spaces: spacePaths(spaces), roles: new Map(roles.map((r) => [r.id, String(r.attributes.name)])) };
}

/** Runs `keygate policy simulate`; exit code 0, or 1 when the server refuses. */
export async function policySimulate(argv: string[], io: CliIo): Promise<number> {
  const usage =
    "usage: keygate policy simulate DRAFT.rego --entity token|api-key|service-account|delegate-token|login [--replace POLICY_ID | --set POLICY_SET_ID] (see --help)";
  const parsed = parseVerb(
    {
      command: "keygate policy simulate",
      synopsis:
        "DRAFT.rego --entity ENTITY [--replace POLICY_ID | --set POLICY_SET_ID] [--level mandatory|advisory] [--query Q] [--limit N]",
      summary:
        "Run a draft policy against the inputs the server kept (samples) and print one line per input: who, and what changes with the draft.",
      options: {
        ...CONNECTION_OPTIONS,
        entity: {
          type: "string",
          value: "ENTITY",
          description: "token, api-key, service-account, delegate-token or login (required)",
        },
        replace: { type: "string", value: "POLICY_ID", description: "the draft stands in for this policy" },
        set: { type: "string", value: "POLICY_SET_ID", description: "the draft is added to this set" },
        level: { type: "string", value: "LEVEL", description: "mandatory or advisory" },
        query: { type: "string", value: "Q", description: "the draft's query" },
        limit: { type: "string", value: "N", description: "at most N samples (1-50)" },
      },
      examples: ["keygate policy simulate office-hours.rego --entity login --replace pol-3e9a"],
    },
    argv,
    io,
  );
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0 || values.entity === undefined) throw new CliError(usage, 2);
  if (values.replace && values.set) throw new CliError(`give --replace or --set, not both\n${usage}`, 2);
  let source: string;
  try {
    source = readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new CliError(`--limit must be a whole number >= 1\n${usage}`, 2);
  const { client, format } = connect(values, io);
  const org = await client.organization();
  const doc = await client.request("POST", `/organizations/${org}/policy-simulations`, {
    data: {
      type: "policy-simulations",
      attributes: {
        "entity-type": values.entity,
        source,
        ...(values.level ? { "enforcement-level": values.level } : {}),
        ...(values.query ? { query: values.query } : {}),
        ...(limit !== undefined ? { limit } : {}),
      },
      relationships: {
        ...(values.replace ? { policy: { data: { id: values.replace, type: "policies" } } } : {}),
        ...(values.set ? { "policy-set": { data: { id: values.set, type: "policy-sets" } } } : {}),
      },
    },
  });
  if (format !== "table") {
    printData(io, format, doc?.data);
    return 0;
  }
  const attributes = (doc?.data as { attributes: Record<string, unknown> } | undefined)?.attributes ?? {};
  const samples = (attributes.samples ?? []) as SampleResult[];
  if (samples.length === 0) {
    io.out(
      `no samples of ${values.entity} yet: samples are kept as real ${values.entity} inputs are evaluated\n`,
    );
    return 0;
  }
  const names =
    values.entity === "login" ? await namesOf(client, org) : { spaces: new Map(), roles: new Map() };
  io.out(
    formatTable(
      ["AT", "LOGIN", "PRINCIPAL", "ACTION", "WITH THE DRAFT"],
      samples.map((s) => {
        const who = whoOf(s.input);
        return [s["created-at"], who.login, who.principal, s.action, changeText(s, names)];
      }),
      io.columns,
    ),
  );
  io.out(
    `${String(attributes["changed-count"])} of ${String(attributes["sample-count"])} samples change with the draft\n`,
  );
  return 0;
}
