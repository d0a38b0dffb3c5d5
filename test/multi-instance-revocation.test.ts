// End-to-end: revocations on two Keygate instances on one PostgreSQL database when the revoking
// instance dies. Instance A runs with KEYGATE_TEST_HOLD_AFTER_COMMIT=1: right after a change
// commits it says so and goes no further (no reply, no delivery of its own); the test kills it
// with SIGKILL there. The survivor B must refuse the revoked token although it had it cached. B
// runs with a staleness bound of ten minutes, so only the notification sent inside the revoking
// transaction can make it refuse within the test's limits. Also: B drops its caches when its
// LISTEN connection is killed, and again once it listens anew. A delegate connected to B is
// disconnected when its token is revoked on a killed A (B's periodic sweep is off).
import { spawn } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./support/api-session.js";
import { CLI_MAIN, REPO_ROOT } from "./support/keygate-build.js";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";

/** The test's limit for the survivor to refuse a revoked token (the goal is under a second). */
const LIMIT_MS = 10_000;
const HOLD_MARKER = "keygate: test hold after commit: token.revoked";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function occurrences(text: string, marker: string): number {
  return text.split(marker).length - 1;
}

/** Polls until `check` holds; returns the ms it took, or undefined after `limitMs`. */
async function msUntil(check: () => Promise<boolean>, limitMs = LIMIT_MS): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    if (await check()) return Date.now() - started;
    await sleep(10);
  }
  return undefined;
}

