import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AGGREGATE_BUILTINS } from "./aggregates.js";
import { ARRAY_BUILTINS } from "./arrays.js";
import { BITS_BUILTINS } from "./bits.js";
import { CAST_BUILTINS } from "./casts.js";
import { COMPARISON_BUILTINS } from "./comparison.js";
import { ENCODING_BUILTINS } from "./encoding.js";
import { GRAPH_BUILTINS } from "./graph.js";
import { JSON_DOCUMENT_BUILTINS } from "./json-document.js";
import { NUMBER_BUILTINS } from "./numbers.js";
import { OBJECT_BUILTINS } from "./objects.js";
import { SEMVER_BUILTINS } from "./semver.js";
import { SET_BUILTINS } from "./sets.js";
import { STRING_BUILTINS } from "./strings.js";
import { TYPE_BUILTINS } from "./types.js";
import { UNIT_BUILTINS } from "./units.js";
import { UUID_BUILTINS } from "./uuid.js";

const CAPABILITIES = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../../../../shared/conformance/capabilities.json",
);

interface CapabilityBuiltin {
  name: string;
  decl: { args?: unknown[]; result?: unknown; variadic?: unknown };
}

// The capabilities list is shared data: without it these comparisons are skipped.
const HAVE_CAPABILITIES = existsSync(CAPABILITIES);
const capabilities = new Map(
  (HAVE_CAPABILITIES
    ? (JSON.parse(readFileSync(CAPABILITIES, "utf8")) as { builtins: CapabilityBuiltin[] })
    : { builtins: [] as CapabilityBuiltin[] }
  ).builtins.map((b) => [b.name, b]),
);

/** Drops the `function` tag, sorts keys and `any` members so equal signatures compare equal. */
function normalize(t: unknown): unknown {
  if (Array.isArray(t)) return t.map(normalize);
  if (t === null || typeof t !== "object") return t;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (k === "type" && v === "function") continue;
    out[k] = normalize(v);
  }
  if (out.type === "any" && Array.isArray(out.of))
    out.of = (out.of as unknown[]).map((x) => JSON.stringify(x)).sort();
  return out;
}

const CORE = [
  ...AGGREGATE_BUILTINS,
  ...ARRAY_BUILTINS,
  ...BITS_BUILTINS,
  ...CAST_BUILTINS,
  ...COMPARISON_BUILTINS,
  ...ENCODING_BUILTINS,
  ...GRAPH_BUILTINS,
  ...JSON_DOCUMENT_BUILTINS,
  ...NUMBER_BUILTINS,
  ...OBJECT_BUILTINS,
  ...SEMVER_BUILTINS,
  ...SET_BUILTINS,
  ...STRING_BUILTINS,
  ...TYPE_BUILTINS,
  ...UNIT_BUILTINS,
  ...UUID_BUILTINS,
];

describe.skipIf(!HAVE_CAPABILITIES)("core builtin declarations", () => {
  it("has no duplicate names", () => {
    expect(new Set(CORE.map((b) => b.name)).size).toBe(CORE.length);
  });

  for (const b of CORE) {
    it(`${b.name} matches capabilities.json`, () => {
      const cap = capabilities.get(b.name);
      expect(cap, `${b.name} is not in capabilities.json`).toBeDefined();
      expect(normalize(b.decl)).toEqual(normalize(cap?.decl));
      expect(b.arity).toBe(cap?.decl.args?.length ?? 0);
    });
  }
});
