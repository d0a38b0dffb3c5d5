// Package entry `@keygate/server/login-decision`: what the browser console imports. Its whole
// runtime import closure is relative files with no node: module, no Node global and no package
// (so a browser bundle takes it as it is), the package exports it, and its rules decide exactly as
// the server's decideLogin on the results the console evaluates itself with @keygate/rego.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Engine } from "@keygate/rego";
import { describe, expect, it } from "vitest";
import { decideLogin } from "./domain/login-policies/login-decision.js";
import { compilePolicyFor } from "./domain/policy-evaluations/compiled-policy-sets.js";
import type { PolicySet } from "./domain/policy-sets/policy-set.js";
import { BUILT_IN_ROLES } from "./domain/roles/built-in-roles.js";
import {
  buildSpaceTree,
  combineLoginResults,
  type LoginPolicySetInfo,
  type LoginResolver,
  loginPolicyResultOf,
} from "./login-decision.js";

const SRC = dirname(fileURLToPath(import.meta.url));

/** The runtime imports of a TypeScript file (`import type` is erased; `import { type X }` is not). */
function runtimeImports(text: string): string[] {
  const specifiers: string[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+"([^"]+)"/gms;
  for (const match of text.matchAll(statement)) {
    if (match[2] === undefined) specifiers.push(match[4] ?? "");
  }
  for (const match of text.matchAll(/^\s*import\s+"([^"]+)"/gm)) specifiers.push(match[1] ?? "");
  for (const match of text.matchAll(/\bimport\(\s*["'`]([^"'`]+)/g)) specifiers.push(match[1] ?? "");
  return specifiers;
}

/** Every file the entry loads at run time, with what each imports. */
function closure(entry: string): Map<string, string[]> {
  const files = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (files.has(file)) continue;
    const imports = runtimeImports(readFileSync(file, "utf8"));
    files.set(file, imports);
    for (const specifier of imports) {
      if (specifier.startsWith(".")) queue.push(resolve(dirname(file), specifier.replace(/\.js$/, ".ts")));
    }
  }
  return files;
}

describe("@keygate/server/login-decision", () => {
  it("loads nothing a browser lacks: relative files only, no node: modules, no Node globals", () => {
    const files = closure(join(SRC, "login-decision.ts"));
    const names = [...files.keys()].map((f) => relative(SRC, f)).sort();
    expect(names).toContain("domain/login-policies/login-rules.ts");
    expect(names).toContain("domain/spaces/space-reference.ts");
    const problems: string[] = [];
    for (const [file, imports] of files) {
      for (const specifier of imports) {
        if (!specifier.startsWith(".")) problems.push(`${relative(SRC, file)} imports ${specifier}`);
      }
      const text = readFileSync(file, "utf8").replace(/\/\/.*$/gm, "");
      for (const global of [/\bprocess\./, /\bBuffer\b/, /\brequire\(/, /\b__dirname\b/]) {
        if (global.test(text)) problems.push(`${relative(SRC, file)} uses ${global.source}`);
      }
    }
    expect(problems).toEqual([]);
    // The detector sees what it must refuse.
    expect(runtimeImports('import { type A, b } from "node:fs";\nimport type { C } from "./c.js";')).toEqual([
      "node:fs",
    ]);
  });

  it("is a subpath export of the package, built where the export points", async () => {
    const manifest = JSON.parse(readFileSync(join(SRC, "..", "package.json"), "utf8"));
    expect(manifest.name).toBe("@keygate/server");
    expect(manifest.exports["./login-decision"]).toEqual({
      types: "./dist/login-decision.d.ts",
      default: "./dist/login-decision.js",
    });
    const built = join(SRC, "..", "dist", "login-decision.js");
    if (existsSync(built)) {
      // Node's own resolution of the subpath (as a bundler resolving package exports does).
      const resolved = createRequire(import.meta.url).resolve("@keygate/server/login-decision");
      expect(resolved).toBe(realpathSync(built));
      const module = await import(pathToFileURL(resolved).href);
      expect(typeof module.combineLoginResults).toBe("function");
      expect(typeof module.buildSpaceTree).toBe("function");
    }
  });

  // The console's path (engine in the browser, these rules) against the server's decideLogin.
  const SOURCE = `package login
import rego.v1

allow if input.session.principal.name != "mallory"
deny contains "weekend logins are closed" if input.request.weekend
roles[space] contains "viewer" if {
  some space in ["platform/production", "staging"]
}
roles["nowhere"] contains "admin" if true
roles["platform"] contains "no-such-role" if true
`;
  const spaces = [
    { id: "spc-root", name: "acme", parentId: null },
    { id: "spc-platform", name: "platform", parentId: "spc-root" },
    { id: "spc-prod", name: "production", parentId: "spc-platform" },
    { id: "spc-staging", name: "staging", parentId: "spc-root" },
  ];
  const tree = buildSpaceTree("org-1", spaces);
  const roles = new Map(BUILT_IN_ROLES.flatMap((r) => [[r.id, r] as const, [r.name, r] as const]));
  const resolver: LoginResolver = { tree, roles, principalKind: "user" };
  const sets: LoginPolicySetInfo[] = [
    { id: "pset-global", name: "everyone", global: true, spaceIds: [] },
    { id: "pset-platform", name: "platform-only", global: false, spaceIds: ["spc-platform"] },
  ];

  function inBrowser(input: unknown) {
    const engine = new Engine();
    engine.addModule("login.rego", SOURCE);
    const value = engine.prepare("data.login").evaluate({ input })[0]?.expressions[0]?.value;
    const definesAllow = (engine.modules()[0]?.rules ?? []).some(
      (r) => r.head.ref.head.type === "var" && r.head.ref.head.name === "allow",
    );
    return combineLoginResults(
      sets.map((set) => ({
        set,
        results: [loginPolicyResultOf(set, { policyId: "pol-1", policyName: "login", definesAllow }, value)],
      })),
      input,
      resolver,
    );
  }

  function onServer(input: unknown) {
    const compiled = compilePolicyFor("login", {
      policyId: "pol-1",
      policyName: "login",
      enforcementLevel: "mandatory",
      query: null,
      source: SOURCE,
    });
    const full = sets.map((set) => ({
      set: {
        ...set,
        organizationId: "org-1",
        description: null,
        entityTypes: ["login"],
        events: [],
        policyIds: ["pol-1"],
        createdAt: 0,
        updatedAt: 0,
      } as unknown as PolicySet,
      policies: [compiled],
    }));
    return decideLogin(full, input, resolver);
  }

  it.each([
    ["an admitted user", { session: { principal: { name: "alice" } }, request: { weekend: false } }],
    ["a user no allow admits", { session: { principal: { name: "mallory" } }, request: { weekend: false } }],
    ["a denied login", { session: { principal: { name: "alice" } }, request: { weekend: true } }],
  ])("decides %s exactly as the server does", (_what, input) => {
    const browser = inBrowser(input);
    expect(browser).toEqual(onServer(input));
    expect(browser.applied).toBe(true);
  });

  it("gives roles by space (path and unique name), and says why the others grant nothing", () => {
    const decision = inBrowser({ session: { principal: { name: "alice" } }, request: { weekend: false } });
    expect(decision.denied).toBe(false);
    const granted = decision.grants.map((g) => `${g.spaceId}:${g.roleName}`).sort();
    // The global set grants in both; the set attached to platform grants only below platform.
    expect(granted).toEqual(["spc-prod:viewer", "spc-staging:viewer"]);
    expect(decision.ignored.map((i) => `${i.space}/${i.role}: ${i.code}`).sort()).toEqual([
      "nowhere/admin: unknown-space",
      "nowhere/admin: unknown-space",
      "platform/no-such-role: unknown-role",
      "platform/no-such-role: unknown-role",
      "staging/viewer: outside-set-scope",
    ]);
    const refused = inBrowser({ session: { principal: { name: "mallory" } }, request: { weekend: false } });
    expect(refused).toMatchObject({ denied: true, refusal: "not-allowed", grants: [] });
    expect(refused.denyMessages).toEqual(["no login policy's allow admits this caller"]);
  });
});
