// End-to-end: the PostgreSQL backup and restore of docs/operations.md, as written there: pg_dump
// (custom format) of a running Keygate's database, pg_restore --no-owner into an empty database,
// and a server started on the restored one knows what was committed and accepts the same tokens.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { api } from "./support/api-session.js";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";

const HAVE_PG_TOOLS = ["pg_dump", "pg_restore"].every((tool) => spawnSync(tool, ["--version"]).status === 0);

/** The connection URL libpq's tools get: the test's URL without its session options. */
function libpqUrl(location: StoreLocation): string {
  const url = new URL(location.env.KEYGATE_DATABASE_URL ?? "");
  url.search = "";
  return url.toString();
}

describe.skipIf(!HAVE_PG_TOOLS)("PostgreSQL backup and restore with pg_dump and pg_restore", () => {
  const locations: StoreLocation[] = [];
  const servers: KeygateServer[] = [];
  const dir = mkdtempSync(join(tmpdir(), "keygate-pgdump-"));

  afterAll(async () => {
    for (const s of servers) await s.stop();
    for (const l of locations) await l.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("restores a dump taken while the server runs into a working server", async () => {
    const source = await freshStore("postgres");
    locations.push(source);
    const init = await runKeygate(["init", "--org", "acme", "--json"], source.env);
    expect(init.code, init.stderr).toBe(0);
    const admin = JSON.parse(init.stdout).adminToken as string;
    const server = await startKeygate([], source.env);
    servers.push(server);
    const created = await api(server.url, admin, "POST", "/organizations/acme/service-accounts", {
      data: { type: "service-accounts", attributes: { name: "backed-up" } },
    });
    expect(created.status).toBe(201);

    const file = join(dir, "keygate.dump");
    const dump = spawnSync("pg_dump", ["--format=custom", `--file=${file}`, libpqUrl(source)], {
      encoding: "utf8",
    });
    expect(dump.status, dump.stderr).toBe(0);

    const target = await freshStore("postgres");
    locations.push(target);
    const restore = spawnSync("pg_restore", ["--no-owner", `--dbname=${libpqUrl(target)}`, file], {
      encoding: "utf8",
    });
    expect(restore.status, restore.stderr).toBe(0);

    const restored = await startKeygate([], target.env);
    servers.push(restored);
    const account = await api(restored.url, admin, "GET", `/service-accounts/${created.body.data.id}`);
    expect(account.status).toBe(200);
    expect(account.body.data.attributes.name).toBe("backed-up");
  }, 90_000);
});
