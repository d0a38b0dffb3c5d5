// Domain layer, governance (test and benchmark support): the policies and payloads of the shared
// seed documents, extracted from the documents at run time: seed 000's deny policies on tokens,
// seed 003's login policies, seed 002's Policies API samples. Undefined when the seeds are absent;
// an error when a seed is present but lacks what the tests expect of it (a broken extraction must
// fail the tests that use it, not skip them as if the seed were absent).
import { type DocumentedJson, type DocumentedModule, extractJsonSamples, extractRegoModules } from "./documented-examples.js";
import { readSeedDocument } from "./seed-documents.js";

/** The names under which tests refer to seed 000's policies. */
export type Seed000PolicyName = "block-user-tokens" | "block-service-tokens" | "valid-to-limit" | "scheduled-expire-limit";

/** One of seed 000's policies: its source as written there, and the limit it compares with (if any). */
export interface Seed000Policy {
  readonly name: Seed000PolicyName;
  readonly source: string;
  /** The epoch-ms limit in `input.token.validTo > N` / `scheduledExpireTime > N`. */
  readonly limit: number | undefined;
}

const SEED000_POLICY_NAMES: readonly Seed000PolicyName[] = [
  "block-user-tokens",
  "block-service-tokens",
  "valid-to-limit",
  "scheduled-expire-limit",
];

function seed000NameOf(source: string): Seed000PolicyName | undefined {
  if (source.includes("input.token.scheduledExpireTime")) return "scheduled-expire-limit";
  if (source.includes("input.token.validTo")) return "valid-to-limit";
  if (/apiKeyType,\s*"USER"/.test(source)) return "block-user-tokens";
  if (/apiKeyType,\s*"SERVICE"/.test(source)) return "block-service-tokens";
  return undefined;
}

/** Seed 000's policies by name, or undefined when the seed is absent. */
export function seed000Policies(): ReadonlyMap<Seed000PolicyName, Seed000Policy> | undefined {
  const text = readSeedDocument("000");
  if (text === undefined) return undefined;
  const out = new Map<Seed000PolicyName, Seed000Policy>();
  for (const module of extractRegoModules(text)) {
    const name = seed000NameOf(module.source);
    if (name === undefined || out.has(name)) continue;
    const limit = />\s*(\d+)/.exec(module.source)?.[1];
    out.set(name, { name, source: module.source, limit: limit === undefined ? undefined : Number(limit) });
  }
  const missing = SEED000_POLICY_NAMES.filter((name) => !out.has(name));
  if (missing.length > 0) throw new Error(`seed 000 is present but its policies ${missing.join(", ")} were not found in it`);
  return out;
}

/** A login policy example of seed 003, named after its heading (`by-key-name`, ...). */
export interface Seed003Example extends DocumentedModule {
  readonly name: string;
}

/** Seed 003's login policies: the syntax template that opens the page, and the eight examples. */
export interface Seed003Policies {
  /** `roles[space][role_id] { ... }` with unbound head variables: a template, not a policy. */
  readonly template: DocumentedModule;
  readonly examples: readonly Seed003Example[];
}

function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Seed 003's login policies, or undefined when the seed is absent. */
export function seed003Policies(): Seed003Policies | undefined {
  const text = readSeedDocument("003");
  if (text === undefined) return undefined;
  const [template, ...rest] = extractRegoModules(text);
  if (template === undefined || rest.length === 0) {
    throw new Error("seed 003 is present but no login policy template and examples were found in it");
  }
  return { template, examples: rest.map((m) => ({ ...m, name: slug(m.title) })) };
}

/** Seed 002's JSON samples (request payloads and responses) in page order, or undefined when absent. */
export function seed002Samples(): readonly DocumentedJson[] | undefined {
  const text = readSeedDocument("002");
  if (text === undefined) return undefined;
  const samples = extractJsonSamples(text);
  if (samples.length === 0) throw new Error("seed 002 is present but no JSON samples were found in it");
  return samples;
}

/** True when every seed document the governance tests read is present. */
export function governanceSeedsPresent(): boolean {
  return seed000Policies() !== undefined && seed002Samples() !== undefined && seed003Policies() !== undefined;
}

/** The source of one of seed 000's policies; throws when the seed or the policy is missing. */
export function seed000Source(name: Seed000PolicyName): string {
  const policy = seed000Policies()?.get(name);
  if (policy === undefined) throw new Error(`seed 000 has no policy ${name} (is ../shared/seeds there?)`);
  return policy.source;
}

/** The source of a seed 003 example by name (`by-key-name`, ...) or `template`; throws when missing. */
export function seed003Source(name: string): string {
  const seed = seed003Policies();
  const source = name === "template" ? seed?.template.source : seed?.examples.find((e) => e.name === name)?.source;
  if (source === undefined) throw new Error(`seed 003 has no example ${name} (is ../shared/seeds there?)`);
  return source;
}

/** The first seed 002 sample with this heading below the section line `section` (e.g. `List Policies`); throws when missing. */
export function seed002SampleIn(section: string, title: string): unknown {
  const lines = (readSeedDocument("002") ?? "").split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim() === section);
  const sample = seed002Samples()?.find((s) => s.title === title && start >= 0 && s.line > start + 1);
  if (sample === undefined) throw new Error(`seed 002 has no "${title}" under "${section}" (is ../shared/seeds there?)`);
  return structuredClone(sample.value);
}

/** The first seed 002 sample with this heading (e.g. `Sample Payload (OPA)`), as a fresh copy; throws when missing. */
export function seed002Sample(title: string): unknown {
  const sample = seed002Samples()?.find((s) => s.title === title);
  if (sample === undefined) throw new Error(`seed 002 has no "${title}" (is ../shared/seeds there?)`);
  return structuredClone(sample.value);
}

/** The policy text seed 002 shows as the upload endpoint's sample payload (a Sentinel rule); throws when missing. */
export function seed002UploadSample(): string {
  const lines = (readSeedDocument("002") ?? "").split(/\r?\n/);
  const endpoint = lines.findIndex((l) => /^PUT \/policies\/:policy_id\/upload/.test(l.trim()));
  const heading = lines.findIndex((l, i) => i > endpoint && l.trim() === "Sample Payload");
  const sample = endpoint < 0 || heading < 0 ? undefined : lines.slice(heading + 1).find((l) => l.trim() !== "");
  if (sample === undefined) throw new Error("seed 002 has no upload sample payload (is ../shared/seeds there?)");
  return `${sample.trim()}\n`;
}
