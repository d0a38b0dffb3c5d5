// CLI, output: prints resources as an aligned table or as JSON.
import type { ApiResource } from "../client/api-client.js";
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

function text(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** Renders rows as an aligned plain-text table. */
export function formatTable(headings: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return `${[line(headings), ...rows.map(line)].join("\n")}\n`;
}

/** Prints resources in the format. */
export function printResources(
  io: CliIo,
  format: OutputFormat,
  resources: readonly ApiResource[],
  columns: readonly Column[],
): void {
  if (format === "json") {
    io.out(`${JSON.stringify(resources, null, 2)}\n`);
    return;
  }
  io.out(
    formatTable(
      columns.map((c) => c.heading),
      resources.map((r) => columns.map((c) => text(c.cell(r)))),
    ),
  );
}

/** Prints one resource: JSON, or a key/value listing. */
export function printResource(io: CliIo, format: OutputFormat, resource: ApiResource): void {
  if (format === "json") {
    io.out(`${JSON.stringify(resource, null, 2)}\n`);
    return;
  }
  const rows: string[][] = [
    ["id", resource.id],
    ["type", resource.type],
  ];
  for (const [k, v] of Object.entries(resource.attributes)) rows.push([k, text(v)]);
  for (const [k, v] of Object.entries(resource.relationships ?? {})) {
    const data = v.data;
    if (data && !Array.isArray(data)) rows.push([k, data.id]);
  }
  io.out(formatTable(["FIELD", "VALUE"], rows));
}

/**
 * Prints a resource whose `token` attribute is a secret shown this once: JSON as is (with
 * `extra`), or the listing without the secret followed by the secret under `label`.
 */
export function printIssued(
  io: CliIo,
  format: OutputFormat,
  resource: ApiResource,
  label: string,
  extra: Record<string, unknown> = {},
): void {
  if (format === "json") {
    io.out(`${JSON.stringify({ ...resource, ...extra }, null, 2)}\n`);
    return;
  }
  const { token: value, ...attributes } = resource.attributes;
  printResource(io, format, { ...resource, attributes });
  io.out(`\n${label} (shown only this once; store it in a secret manager):\n${String(value)}\n`);
}
