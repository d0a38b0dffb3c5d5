// CLI, governance commands: `keygate policy simulate`: runs a draft policy file against the kept
// samples on the server and prints, per sample, the outcome now and with the draft.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { CliError, type CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { formatTable } from "../output/result-printer.js";

const USAGE =
  "usage: keygate policy simulate DRAFT.rego --entity token|api-key|service-account|delegate-token|login [--replace POLICY_ID | --set POLICY_SET_ID] [--level mandatory|advisory] [--query Q] [--limit N]";

interface Outcome {
  kind: string;
  outcome?: string;
  allowed?: boolean;
  denied?: boolean;
  messages: string[];
  warnings?: string[];
  roles?: string[];
}

interface SampleResult {
  "sample-id": string;
  "created-at": string;
  action: string;
  current: Outcome;
  draft: Outcome;
  changed: boolean;
}

function summary(o: Outcome): string {
  if (o.kind === "login") {
    const verdict = o.denied ? "denied" : o.allowed ? "allowed" : "not allowed";
    return `${verdict}${o.roles && o.roles.length > 0 ? ` roles ${o.roles.join(",")}` : ""}`;
  }
  const notes = [...o.messages, ...(o.warnings ?? [])];
  return `${o.outcome ?? "?"}${notes.length > 0 ? `: ${notes.join("; ")}` : ""}`;
}

/** Runs `keygate policy simulate`; exit code 0, or 1 when the server refuses. */
export async function policySimulate(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...CONNECTION_OPTIONS,
      entity: { type: "string" },
      replace: { type: "string" },
      set: { type: "string" },
      level: { type: "string" },
      query: { type: "string" },
      limit: { type: "string" },
    },
  });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0 || values.entity === undefined) throw new CliError(USAGE, 2);
  if (values.replace && values.set) throw new CliError(`give --replace or --set, not both\n${USAGE}`, 2);
  let source: string;
  try {
    source = readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new CliError(`--limit must be a whole number >= 1\n${USAGE}`, 2);
  const { client, format } = connect(values, io);
  const doc = await client.request(
    "POST",
    `/organizations/${await client.organization()}/policy-simulations`,
    {
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
    },
  );
  const attributes = (doc?.data as { attributes: Record<string, unknown> } | undefined)?.attributes ?? {};
  if (format === "json") {
    io.out(`${JSON.stringify(doc?.data, null, 2)}\n`);
    return 0;
  }
  const samples = (attributes.samples ?? []) as SampleResult[];
  if (samples.length === 0) {
    io.out(
      `no samples of ${values.entity} yet: samples are kept as real ${values.entity} inputs are evaluated\n`,
    );
    return 0;
  }
  io.out(
    formatTable(
      ["SAMPLE", "AT", "ACTION", "NOW", "WITH DRAFT", "CHANGED"],
      samples.map((s) => [
        s["sample-id"],
        s["created-at"],
        s.action,
        summary(s.current),
        summary(s.draft),
        s.changed ? "yes" : "",
      ]),
    ),
  );
  io.out(
    `${String(attributes["changed-count"])} of ${String(attributes["sample-count"])} samples change with the draft\n`,
  );
  return 0;
}
