// CLI, policy commands: loads .rego modules and JSON/YAML data documents from files and folders.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join, relative } from "node:path";
import type { PolicySource } from "@keygate/rego";
import { parse as parseYaml } from "yaml";

/** Policies and data found under the given paths. */
export interface LoadedPolicyFiles {
  readonly modules: readonly PolicySource[];
  /** Data documents merged into one object (a `data.json` under `a/b/` lands at `data.a.b`). */
  readonly data: Record<string, unknown>;
}

/** An error loading a file: which file and what is wrong with it. */
export class PolicyFileError extends Error {
  override readonly name = "PolicyFileError";
}

/** Reads every `.rego` file and every `data.json`/`data.yaml` under the paths (files or folders). */
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
      } else if (stat.isFile() || basename(file, ext) === "data") {
        if (ext !== ".json" && ext !== ".yaml" && ext !== ".yml") continue;
        const doc = parseDataFile(file);
        const prefix = stat.isDirectory() ? relative(root, join(file, "..")).split(/[\\/]/).filter(Boolean) : [];
        mergeAt(data, prefix, doc, file);
      }
    }
  }
  return { modules, data };
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
    throw new PolicyFileError(`${file}: not valid ${extname(file).slice(1).toUpperCase()}: ${(e as Error).message}`);
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

function mergeAt(target: Record<string, unknown>, prefix: readonly string[], doc: unknown, file: string): void {
  let node = target;
  for (const part of prefix) {
    const next = node[part];
    if (next === undefined) node[part] = {};
    else if (typeof next !== "object" || next === null || Array.isArray(next)) {
      throw new PolicyFileError(`${file}: data conflicts with a value already loaded at ${prefix.join(".")}`);
    }
    node = node[part] as Record<string, unknown>;
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    if (prefix.length === 0) throw new PolicyFileError(`${file}: a data document must be an object at its root`);
    throw new PolicyFileError(`${file}: a data document must be an object`);
  }
  for (const [k, v] of Object.entries(doc)) {
    const existing = node[k];
    if (isPlainObject(existing) && isPlainObject(v)) mergeAt(node, [k], v, file);
    else if (existing !== undefined) throw new PolicyFileError(`${file}: key "${k}" is already defined by another data file`);
    else node[k] = v;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
