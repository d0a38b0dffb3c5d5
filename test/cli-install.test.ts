// End-to-end: the installed command. `npx keygate` works from the checkout (the root package
// exposes the bin), and the CLI package installs globally the way it would be published: the three
// workspace packages (@keygate/rego, @keygate/server, @keygate/cli) are packed with `npm pack` and
// served as a registry for the @keygate scope; `npm install --global` of the CLI's tarball into a
// temporary prefix resolves its @keygate dependencies from there and everything else as usual.
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureCliBuilt, REPO_ROOT } from "./support/keygate-build.js";
import { type PackedPackage, type ScopedRegistry, startScopedRegistry } from "./support/scoped-registry.js";

const WORKSPACES = ["packages/rego", "packages/server", "packages/cli"];
const VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, "packages/cli/package.json"), "utf8")) as { version: string }
).version;

describe("the installed keygate command", () => {
  let dir: string;
  let registry: ScopedRegistry | undefined;

  beforeAll(() => {
    ensureCliBuilt();
    dir = mkdtempSync(join(tmpdir(), "keygate-install-"));
  });

  afterAll(async () => {
    await registry?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs from the checkout with npx keygate", () => {
    const run = spawnSync("npx", ["--offline", "keygate", "--version"], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(run.stderr).not.toContain("could not determine executable");
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(`keygate ${VERSION}\n`);
  }, 60_000);

  it("installs globally from the packed packages and runs", async () => {
    const packed = JSON.parse(
      execFileSync(
        "npm",
        ["pack", "--json", "--pack-destination", dir, ...WORKSPACES.flatMap((w) => ["-w", w])],
        {
          cwd: REPO_ROOT,
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        },
      ),
    ) as { name: string; version: string; filename: string; integrity: string; shasum: string }[];
    const packages: PackedPackage[] = packed.map((p, i) => ({
      ...p,
      manifest: JSON.parse(readFileSync(join(REPO_ROOT, WORKSPACES[i] as string, "package.json"), "utf8")),
    }));
    expect(packages.map((p) => p.name)).toEqual(["@keygate/rego", "@keygate/server", "@keygate/cli"]);
    // What a user gets: dist only, no sources or tests.
    const cli = packages[2] as PackedPackage;
    const listing = execFileSync("tar", ["-tzf", join(dir, cli.filename)], { encoding: "utf8" });
    expect(listing).toContain("package/dist/main.js");
    expect(listing).not.toMatch(/\.test\.js|\/src\//);

    // better-sqlite3 installs a prebuilt binary from its release host (compiling SQLite when there
    // is none, minutes on this machine): the test serves the one this checkout uses, for its version.
    const sqlite = JSON.parse(
      readFileSync(join(REPO_ROOT, "node_modules/better-sqlite3/package.json"), "utf8"),
    ) as {
      version: string;
    };
    const prebuild = `better-sqlite3-v${sqlite.version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
    const binary = execFileSync(
      "tar",
      ["-cz", "-C", join(REPO_ROOT, "node_modules/better-sqlite3"), "build/Release/better_sqlite3.node"],
      { maxBuffer: 256 * 1024 * 1024 },
    );
    registry = await startScopedRegistry(dir, packages, {
      [`prebuilds/v${sqlite.version}/${prebuild}`]: binary,
    });
    const prefix = join(dir, "prefix");
    // Asynchronously: the registry answers from this process's event loop.
    const install = await promisify(execFile)(
      "npm",
      [
        "install",
        "--global",
        "--prefix",
        prefix,
        `--@keygate:registry=${registry.url}`,
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--foreground-scripts",
        join(dir, cli.filename),
      ],
      {
        encoding: "utf8",
        cwd: dir,
        timeout: 540_000,
        killSignal: "SIGKILL",
        env: { ...process.env, npm_config_better_sqlite3_binary_host: `${registry.url}prebuilds` },
      },
    ).catch((error: { stderr?: string; message: string }) => {
      throw new Error(
        `npm install --global failed: ${error.message}\n${error.stderr ?? ""}\nserved: ${registry?.served.join(", ")}`,
      );
    });
    expect(install.stderr).not.toMatch(/npm error/);
    // The workspace dependencies came from the scope's registry, as they would once published.
    expect(registry.served).toEqual(expect.arrayContaining(["@keygate/rego", "@keygate/server"]));

    const keygate = join(prefix, "bin", "keygate");
    const env = { PATH: `${join(prefix, "bin")}:${process.env.PATH}`, HOME: dir };
    const version = spawnSync(keygate, ["--version"], { encoding: "utf8", env });
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toBe(`keygate ${VERSION}\n`);
    // The engine (@keygate/rego) and the server (@keygate/server, with its SQLite driver) load.
    const evaluated = spawnSync(keygate, ["policy", "eval", "1 + 1 == 2"], { encoding: "utf8", env });
    expect(evaluated.status, evaluated.stderr).toBe(0);
    expect(JSON.parse(evaluated.stdout).result[0].expressions[0].value).toBe(true);
    const init = spawnSync(
      keygate,
      ["init", "--org", "installed", "--data-dir", join(dir, "data"), "--json"],
      {
        encoding: "utf8",
        env,
      },
    );
    expect(init.status, init.stderr).toBe(0);
    expect(JSON.parse(init.stdout).organization).toBe("installed");
  }, 600_000);
});
