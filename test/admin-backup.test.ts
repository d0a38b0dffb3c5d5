// End-to-end: `keygate admin backup FILE` copies the SQLite store while `keygate serve` runs and
// writes, and the copy restores: a server started on it (the restore steps of docs/operations.md)
// knows everything committed before the backup and accepts the tokens issued then.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./support/api-session.js";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";

describe("keygate admin backup", () => {
  const dirs: string[] = [];
  const servers: KeygateServer[] = [];
  let dataDir: string;
  let admin: string;
  let server: KeygateServer;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "keygate-backup-"));
    dirs.push(dataDir);
    const init = await runKeygate(["init", "--org", "acme", "--json", "--data-dir", dataDir]);
    expect(init.code, init.stderr).toBe(0);
    admin = JSON.parse(init.stdout).adminToken;
    server = await startKeygate(["--data-dir", dataDir]);
    servers.push(server);
  }, 60_000);

  afterAll(async () => {
    for (const s of servers) await s.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const createAccount = (url: string, name: string) =>
    api(url, admin, "POST", "/organizations/acme/service-accounts", {
      data: { type: "service-accounts", attributes: { name } },
    });

  it("copies a running, writing store, and the copy restores into a working server", async () => {
    for (let i = 0; i < 5; i++) expect((await createAccount(server.url, `before-${i}`)).status).toBe(201);
    const backupDir = mkdtempSync(join(tmpdir(), "keygate-backup-out-"));
    dirs.push(backupDir);
    const file = join(backupDir, "keygate-backup.sqlite");
    // Writes keep coming while the backup runs.
    let writing = true;
    let during = 0;
    const writer = (async () => {
      while (writing) {
        if ((await createAccount(server.url, `during-${during}`)).status === 201) during++;
      }
    })();
    const backup = await runKeygate(["admin", "backup", file, "--data-dir", dataDir, "--json"]);
    writing = false;
    await writer;
    expect(backup.code, backup.stderr).toBe(0);
    expect(JSON.parse(backup.stdout)).toMatchObject({ destination: file });
    expect(during).toBeGreaterThan(0);

    // Restore: a new data directory whose keygate.sqlite is the backup.
    const restored = mkdtempSync(join(tmpdir(), "keygate-restored-"));
    dirs.push(restored);
    copyFileSync(file, join(restored, "keygate.sqlite"));
    const second = await startKeygate(["--data-dir", restored]);
    servers.push(second);
    const me = await api(second.url, admin, "GET", "/account/details");
    expect(me.status).toBe(200);
    const names = new Set<string>();
    for (let page = 1; ; page++) {
      const list = await api(
        second.url,
        admin,
        "GET",
        `/organizations/acme/service-accounts?page[size]=100&page[number]=${page}`,
      );
      expect(list.status).toBe(200);
      for (const sa of list.body.data as { attributes: { name: string } }[]) names.add(sa.attributes.name);
      if (list.body.data.length < 100) break;
    }
    for (let i = 0; i < 5; i++) expect(names.has(`before-${i}`)).toBe(true);
    // A consistent snapshot: the accounts written during the backup are a prefix of them.
    const duringNames = [...names].filter((n) => String(n).startsWith("during-"));
    expect(duringNames.sort()).toEqual(
      Array.from({ length: duringNames.length }, (_, i) => `during-${i}`).sort(),
    );
  }, 90_000);

  it("refuses to overwrite a file, and sends PostgreSQL users to pg_dump", async () => {
    const file = join(dataDir, "keygate.sqlite");
    expect(existsSync(file)).toBe(true);
    const overwrite = await runKeygate(["admin", "backup", file, "--data-dir", dataDir]);
    expect(overwrite.code).toBe(1);
    expect(overwrite.stderr).toContain("already exists");
    const pg = await runKeygate(["admin", "backup", join(dataDir, "x.sqlite")], {
      KEYGATE_DATABASE_URL: "postgres://keygate@127.0.0.1:5432/keygate",
    });
    expect(pg.code).toBe(2);
    expect(pg.stderr).toContain("pg_dump");
  });
});
