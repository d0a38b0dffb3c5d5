// CLI, output: prints resources as an aligned table folded to the terminal's width, or as JSON or
// YAML (the resource, or an array of resources), and the notes of a save (policy warnings and the
// evaluation that produced them).
import { stringify as toYaml } from "yaml";
import type { ApiDocument, ApiResource } from "../client/api-client.js";
import type { CliIo } from "../client/cli-io.js";
import type { OutputFormat } from "../client/connection-options.js";

/** One column: a heading and how to read its cell from a resource. */
export interface Column {
  readonly heading: string;
  readonly cell: (resource: ApiResource) => unknown;
}

/** A column showing an attribute. */
export function attr(name: string, heading = name.toUpperCase()): Column {
  return { heading, cell: (r) => r.attributes[name] };
}

/** A column showing a to-one relationship's id. */
export function rel(name: string, heading = name.toUpperCase()): Column {
  return {
    heading,
    cell: (r) => {
      const data = r.relationships?.[name]?.data;
      return data && !Array.isArray(data) ? data.id : null;
    },
  };
}

/** The id column. */
export const ID: Column = { heading: "ID", cell: (r) => r.id };

/** A column showing a tag map as `k=v,k=v`. */
export function tagsColumn(name = "tags", heading = "TAGS"): Column {
  return {
    heading,
    cell: (r) => {
      const tags = r.attributes[name];
      if (tags === null || typeof tags !== "object") return null;
      const text = Object.entries(tags as Record<string, unknown>)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(",");
      return text === "" ? null : text;
    },
  };
}

/** A cell's text: `-` for nothing, strings as they are, anything else as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** The narrowest a folded column gets. */
const MIN_COLUMN = 8;

/** Column widths that fit `limit` (with two spaces between columns), narrowing the widest first. */
function fittedWidths(
  natural: readonly number[],
  headings: readonly string[],
  limit: number | undefined,
): number[] {
  const widths = [...natural];
  if (limit === undefined) return widths;
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  while (total() > limit) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      const floor = Math.max(MIN_COLUMN, Math.min(headings[i]?.length ?? 0, MIN_COLUMN * 2));
      if ((widths[i] ?? 0) > floor && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0))) widest = i;
    }
    if (widest < 0) break; // every column at its floor: let the terminal wrap the rest
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  return widths;
}

/** Splits text into lines of at most `width`, breaking after a space, comma or semicolon where it can. */
export function foldText(text: string, width: number): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const window = rest.slice(0, width + 1);
    const at = Math.max(window.lastIndexOf(" "), window.lastIndexOf(","), window.lastIndexOf(";"));
    const cut = at >= width / 3 ? at + 1 : width;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  lines.push(rest);
  return lines;
}

/**
 * Renders rows as an aligned plain-text table. With `limit` (the terminal's width), wide columns
 * are narrowed and their cells folded onto more lines so each line fits.
 */
export function formatTable(
  headings: readonly string[],
  rows: readonly (readonly string[])[],
  limit?: number,
): string {
  const natural = headings.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const widths = fittedWidths(natural, headings, limit);
  const render = (cells: readonly string[]): string[] => {
    const folded = cells.map((c, i) => foldText(c, widths[i] ?? c.length));
    const height = Math.max(...folded.map((f) => f.length));
    const lines: string[] = [];
    for (let l = 0; l < height; l++) {
      lines.push(
        folded
          .map((f, i) => (i === folded.length - 1 ? (f[l] ?? "") : (f[l] ?? "").padEnd(widths[i] ?? 0)))
          .join("  ")
          .trimEnd(),
      );
    }
    return lines;
  };
  return `${[...render(headings), ...rows.flatMap(render)].join("\n")}\n`;
}

/** Prints data as JSON or YAML (for the structured formats). */
export function printData(io: CliIo, format: Exclude<OutputFormat, "table">, data: unknown): void {
  io.out(format === "json" ? `${JSON.stringify(data, null, 2)}\n` : toYaml(data));
}

