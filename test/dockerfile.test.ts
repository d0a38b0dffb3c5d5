// Deployment: the Dockerfile, linted without a Docker daemon (none, nor an image registry, is
// reachable where this runs): dockerfile-utils' validator (the linter of the Docker language
// server) with every rule at error, the rules this image keeps (multi-stage, `npm ci`, the
// toolchain better-sqlite3's fallback build needs, pinned bases, a non-root user, a health check),
// the build context (.dockerignore keeps out what it must and lets in what the Dockerfile copies),
// and the runtime stage's layout rebuilt from the current build: `keygate serve` starts from
// exactly the files the stage copies, and the HEALTHCHECK command passes against it and fails
// once it stops.
import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { validate } from "dockerfile-utils";
import { afterAll, describe, expect, it } from "vitest";
import { ensureCliBuilt, REPO_ROOT } from "./support/keygate-build.js";

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

interface Stage {
  readonly name: string;
  readonly base: string;
  readonly instructions: Instruction[];
}

const DOCKERFILE = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8");
const DOCKERIGNORE = readFileSync(join(REPO_ROOT, ".dockerignore"), "utf8");

/** Instructions with continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let current = "";
  let start = 0;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (current === "" && (line === "" || line.startsWith("#"))) return;
    if (current === "") start = index + 1;
    if (line.startsWith("#")) return;
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1)} `;
      return;
    }
    current += line;
    const match = /^(\S+)\s*(.*)$/s.exec(current);
    if (match)
      out.push({ keyword: (match[1] ?? "").toUpperCase(), args: (match[2] ?? "").trim(), line: start });
    current = "";
  });
  return out;
}

function stages(all: readonly Instruction[]): { args: Map<string, string>; stages: Stage[] } {
  const args = new Map<string, string>();
  const out: Stage[] = [];
  for (const ins of all) {
    if (ins.keyword === "FROM") {
      const [base = "", , name = ""] = ins.args.split(/\s+/);
      out.push({
        name,
        base: base.replace(/^\$\{(\w+)\}$/, (_, arg: string) => args.get(arg) ?? base),
        instructions: [],
      });
    } else if (out.length === 0 && ins.keyword === "ARG") {
      const [name = "", value = ""] = ins.args.split("=");
      args.set(name, value);
    } else {
      out.at(-1)?.instructions.push(ins);
    }
  }
  return { args, stages: out };
}

/** Whether .dockerignore excludes `path` (its patterns as Docker reads them: `**` any depth, `!` re-includes). */
function ignored(path: string): boolean {
  let out = false;
  for (const raw of DOCKERIGNORE.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    const pattern = (negate ? line.slice(1) : line).replace(/^\/+/, "");
    const regex = new RegExp(
      `^${pattern
        .split("/")
        .map((part) =>
          part === "**"
            ? "(?:.*/)?"
            : `${part
                .replace(/[.+^$()|[\]{}]/g, "\\$&")
                .replace(/\*/g, "[^/]*")
                .replace(/\?/g, "[^/]")}/`,
        )
        .join("")
        .replace(/\/$/, "")
        .replace(/\(\?:\.\*\/\)\?\//g, "(?:.*/)?")}(?:/.*)?$`,
    );
    if (regex.test(path)) out = !negate;
  }
  return out;
}

const parsed = stages(instructions(DOCKERFILE));
const runtime = parsed.stages.at(-1) as Stage;
const temporary: string[] = [];

afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

