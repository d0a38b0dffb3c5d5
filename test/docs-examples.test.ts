// Docs: the examples in docs/ cannot drift from the product. Every Rego block of every page
// compiles; every JSON block parses; and the pages marked `<!-- doc-test: run -->` (the migration
// guides) are run step by step against a real `keygate serve` on a fresh store: files the page
// names (```rego file=...) are written, its shell blocks run in order in one working directory
// (variables carry over, `keygate` is the built CLI, KEYGATE_SERVER/KEYGATE_TOKEN are an admin's),
// each must exit as the page says (`exit=N`, default 0) and print what the ```text block after it
// shows. Blocks marked `norun` are shown to the reader only.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { Engine } from "@keygate/rego";
import { afterAll, describe, expect, it } from "vitest";
import { type DocBlock, docBlocks, outputMatches } from "./support/doc-blocks.js";
import { CLI_MAIN, ensureCliBuilt, REPO_ROOT } from "./support/keygate-build.js";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith(".md") ? [path] : [];
  });
}

const PAGES = [join(REPO_ROOT, "README.md"), ...markdownFiles(join(REPO_ROOT, "docs"))];
const RUN_MARK = "<!-- doc-test: run -->";
const RUN_PAGES = PAGES.filter((page) => readFileSync(page, "utf8").includes(RUN_MARK));

describe("examples in the docs", () => {
  it("has pages whose examples run", () => {
    expect(RUN_PAGES.map((p) => relative(REPO_ROOT, p)).sort()).toEqual([
      "docs/login-policies.md",
      "docs/migrating/from-harness.md",
      "docs/migrating/from-hcp-terraform.md",
      "docs/migrating/from-spacelift.md",
    ]);
  });

  it.each(PAGES.map((p) => [relative(REPO_ROOT, p)]))(
    "%s: every Rego block compiles, every JSON block parses",
    (page) => {
      const blocks = docBlocks(readFileSync(join(REPO_ROOT, page), "utf8"));
      // Files a page writes (```rego file=...) compile together, as a policy directory does; others alone.
      const files = blocks.filter((b) => b.lang === "rego" && b.attrs.has("file"));
      if (files.length > 0) {
        const engine = new Engine();
        const where = `${page}: ${files.map((b) => `${b.attrs.get("file")} (line ${b.line})`).join(", ")}`;
        expect(
          () => engine.addModules(files.map((b) => ({ file: b.attrs.get("file") ?? "", source: b.body }))),
          where,
        ).not.toThrow();
      }
      for (const block of blocks) {
        const where = `${page}:${block.line}`;
        if (block.lang === "rego" && !block.attrs.has("file")) {
          expect(() => new Engine().addModule("doc.rego", block.body), where).not.toThrow();
        }
        if (block.lang === "json" && !block.attrs.has("norun")) {
          expect(() => JSON.parse(block.body), where).not.toThrow();
        }
      }
    },
  );
});

/**
 * A bin directory with `keygate` (the built CLI) and `jq` (jq itself, compiled to WebAssembly:
 * the npm package jq-wasm), so the pages run the same on every machine, with or without a jq.
 */
function binDirectory(root: string): string {
  const bin = join(root, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "keygate"), `#!/bin/sh\nexec "${process.execPath}" "${CLI_MAIN}" "$@"\n`);
  chmodSync(join(bin, "keygate"), 0o755);
  const jqWasm = createRequire(join(REPO_ROOT, "package.json")).resolve("jq-wasm");
  writeFileSync(
    join(bin, "jq"),
    `#!${process.execPath}
const { readFileSync } = require("node:fs");
const jq = require(${JSON.stringify(jqWasm)});
const args = process.argv.slice(2);
const flags = args.filter((a) => /^-[a-z]+$/.test(a));
const [filter = ".", file] = args.filter((a) => !/^-[a-z]+$/.test(a));
const input = readFileSync(file ?? 0, "utf8");
jq.raw(input, filter, flags).then(
  (out) => process.stdout.write(out === "" ? "" : out + "\\n"),
  (error) => {
    process.stderr.write("jq: " + error.message + "\\n");
    process.exit(5);
  },
);
`,
  );
  chmodSync(join(bin, "jq"), 0o755);
  return bin;
}

describe.each(RUN_PAGES.map((p) => [relative(REPO_ROOT, p)]))("%s, run against a real server", (page) => {
  let location: StoreLocation | undefined;
  let server: KeygateServer | undefined;
  let work: string | undefined;

  afterAll(async () => {
    await server?.stop();
    await location?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("runs every step as the page shows it", async () => {
    ensureCliBuilt();
    location = await freshStore("sqlite");
    const init = await runKeygate(["init", "--org", "acme", "--json", ...location.args], location.env);
    expect(init.code, init.stderr).toBe(0);
    const adminToken = JSON.parse(init.stdout).adminToken as string;
    server = await startKeygate([...location.args], location.env);
    work = mkdtempSync(join(tmpdir(), "keygate-doc-"));
    const bin = binDirectory(work);
    const dir = join(work, "work");
    mkdirSync(dir);
    const state = join(work, "state.sh");
    writeFileSync(state, "");
    const env = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      HOME: work,
      KEYGATE_SERVER: server.url,
      KEYGATE_TOKEN: adminToken,
    };
    const blocks = docBlocks(readFileSync(join(REPO_ROOT, page), "utf8"));
    let steps = 0;
    for (let i = 0; i < blocks.length; i++) {
      const block = blocks[i] as DocBlock;
      if (block.attrs.has("norun")) continue;
      const file = block.attrs.get("file");
      if (file !== undefined) {
        // A file the page shows is (re)written where the page shows it, before the steps after it.
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), block.body);
        continue;
      }
      if (block.lang !== "sh") continue;
      const next = blocks[i + 1];
      const expected = next?.lang === "text" && !next.attrs.has("norun") ? next : undefined;
      const where = `${page}:${block.line}`;
      // Each step sees the variables of the steps before it; its output is stdout and stderr as a terminal shows them.
      const script = `set -a; . "${state}"; set +a\nexec 2>&1\nset -e -o pipefail\ntrap 'export -p > "${state}"' EXIT\nset -a\n${block.body}`;
      const run = spawnSync("bash", ["-c", script], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
      const wantExit = Number(block.attrs.get("exit") ?? "0");
      expect(run.status, `${where}: exit status\n${run.stdout}`).toBe(wantExit);
      if (expected) {
        expect(
          outputMatches(expected.body, run.stdout),
          `${where}: output\n--- the page shows:\n${expected.body}--- the step printed:\n${run.stdout}`,
        ).toBe(true);
      }
      steps++;
    }
    expect(steps).toBeGreaterThan(3);
  }, 180_000);
});
