// Conformance, ratchet: the floor of passing cases recorded in the repository. CI fails when a
// run passes fewer cases, so compatibility only goes up.

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** `packages/rego/conformance-floor.json` (same place from `src/` and `dist/`). */
export const FLOOR_FILE = fileURLToPath(new URL("../../conformance-floor.json", import.meta.url));

/** The recorded floor: the number of cases that must pass, out of how many at the time. */
export interface ConformanceFloor {
  readonly passing: number;
  readonly total: number;
}

/** Reads the floor file; throws an Error saying what is wrong with it. */
export function readFloor(file: string = FLOOR_FILE): ConformanceFloor {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: cannot read the conformance floor: ${(e as Error).message}`);
  }
  const rec = typeof doc === "object" && doc !== null ? (doc as Record<string, unknown>) : {};
  if (!Number.isInteger(rec.passing) || (rec.passing as number) < 0) {
    throw new Error(`${file}: "passing" must be a non-negative integer`);
  }
  const total = Number.isInteger(rec.total) ? (rec.total as number) : (rec.passing as number);
  return { passing: rec.passing as number, total };
}

/** Writes the floor file (used by `--update-floor`, which only ever raises it). */
export function writeFloor(floor: ConformanceFloor, file: string = FLOOR_FILE): void {
  const doc = {
    comment:
      "Conformance ratchet: `npm run conformance -- --check-floor` fails when fewer OPA cases pass. Raise with --update-floor.",
    passing: floor.passing,
    total: floor.total,
  };
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
}