describe("the Dockerfile", () => {
  it("passes dockerfile-utils' validator with every rule at error", () => {
    const E = 2; // ValidationSeverity.ERROR
    const diagnostics = validate(DOCKERFILE, {
      deprecatedMaintainer: E,
      directiveCasing: E,
      emptyContinuationLine: E,
      instructionCasing: E,
      instructionCmdMultiple: E,
      instructionEntrypointMultiple: E,
      instructionHealthcheckMultiple: E,
      instructionJSONInSingleQuotes: E,
      instructionWorkdirRelative: E,
    });
    expect(diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
    // The validator itself finds problems (so an empty answer above means something).
    expect(
      validate("FROM node\nworkdir app\nCMD a\nCMD b\n", { instructionWorkdirRelative: E }).length,
    ).toBeGreaterThan(0);
  });

  it("is multi-stage on pinned Node images that satisfy the engines field", () => {
    expect(parsed.stages.length).toBeGreaterThanOrEqual(3);
    const engines = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).engines.node as string;
    const [major, minor] = (/>=\s*(\d+)\.(\d+)/.exec(engines) ?? []).slice(1).map(Number);
    for (const stage of parsed.stages) {
      if (parsed.stages.some((s) => s.name === stage.base)) continue; // built on an earlier stage
      const tag = /^node:(\d+)\.(\d+)(?:\.\d+)?-[a-z0-9-]+$/.exec(stage.base);
      expect(tag, `${stage.name}: base ${stage.base} must be node:<major>.<minor>-<variant>`).not.toBeNull();
      const [imageMajor, imageMinor] = [Number(tag?.[1]), Number(tag?.[2])];
      expect(imageMajor > (major ?? 0) || (imageMajor === major && imageMinor >= (minor ?? 0))).toBe(true);
    }
  });

  it("installs with npm ci only, with the toolchain better-sqlite3 may build with", () => {
    const runs = parsed.stages.flatMap((s) =>
      s.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args),
    );
    expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(runs.filter((r) => /\bnpm (install|i)\b/.test(r))).toEqual([]);
    const depsStage = parsed.stages.find((s) =>
      s.instructions.some((i) => i.keyword === "RUN" && /npm ci --omit=dev/.test(i.args)),
    );
    expect(depsStage, "a stage installs the production dependencies").toBeDefined();
    const toolchain =
      depsStage?.instructions.find((i) => i.keyword === "RUN" && /apt-get install/.test(i.args))?.args ?? "";
    for (const tool of ["python3", "make", "g++"]) expect(toolchain).toContain(tool);
    expect(runtime.instructions.some((i) => i.keyword === "RUN" && /apt-get install|npm /.test(i.args))).toBe(
      false,
    );
    // Workspace dependencies hoisted to the root: the runtime stage copies only /app/node_modules.
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const nested = Object.entries(lock.packages).filter(
      ([path, entry]) => /^packages\/[^/]+\/node_modules\//.test(path) && !entry.dev,
    );
    expect(nested.map(([path]) => path)).toEqual([]);
  });

  it("installs (npm ci --omit=dev) every package the entry point can load", () => {
    // Walk the compiled modules from the entry point: static and dynamic imports, and the files a
    // module names with new URL("./x.js", import.meta.url) (the policy worker) or require(.resolve)s
    // (Redoc's bundle). Every other
    // package reached must be one `npm ci --omit=dev` installs (not marked dev in the lockfile).
    const { builtinModules } = createRequire(import.meta.url)("node:module") as { builtinModules: string[] };
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { dev?: boolean }>;
    };
    ensureCliBuilt();
    const seen = new Set<string>();
    const packages = new Set<string>();
    const queue = [join(REPO_ROOT, "packages/cli/dist/main.js")];
    while (queue.length > 0) {
      const file = queue.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      const specifiers = [
        ...[...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)["']([^"']+)["']/gm)].map(
          (m) => m[1] ?? "",
        ),
        ...[...text.matchAll(/new URL\(\s*["'](\.{1,2}\/[^"']+\.js)["']\s*,\s*import\.meta\.url/g)].map(
          (m) => m[1] ?? "",
        ),
        ...[...text.matchAll(/\brequire(?:\.resolve)?\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? ""),
      ];
      for (const specifier of specifiers) {
        // Only what has a module specifier's shape (the patterns also meet `from "x"` inside strings).
        if (!/^(?:\.{1,2}\/[\w./-]+|node:[\w/]+|(?:@[\w.-]+\/)?[\w.-]+(?:\/[\w./-]+)?)$/.test(specifier))
          continue;
        if (specifier.startsWith(".")) {
          const target = join(dirname(file), specifier);
          if (existsSync(target)) queue.push(target);
          continue;
        }
        const name = specifier.startsWith("@")
          ? specifier.split("/").slice(0, 2).join("/")
          : (specifier.split("/")[0] ?? "");
        if (specifier.startsWith("node:") || builtinModules.includes(name)) continue;
        const workspace = /^@keygate\/(rego|server|cli)$/.exec(name)?.[1];
        if (workspace) queue.push(join(REPO_ROOT, "packages", workspace, "dist/index.js"));
        else packages.add(name);
      }
    }
    expect(seen.size).toBeGreaterThan(100);
    for (const name of ["fastify", "better-sqlite3", "pg", "piscina", "redoc"])
      expect(packages.has(name), name).toBe(true);
    const devOnly = [...packages].filter((name) => {
      const entry = lock.packages[`node_modules/${name}`];
      return entry === undefined || entry.dev === true;
    });
    expect(devOnly, "packages the server loads that npm ci --omit=dev leaves out").toEqual([]);
  });

  it("runs as a non-root user, with a health check, the entry point and the data volume", () => {
    const user = runtime.instructions.filter((i) => i.keyword === "USER").at(-1);
    expect(user).toBeDefined();
    expect(user?.args).not.toMatch(/^(root|0)(:|$)/);
    const last = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword).at(-1);
    const entrypoint = last("ENTRYPOINT");
    expect((user?.line ?? 0) < (entrypoint?.line ?? 0)).toBe(true);
    expect(last("HEALTHCHECK")?.args).toMatch(/--interval=\d+s .*CMD \[/);
    expect(JSON.parse(entrypoint?.args ?? "[]")).toEqual(["node", "/app/packages/cli/dist/main.js"]);
    expect(JSON.parse(last("CMD")?.args ?? "[]")).toEqual(["serve"]);
    expect(last("VOLUME")?.args).toContain("/var/lib/keygate");
    const env = last("ENV")?.args ?? "";
    expect(env).toContain("KEYGATE_HOST=0.0.0.0");
    expect(env).toContain("KEYGATE_DATA_DIR=/var/lib/keygate");
  });

  it("has a build context holding what it copies and nothing it must not", () => {
    const sources = parsed.stages
      .flatMap((s) => s.instructions)
      .filter((i) => (i.keyword === "COPY" || i.keyword === "ADD") && !i.args.startsWith("--from="))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(join(REPO_ROOT, source)), source).toBe(true);
      expect(ignored(source), `${source} is copied but .dockerignore excludes it`).toBe(false);
    }
    expect(parsed.stages.flatMap((s) => s.instructions).filter((i) => i.keyword === "ADD")).toEqual([]);
    for (const path of [
      "node_modules",
      "packages/server/node_modules",
      "packages/server/dist",
      ".git",
      ".keygate",
      ".env",
      "data/keygate.sqlite",
      "keygate.sqlite-wal",
    ]) {
      expect(ignored(path), `${path} must stay out of the build context`).toBe(true);
    }
    expect(ignored("packages/server/src/http/app.ts")).toBe(false);
  });

  it("starts keygate serve from the runtime stage's files alone, and its HEALTHCHECK tells up from down", async () => {
    ensureCliBuilt();
    const root = mkdtempSync(join(tmpdir(), "keygate-image-"));
    temporary.push(root);
    const app = join(root, "app");
    // node_modules: the installed packages, with the workspace packages pointing into this layout.
    mkdirSync(join(app, "node_modules", "@keygate"), { recursive: true });
    for (const entry of readdirSync(join(REPO_ROOT, "node_modules"))) {
      if (entry === "@keygate" || entry === ".bin") continue;
      symlinkSync(join(REPO_ROOT, "node_modules", entry), join(app, "node_modules", entry));
    }
    for (const pkg of ["rego", "server", "cli"])
      symlinkSync(join(app, "packages", pkg), join(app, "node_modules", "@keygate", pkg));
    const copies = runtime.instructions.filter((i) => i.keyword === "COPY" && /^--from=build\b/.test(i.args));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const [, source = "", destination = ""] = copy.args.split(/\s+/);
      const target = join(
        app,
        destination.endsWith("/") ? join(destination, source.split("/").at(-1) ?? "") : destination,
      );
      cpSync(join(REPO_ROOT, source.replace(/^\/app\//, "")), target, { recursive: true });
    }
    cpSync(join(REPO_ROOT, "package.json"), join(app, "package.json"));
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    const env = {
      ...process.env,
      KEYGATE_HOST: "127.0.0.1",
      KEYGATE_PORT: String(port),
      KEYGATE_DATA_DIR: join(root, "data"),
    };
    const entrypoint = JSON.parse(
      runtime.instructions.find((i) => i.keyword === "ENTRYPOINT")?.args ?? "[]",
    ) as string[];
    const server = spawn(process.execPath, [join(root, (entrypoint[1] ?? "").replace(/^\//, "")), "serve"], {
      env,
      cwd: app,
    });
    let output = "";
    server.stdout.on("data", (c: Buffer) => {
      output += c.toString();
    });
    server.stderr.on("data", (c: Buffer) => {
      output += c.toString();
    });
    const healthcheck = JSON.parse(
      /CMD (\[.*\])$/.exec(runtime.instructions.find((i) => i.keyword === "HEALTHCHECK")?.args ?? "")?.[1] ??
        "[]",
    ) as string[];
    expect(healthcheck[0]).toBe("node");
    const check = () => spawnSync(process.execPath, healthcheck.slice(1), { env, timeout: 10_000 }).status;
    try {
      const deadline = Date.now() + 30_000;
      while (check() !== 0) {
        if (Date.now() > deadline || server.exitCode !== null) throw new Error(`not healthy:\n${output}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      // The server's own output arrives on the event loop, which the synchronous checks held.
      while (!output.includes("listening on") && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(output).toContain("listening on");
      // Loaded from the layout, not from the checkout.
      expect(existsSync(join(app, "packages", "server", "src"))).toBe(false);
    } finally {
      server.kill("SIGTERM");
      await new Promise((r) => server.once("close", r));
    }
    expect(check()).not.toBe(0);
  }, 60_000);
});
