// Domain layer, governance (test and benchmark support): finds the project's shared seed
// documents (`../shared/seeds/NNN_*.txt` beside the repository) and reads them at run time; they
// are never copied into the repository, and callers skip cleanly when they are absent.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// From packages/server/{src,dist}/domain/governance/ up to the directory holding the repository.
const DEFAULT_SEEDS_DIR = fileURLToPath(new URL("../../../../../../shared/seeds/", import.meta.url));

/** The seeds directory: KEYGATE_SEEDS_DIR, else `shared/seeds` beside the repository. */
export function seedsDirectory(): string {
  return process.env.KEYGATE_SEEDS_DIR ?? DEFAULT_SEEDS_DIR;
}

/** The text of seed `number` (e.g. "000"), or undefined when the seeds are not there. */
export function readSeedDocument(number: string): string | undefined {
  const dir = seedsDirectory();
  if (!existsSync(dir)) return undefined;
  const file = readdirSync(dir).find((name) => name.startsWith(`${number}_`) && name.endsWith(".txt"));
  return file === undefined ? undefined : readFileSync(join(dir, file), "utf8");
}
