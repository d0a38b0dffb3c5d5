// Syntax stage, shared by every later stage: where a node or an error sits in its source file.

/** A position in a policy source: file name, 1-based row and column, 0-based byte offset. */
export interface Location {
  readonly file: string;
  readonly row: number;
  readonly col: number;
  readonly offset: number;
}

/** Formats a location as `file:row:col`, the form every error message uses. */
export function formatLocation(loc: Location): string {
  return `${loc.file}:${loc.row}:${loc.col}`;
}