describe("revocations on two instances when the revoking one is killed between commit and reply", () => {
  let location: StoreLocation;
  let survivor: KeygateServer;
  let admin: string;
  let apiKeyId: string;
  let database: pg.Client;
  const killed: KeygateServer[] = [];

  beforeAll(async () => {
    location = await freshStore("postgres");
    const init = await runKeygate(["init", "--org", "acme", "--json"], location.env);
    expect(init.code, init.stderr).toBe(0);
    admin = JSON.parse(init.stdout).adminToken;
    survivor = await startKeygate([], {
      ...location.env,
      KEYGATE_CACHE_MAX_STALENESS_MS: "600000",
      KEYGATE_AUTH_FAILURE_LIMIT: "1000000",
      // Only the change feed may tell B that a delegate token was revoked.
      KEYGATE_DELEGATE_SWEEP_INTERVAL_MS: "600000",
    });
    const sa = await api(survivor.url, admin, "POST", "/organizations/acme/service-accounts", {
      data: { type: "service-accounts", attributes: { name: "bot" } },
    });
    const key = await api(survivor.url, admin, "POST", `/service-accounts/${sa.body.data.id}/api-keys`, {
      data: { type: "api-keys", attributes: { name: "k" } },
    });
    apiKeyId = key.body.data.id;
    database = new pg.Client({ connectionString: location.env.KEYGATE_DATABASE_URL });
    await database.connect();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(killed.map((k) => k.kill()));
    await survivor?.stop();
    await database?.end();
    await location?.dispose();
  });

  /** A new token, used on the survivor until it is served from its cache. */
  async function cachedToken(name: string): Promise<{ id: string; value: string }> {
    const created = await api(survivor.url, admin, "POST", `/api-keys/${apiKeyId}/tokens`, {
      data: { type: "tokens", attributes: { name } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const token = { id: created.body.data.id as string, value: created.body.data.attributes.token as string };
    // The first sight of the organization drops what was cached before it: three requests.
    for (let i = 0; i < 3; i++) expect((await api(survivor.url, token.value, "GET", "/account/details")).status).toBe(200);
    return token;
  }

  async function refusedBySurvivor(token: { value: string }): Promise<boolean> {
    const answer = await api(survivor.url, token.value, "GET", "/account/details");
    if (answer.status === 200) return false;
    expect(answer.status).toBe(401);
    expect(answer.body.errors[0].detail).toMatch(/revoked/);
    return true;
  }

  async function holdingInstance(): Promise<KeygateServer> {
    const instance = await startKeygate([], { ...location.env, KEYGATE_TEST_HOLD_AFTER_COMMIT: "1" });
    killed.push(instance);
    return instance;
  }

  async function revokedInDatabase(tokenId: string): Promise<boolean> {
    const row = await database.query("SELECT revoked_at FROM tokens WHERE id = $1", [tokenId]);
    const audit = await database.query(
      "SELECT count(*)::int AS n FROM audit_events WHERE action = 'token.revoke' AND resource_id = $1",
      [tokenId],
    );
    return row.rows[0]?.revoked_at !== null && audit.rows[0]?.n === 1;
  }

  it("refuses, on the survivor, a revocation whose instance died before replying", async () => {
    const token = await cachedToken("single");
    const doomed = await holdingInstance();
    const reply = api(doomed.url, admin, "POST", `/tokens/${token.id}/actions/revoke`).then(
      (r) => r.status,
      () => "no reply",
    );
    const committed = await msUntil(async () => doomed.output().includes(HOLD_MARKER));
    expect(committed, doomed.output()).toBeDefined();
    const killedAt = Date.now();
    await doomed.kill();
    expect(await reply).toBe("no reply");
    expect(await revokedInDatabase(token.id)).toBe(true);
    const refusedAfter = await msUntil(() => refusedBySurvivor(token));
    const sinceKill = refusedAfter === undefined ? undefined : Date.now() - killedAt;
    console.log(
      `kill -9 between commit and reply: survivor refused the token ${sinceKill} ms after the kill (goal < 1000 ms, limit ${LIMIT_MS} ms)`,
    );
    expect(refusedAfter).toBeDefined();
  }, 90_000);

  it("loses none of 60 revocations committed on instances killed before replying", async () => {
    const rounds = 6;
    const perRound = 10;
    let lost = 0;
    let slowest = 0;
    for (let round = 0; round < rounds; round++) {
      const tokens = [];
      for (let i = 0; i < perRound; i++) tokens.push(await cachedToken(`r${round}-${i}`));
      const doomed = await holdingInstance();
      const replies = tokens.map((t) =>
        api(doomed.url, admin, "POST", `/tokens/${t.id}/actions/revoke`).then(
          (r) => r.status,
          () => "no reply",
        ),
      );
      // Every revocation committed (and held there) before the instance is killed.
      const allCommitted = await msUntil(async () => occurrences(doomed.output(), HOLD_MARKER) === perRound, 30_000);
      expect(allCommitted, doomed.output()).toBeDefined();
      const killedAt = Date.now();
      await doomed.kill();
      expect(new Set(await Promise.all(replies))).toEqual(new Set(["no reply"]));
      for (const token of tokens) {
        expect(await revokedInDatabase(token.id)).toBe(true);
        const refused = await msUntil(() => refusedBySurvivor(token));
        if (refused === undefined) lost++;
        else slowest = Math.max(slowest, Date.now() - killedAt);
      }
    }
    console.log(
      `${rounds * perRound} revocations committed on ${rounds} instances killed before replying: ${lost} lost; all refused by the survivor within ${slowest} ms of the kill`,
    );
    expect(lost).toBe(0);
  }, 300_000);

  it("drops the survivor's caches when its LISTEN connection is killed, and again once it listens anew", async () => {
    const listeners = async () =>
      (
        await database.query(
          "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()",
        )
      ).rows as { pid: number }[];
    // Changed behind Keygate's back: no counter raised, nothing notified.
    const revokeUnannounced = (id: string) =>
      database.query("UPDATE tokens SET revoked_at = $1 WHERE id = $2", [Date.now(), id]);
    let conclusive = false;
    for (let attempt = 0; attempt < 5 && !conclusive; attempt++) {
      // Only the other instances are dead: the survivor's is the one listener.
      expect(await msUntil(async () => (await listeners()).length === 1)).toBeDefined();
      const probe = await cachedToken(`probe-${attempt}`);
      await revokeUnannounced(probe.id);
      // The control: nothing told the survivor, so it still serves the token from its cache.
      expect((await api(survivor.url, probe.value, "GET", "/account/details")).status).toBe(200);
      await database.query("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [
        (await listeners()).map((l) => l.pid),
      ]);
      const dropped = await msUntil(() => refusedBySurvivor(probe));
      console.log(`LISTEN connection killed: survivor dropped its caches within ${dropped} ms`);
      expect(dropped).toBeDefined();
      // Cached again while nobody listens, then changed unannounced before the survivor listens anew.
      const late = await cachedToken(`late-${attempt}`);
      await revokeUnannounced(late.id);
      if ((await listeners()).length > 0) continue; // listening again already: inconclusive, try again
      const relistened = await msUntil(async () => (await listeners()).length === 1);
      expect(relistened).toBeDefined();
      const droppedAgain = await msUntil(() => refusedBySurvivor(late));
      console.log(`LISTEN connection back: survivor dropped its caches again within ${droppedAgain} ms`);
      expect(droppedAgain).toBeDefined();
      conclusive = true;
    }
    expect(conclusive).toBe(true);
  }, 120_000);

  it("disconnects, on the survivor, the delegates of a token revoked on an instance that died before replying", async () => {
    const created = await api(survivor.url, admin, "POST", "/organizations/acme/delegate-tokens", {
      data: { type: "delegate-tokens", attributes: { name: "farm" } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const tokenId: string = created.body.data.id;
    const agent = spawn(
      process.execPath,
      [CLI_MAIN, "delegate", "run", "--server", survivor.url, "--name", "runner", "--token", created.body.data.attributes.token],
      { cwd: REPO_ROOT, env: { ...process.env, DELEGATE_TOKEN: "" } },
    );
    let output = "";
    agent.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number>((resolve) => agent.on("close", (code) => resolve(code ?? -1)));
    try {
      expect(await msUntil(async () => output.includes("connected to"), 30_000), output).toBeDefined();
      const doomed = await holdingInstance();
      void api(doomed.url, admin, "POST", `/delegate-tokens/${tokenId}/actions/revoke`).catch(() => {});
      expect(await msUntil(async () => doomed.output().includes(HOLD_MARKER)), doomed.output()).toBeDefined();
      const killedAt = Date.now();
      await doomed.kill();
      const code = await Promise.race([exited, sleep(LIMIT_MS).then(() => "still connected")]);
      console.log(`kill -9 between commit and reply: the delegate was disconnected ${Date.now() - killedAt} ms after the kill`);
      expect(code, output).toBe(1);
      expect(output).toMatch(/disconnected by the server: delegate token .* was revoked/);
    } finally {
      if (agent.exitCode === null) agent.kill("SIGTERM");
      await exited;
    }
  }, 90_000);
});
