import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { BuiltinDefinition } from "./builtin.js";
import { CRYPTO_BUILTINS } from "./crypto.js";
import { GLOB_BUILTINS } from "./glob.js";
import { JWT_BUILTINS } from "./jwt.js";
import { NET_BUILTINS } from "./net.js";
import { NETWORK_BUILTINS } from "./network.js";
import { PROVIDERS_AWS_BUILTINS } from "./providers-aws.js";
import { RAND_BUILTINS } from "./rand.js";
import { REGEX_BUILTINS } from "./regex.js";
import { TIME_BUILTINS } from "./time.js";

const CAPABILITIES = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../../../../shared/conformance/capabilities.json",
);

interface CapabilityBuiltin {
  name: string;
  nondeterministic?: boolean;
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

/** Capabilities list `any` unions with members sorted; compare member sets regardless of order. */
function normalize(t: unknown): unknown {
  if (Array.isArray(t)) return t.map(normalize);
  if (t === null || typeof t !== "object") return t;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (k === "type" && v === "function") continue;
    out[k] = normalize(v);
  }
  if (out.type === "any" && Array.isArray(out.of)) {
    out.of = (out.of as unknown[]).map((x) => JSON.stringify(x)).sort();
  }
  return out;
}

const OURS: readonly BuiltinDefinition[] = [
  ...REGEX_BUILTINS,
  ...GLOB_BUILTINS,
  ...TIME_BUILTINS,
  ...NET_BUILTINS,
  ...CRYPTO_BUILTINS,
  ...JWT_BUILTINS,
  ...RAND_BUILTINS,
  ...NETWORK_BUILTINS,
  ...PROVIDERS_AWS_BUILTINS,
];

describe.skipIf(!HAVE_CAPABILITIES)("builtin declarations", () => {
  for (const b of OURS) {
    it(`${b.name} matches OPA's capabilities`, () => {
      const cap = capabilities.get(b.name);
      expect(cap, `${b.name} is not an OPA builtin`).toBeDefined();
      const want = cap?.decl as CapabilityBuiltin["decl"];
      expect(b.arity).toBe(want.args?.length ?? 0);
      expect(b.nondeterministic ?? false).toBe(cap?.nondeterministic ?? false);
      expect(normalize({ args: b.decl?.args ?? [], result: b.decl?.result })).toEqual(
        normalize({ args: want.args ?? [], result: want.result }),
      );
    });
  }
});
