// Docs generator, the command: `npm run docs` writes every generated reference page;
// `node scripts/docs/generate-docs.mjs --check` only says which pages are stale (exit 1).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderReferencePages } from "./reference-pages.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const check = process.argv.includes("--check");

function current(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

const stale = [];
for (const page of await renderReferencePages()) {
  const path = join(ROOT, page.path);
  if (current(path) === page.text) continue;
  stale.push(page.path);
  if (!check) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, page.text);
  }
}
if (check) {
  if (stale.length > 0) {
    process.stderr.write(`stale generated pages (run npm run docs): ${stale.join(", ")}\n`);
    process.exit(1);
  }
  process.stdout.write("generated pages are up to date\n");
} else {
  process.stdout.write(stale.length === 0 ? "generated pages were up to date\n" : `wrote ${stale.join(", ")}\n`);
}
