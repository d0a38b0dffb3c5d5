// CLI, policy commands: loads .rego modules and JSON/YAML data documents from files and folders.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative } from "node:path";
import type { Json, PolicySource } from "@keygate/rego";
import { parse as parseYaml } from "yaml";

/** Policies and data found under the given paths. */
export interface LoadedPolicyFiles {
  readonly modules: readonly PolicySource[];
  /** Data documents merged into one object (a `data.json` under `a/b/` lands at `data.a.b`). */
  readonly data: { [key: string]: Json };
}

/** An error loading a file: which file and what is wrong with it. */
export class PolicyFileError extends Error {
  override readonly name = "PolicyFileError";
}

/** Reads every `.rego` file and every `.json`/`.yaml` data file under the paths (files or folders), as OPA's loader does. */
export function loadPolicyFiles(paths: readonly string[]): LoadedPolicyFiles {
  const modules: PolicySource[] = [];
  const data: Record<string, unknown> = {};
  for (const root of paths) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(root);
    } catch {
      throw new PolicyFileError(`${root}: no such file or directory`);
    }
    const files = stat.isDirectory() ? walk(root) : [root];
    for (const file of files) {
      const ext = extname(file);
      if (ext === ".rego") {
        modules.push({ file, source: readFileSync(file, "utf8") });
      } else if (ext === ".json" || ext === ".yaml" || ext === ".yml") {
        // As OPA's loader: every JSON/YAML file is data, placed at its folder's path under the root.
        const doc = parseDataFile(file);
        const prefix = stat.isDirectory()
          ? relative(root, join(file, "..")).split(/[\\/]/).filter(Boolean)
          : [];
        mergeAt(data, prefix, doc, file);
      } else if (!stat.isDirectory()) {
        throw new PolicyFileError(`${file}: not a policy (.rego) or data (.json, .yaml) file`);
      }
    }
  }
  // Every value came from JSON.parse or the YAML parser, so it is JSON.
  return { modules, data: data as { [key: string]: Json } };
}

/** Reads a JSON or YAML document (an input file, a data file). */
export function readDocument(file: string): unknown {
  return parseDataFile(file);
}

function parseDataFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new PolicyFileError(`${file}: cannot read file`);
  }
  try {
    return extname(file) === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new PolicyFileError(
      `${file}: not valid ${extname(file).slice(1).toUpperCase()}: ${(e as Error).message}`,
    );
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** Merges a document at a path under the data root; objects merge, anything else must be new. */
function mergeAt(
  target: Record<string, unknown>,
  prefix: readonly string[],
  doc: unknown,
  file: string,
): void {
  if (prefix.length === 0) {
    if (!isPlainObject(doc))
      throw new PolicyFileError(`${file}: a data document must be an object at its root`);
    for (const [k, v] of Object.entries(doc)) mergeAt(target, [k], v, file);
    return;
  }
  let node = target;
  for (const [i, part] of prefix.slice(0, -1).entries()) {
    const next = node[part];
    if (next === undefined) node[part] = {};
    else if (!isPlainObject(next)) {
      throw new PolicyFileError(
        `${file}: data at ${prefix.slice(0, i + 1).join(".")} is already a non-object value`,
      );
    }
    node = node[part] as Record<string, unknown>;
  }
  const key = prefix[prefix.length - 1] as string;
  const existing = node[key];
  if (existing === undefined) node[key] = doc;
  else if (isPlainObject(existing) && isPlainObject(doc)) {
    for (const [k, v] of Object.entries(doc)) mergeAt(existing, [k], v, file);
  } else {
    throw new PolicyFileError(`${file}: data at ${prefix.join(".")} is already defined by another data file`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
