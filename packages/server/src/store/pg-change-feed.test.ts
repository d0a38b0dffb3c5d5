import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { announceChange } from "./announce-change.js";
import type { AnnouncedChange, ChangeEvent } from "./change-feed.js";
import { openStore, type Store } from "./store.js";
import { createTestDatabase, type TestDatabase } from "./test-store.js";

function waitFor(
  events: ChangeEvent[],
  predicate: (e: ChangeEvent) => boolean,
  timeoutMs = 5000,
): Promise<ChangeEvent> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const found = events.find(predicate);
      if (found) return resolve(found);
      if (Date.now() - started > timeoutMs) return reject(new Error("event not received in time"));
      setTimeout(tick, 10);
    };
    tick();
  });
}

const revoked = (tokenId: string): AnnouncedChange => ({
  kind: "token.revoked",
  organizationId: "org-1",
  tokenId,
  publicId: `p-${tokenId}`,
});

describe("change feed across two PostgreSQL instances", () => {
  let database: TestDatabase | undefined;
  const extra: Store[] = [];
  afterEach(async () => {
    for (const store of extra.splice(0)) await store.close();
    await database?.dispose();
    database = undefined;
  });

  it("delivers a change announced through one store to the other, once, before the announcer goes on", async () => {
    database = await createTestDatabase("postgres");
    const other = await database.openAnother();
    const here: ChangeEvent[] = [];
    const there: ChangeEvent[] = [];
    database.store.changes.subscribe((e) => here.push(e));
    other.changes.subscribe((e) => there.push(e));
    await announceChange(database.store, revoked("tok-1"));
    expect(here).toEqual([revoked("tok-1")]);
    // The commit waits until every other listening instance has confirmed the change.
    expect(there).toEqual([revoked("tok-1")]);
    // Give a stray loopback notification time to arrive: it must be ignored.
    await new Promise((r) => setTimeout(r, 100));
    expect(here).toHaveLength(1);
    expect(there).toHaveLength(1);
  });

  it("counts a newly started instance among those that must confirm, though it counted the listeners before", async () => {
    database = await createTestDatabase("postgres");
    const first = await database.openAnother();
    const heardByFirst: ChangeEvent[] = [];
    first.changes.subscribe((e) => heardByFirst.push(e));
    // Counted here: this instance and the first other.
    await announceChange(database.store, revoked("tok-5"));
    expect(heardByFirst).toEqual([revoked("tok-5")]);
    // A second instance starts listening and says so; the next change waits for its receipt too.
    const second = await database.openAnother();
    const heardBySecond: ChangeEvent[] = [];
    second.changes.subscribe((e) => heardBySecond.push(e));
    // Its hello travels like any notification: it arrives within a moment.
    await new Promise((r) => setTimeout(r, 200));
    await announceChange(database.store, revoked("tok-6"));
    expect(heardBySecond).toEqual([revoked("tok-6")]);
    expect(heardByFirst).toEqual([revoked("tok-5"), revoked("tok-6")]);
    // The same counted listeners serve the next change, which every instance still confirms.
    await announceChange(database.store, revoked("tok-7"));
    expect(heardBySecond).toEqual([revoked("tok-6"), revoked("tok-7")]);
  });

  it("sends with the commit: the other instance hears of a change whose sender never went past the commit", async () => {
    database = await createTestDatabase("postgres");
    let committed = 0;
    // This instance stops for good right after the commit, as a process killed there would.
    const stuck = await openStore({
      databaseUrl: database.databaseUrl,
      onCommitted: () => {
        committed++;
        return new Promise<void>(() => {});
      },
    });
    extra.push(stuck);
    const heardByStuck: ChangeEvent[] = [];
    stuck.changes.subscribe((e) => heardByStuck.push(e));
    const there: ChangeEvent[] = [];
    database.store.changes.subscribe((e) => there.push(e));
    void announceChange(stuck, revoked("tok-2"));
    expect(await waitFor(there, (e) => e.kind === "token.revoked")).toEqual(revoked("tok-2"));
    // The other instance may hear of it before the sender has seen its COMMIT complete.
    for (let i = 0; i < 500 && committed === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(committed).toBe(1);
    expect(heardByStuck).toEqual([]);
  });

  it("sends nothing for a rolled back transaction", async () => {
    database = await createTestDatabase("postgres");
    const other = await database.openAnother();
    const there: ChangeEvent[] = [];
    other.changes.subscribe((e) => there.push(e));
    await database.store
      .transaction(async (tx) => {
        await announceChange(tx, revoked("rolled-back"));
        throw new Error("abort");
      })
      .catch(() => {});
    await announceChange(database.store, revoked("committed"));
    expect(there).toEqual([revoked("committed")]);
  });

  it("splits a large transaction's changes into notifications under PostgreSQL's payload limit", async () => {
    database = await createTestDatabase("postgres");
    const other = await database.openAnother();
    const there: ChangeEvent[] = [];
    other.changes.subscribe((e) => there.push(e));
    const many = Array.from({ length: 300 }, (_, i) => revoked(`tok-${String(i).padStart(4, "0")}`));
    await database.store.transaction(async (tx) => {
      for (const change of many) await announceChange(tx, change);
    });
    expect(there).toEqual(many);
  });

  it("does not hear instances whose tables live in another schema of the same database", async () => {
    database = await createTestDatabase("postgres");
    const neighbour = await createTestDatabase("postgres");
    try {
      const there: ChangeEvent[] = [];
      neighbour.store.changes.subscribe((e) => there.push(e));
      const here: ChangeEvent[] = [];
      const other = await database.openAnother();
      other.changes.subscribe((e) => here.push(e));
      await announceChange(database.store, revoked("tok-3"));
      expect(here).toEqual([revoked("tok-3")]);
      await new Promise((r) => setTimeout(r, 100));
      expect(there).toEqual([]);
    } finally {
      await neighbour.dispose();
    }
  });

  it("drops every cache when its LISTEN connection drops, and again once it listens anew", async () => {
    database = await createTestDatabase("postgres");
    const other = await database.openAnother();
    const there: ChangeEvent[] = [];
    other.changes.subscribe((e) => there.push(e));
    const dbName = new URL(database.databaseUrl).pathname.slice(1);
    const schema = (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(database.store.db)).rows[0]?.s;
    // Kill this schema's LISTEN connections, as a server restart or failover would.
    const killed = await sql<{ pid: number }>`SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity
              WHERE datname = ${dbName} AND query = ${`LISTEN "keygate_changes_${schema}"`}`.execute(
      database.store.db,
    );
    expect(killed.rows).toHaveLength(2);
    const resyncs = () => there.filter((e) => e.kind === "resync" && e.organizationId === undefined).length;
    // At once when the connection drops, and once listening again (about a second later).
    const started = Date.now();
    while (resyncs() < 2 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
    expect(resyncs()).toBe(2);
    // The announcing side may itself be re-listening; announce until the other side hears it.
    const change: AnnouncedChange = { kind: "principal.changed", organizationId: "o", principalId: "sa-1" };
    await announceChange(database.store, change);
    expect(await waitFor(there, (e) => e.kind === "principal.changed")).toEqual(change);
  });
});
