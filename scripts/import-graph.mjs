// Tooling: the import graph of a TypeScript source tree (every `import`, `import type`,
// `export ... from` and `import()` between its files, tests excluded) and its circles, found as
// strongly connected components. Run `node scripts/import-graph.mjs [dir]` to print the figures;
// the server's import-cycle test uses the same functions.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** Every .ts file under `dir` except tests and declaration files. */
function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** The file a relative specifier names (`./x.js` is `./x.ts`), or undefined for packages. */
function resolveSpecifier(from, specifier, files) {
  if (!specifier.startsWith(".")) return undefined;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base.replace(/\.js$/, ".ts"), `${base}.ts`, join(base, "index.ts")]) {
    if (files.has(candidate)) return candidate;
  }
  return undefined;
}

/** The import graph of `dir`: file (relative to `dir`) -> the files it imports, type imports included. */
export function importGraph(dir) {
  const root = resolve(dir);
  const files = new Set(sourceFiles(root));
  const graph = new Map();
  for (const file of files) {
    // preProcessFile lists every import declaration, `import type` and `export from` included.
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    const targets = new Set();
    for (const ref of info.importedFiles) {
      const target = resolveSpecifier(file, ref.fileName, files);
      if (target !== undefined) targets.add(relative(root, target));
    }
    graph.set(relative(root, file), [...targets].sort());
  }
  return graph;
}

/** The strongly connected components with more than one file (or a self-import): the import circles. */
export function importCycles(graph) {
  let index = 0;
  const indexOf = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  const visit = (node) => {
    indexOf.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), indexOf.get(next)));
      }
    }
    if (low.get(node) === indexOf.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indexOf.has(node)) visit(node);
  return cycles;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? "packages/server/src";
  const graph = importGraph(dir);
  const edges = [...graph.values()].reduce((n, targets) => n + targets.length, 0);
  const cycles = importCycles(graph);
  console.log(`${dir}: ${graph.size} files, ${edges} import edges (type imports included), ${cycles.length} circle(s)`);
  for (const cycle of cycles) console.log(`circle of ${cycle.length} files:\n  ${cycle.join("\n  ")}`);
  process.exitCode = cycles.length === 0 ? 0 : 1;
}
