import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BuiltinError } from "./builtin.js";
import { BUILTINS } from "./index.js";
import { REGO_METADATA_BUILTINS } from "./rego-metadata.js";
import { callerFor } from "./test-context.js";

const CAPABILITIES = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../../../../shared/conformance/capabilities.json",
);

describe("rego.metadata builtins", () => {
  const call = callerFor(REGO_METADATA_BUILTINS);

  it("are registered with arity 0", () => {
    for (const name of ["rego.metadata.chain", "rego.metadata.rule"]) {
      expect(BUILTINS.get(name)?.arity).toBe(0);
    }
  });

  it("fail as OPA's do when a call reaches them (only a query can: rules are rewritten)", () => {
    for (const name of ["rego.metadata.chain", "rego.metadata.rule"]) {
      expect(() => call(name)).toThrow(BuiltinError);
      expect(() => call(name)).toThrow(`the ${name} function must only be called within the scope of a rule`);
    }
  });

  // The capabilities list is shared data: without it this comparison is skipped.
  it.skipIf(!existsSync(CAPABILITIES))("match OPA's capabilities", () => {
    const caps = JSON.parse(readFileSync(CAPABILITIES, "utf8")) as {
      builtins: { name: string; decl: { args?: unknown[]; result?: unknown } }[];
    };
    for (const b of REGO_METADATA_BUILTINS) {
      const cap = caps.builtins.find((c) => c.name === b.name);
      expect(cap?.decl.args ?? []).toEqual([]);
      expect(b.decl?.result).toEqual(cap?.decl.result);
    }
  });
});