/** Prints resources in the format: a table of the columns, or the array of resources. */
export function printResources(
  io: CliIo,
  format: OutputFormat,
  resources: readonly ApiResource[],
  columns: readonly Column[],
): void {
  if (format !== "table") {
    printData(io, format, resources);
    return;
  }
  io.out(
    formatTable(
      columns.map((c) => c.heading),
      resources.map((r) => columns.map((c) => cellText(c.cell(r)))),
      io.columns,
    ),
  );
}

/** Prints one resource: as JSON/YAML, or a field/value listing. */
export function printResource(io: CliIo, format: OutputFormat, resource: ApiResource): void {
  if (format !== "table") {
    printData(io, format, resource);
    return;
  }
  const rows: string[][] = [
    ["id", resource.id],
    ["type", resource.type],
  ];
  for (const [k, v] of Object.entries(resource.attributes)) rows.push([k, cellText(v)]);
  for (const [k, v] of Object.entries(resource.relationships ?? {})) {
    const data = v.data;
    if (data && !Array.isArray(data)) rows.push([k, data.id]);
    else if (Array.isArray(data) && data.length > 0) rows.push([k, data.map((d) => d.id).join(",")]);
  }
  io.out(formatTable(["FIELD", "VALUE"], rows, io.columns));
}

/** The policy notes of a save's answer: advisory warnings and the evaluation that produced them. */
export interface SaveNotes {
  readonly warnings: readonly string[];
  readonly policyEvaluationId: string | null;
}

/** The notes in a document's `meta` (`warnings`, `policy-evaluation-id`). */
export function saveNotesOf(doc: ApiDocument | undefined): SaveNotes {
  const meta = doc?.meta ?? {};
  const warnings = Array.isArray(meta.warnings)
    ? meta.warnings.filter((w): w is string => typeof w === "string")
    : [];
  const id = meta["policy-evaluation-id"];
  return { warnings, policyEvaluationId: typeof id === "string" ? id : null };
}

/** One `warning:` line per advisory warning on stderr, with the evaluation to open for details. */
export function printSaveNotes(io: CliIo, notes: SaveNotes): void {
  for (const warning of notes.warnings) io.err(`warning: ${warning}\n`);
  if (notes.warnings.length > 0 && notes.policyEvaluationId)
    io.err(
      `policy evaluation ${notes.policyEvaluationId} (keygate evaluations show ${notes.policyEvaluationId})\n`,
    );
}

/**
 * Prints the resource a save answered with. Policy warnings go to stderr in every format; in JSON
 * and YAML the resource also carries them in its `meta` (`warnings`, `policy-evaluation-id`), so a
 * script reading stdout sees them too.
 */
export function printSaved(io: CliIo, format: OutputFormat, doc: ApiDocument | undefined): void {
  const resource = doc?.data as ApiResource;
  const notes = saveNotesOf(doc);
  printSaveNotes(io, notes);
  const withNotes =
    format !== "table" && (notes.warnings.length > 0 || notes.policyEvaluationId)
      ? {
          ...resource,
          meta: { warnings: notes.warnings, "policy-evaluation-id": notes.policyEvaluationId },
        }
      : resource;
  printResource(io, format, withNotes);
}

/**
 * Prints a resource whose `token` attribute is a secret shown this once: JSON/YAML as is (with
 * `extra`), or the listing without the secret followed by the secret under `label`.
 */
export function printIssued(
  io: CliIo,
  format: OutputFormat,
  doc: ApiDocument | undefined,
  label: string,
  extra: Record<string, unknown> = {},
): void {
  const resource = doc?.data as ApiResource;
  const notes = saveNotesOf(doc);
  printSaveNotes(io, notes);
  if (format !== "table") {
    const meta =
      notes.warnings.length > 0 || notes.policyEvaluationId
        ? { meta: { warnings: notes.warnings, "policy-evaluation-id": notes.policyEvaluationId } }
        : {};
    printData(io, format, { ...resource, ...extra, ...meta });
    return;
  }
  const { token: value, ...attributes } = resource.attributes;
  printResource(io, format, { ...resource, attributes });
  io.out(`\n${label} (shown only this once; store it in a secret manager):\n${String(value)}\n`);
}
