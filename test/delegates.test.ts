// End-to-end: scenario D (seed 001) with real processes: `keygate serve` and `keygate delegate
// run` agents. The default delegate token; a token created through the CLI; agents connected with
// --token, --token-file (a file as a Vault agent template writes it) and DELEGATE_TOKEN, listed per
// token and per space; rotation (old agents stay, an agent with the new token connects);
// revocation (every agent of the old token stops with a message and exit 1, reconnecting is
// refused); delete only once revoked; a frozen agent dropped for its silence and reconnecting.
// On SQLite with one instance, and on PostgreSQL with two instances whose periodic sweep is off,
// so that only LISTEN/NOTIFY can carry the revocation to the other instance.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./support/api-session.js";
import { CLI_MAIN, ensureCliBuilt, REPO_ROOT } from "./support/keygate-build.js";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";

/** A running `keygate delegate run`. */
interface Agent {
  readonly child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  output(): string;
  /** Resolves when it has printed `connected` `count` times in all. */
  connected(count?: number): Promise<void>;
  /** Its exit code. */
  readonly exited: Promise<number>;
  stop(): Promise<number>;
}

function startAgent(args: readonly string[], env: Readonly<Record<string, string>> = {}): Agent {
  ensureCliBuilt();
  const child = spawn(process.execPath, [CLI_MAIN, "delegate", "run", ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, DELEGATE_TOKEN: "", ...env },
  });
  let output = "";
  const waiters: { count: number; resolve: () => void }[] = [];
  const connections = () => output.split("keygate delegate: connected to").length - 1;
  const check = () => {
    for (const waiter of [...waiters]) {
      if (connections() >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    check();
  });
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
  return {
    child,
    output: () => output,
    connected(count = 1) {
      return new Promise<void>((resolve, reject) => {
        waiters.push({ count, resolve });
        check();
        void exited.then((code) =>
          reject(new Error(`agent exited with ${code} before connecting:\n${output}`)),
        );
      });
    },
    exited,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

/** Waits until `check` holds (the test's own timeout bounds it). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
}

// Fast enough for the frozen agent to be dropped quickly, with room for a busy machine.
const FAST_HEARTBEATS = {
  KEYGATE_DELEGATE_HEARTBEAT_INTERVAL_MS: "250",
  KEYGATE_DELEGATE_HEARTBEAT_TIMEOUT_MS: "2000",
};

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`delegates end to end (${dialect}${dialect === "postgres" ? ", two instances" : ""})`, () => {
    let location: StoreLocation;
    let servers: KeygateServer[] = [];
    let admin: string;
    let dir: string;
    const agents: Agent[] = [];

    /** The server agents of the `i`-th kind go to (alternating on PostgreSQL). */
    const serverFor = (i: number) => servers[i % servers.length]!;
    const cli = (args: string[], server = serverFor(0)) =>
      runKeygate([...args, "--output", "json"], { KEYGATE_SERVER: server.url, KEYGATE_TOKEN: admin });
    const delegatesOf = async (tokenId: string, server = serverFor(0)) => {
      const response = await api(server.url, admin, "GET", `/delegate-tokens/${tokenId}/delegates`);
      expect(response.status).toBe(200);
      return (response.body.data as { attributes: { name: string } }[]).map((d) => d.attributes.name).sort();
    };
    const agent = (args: string[], env: Record<string, string> = {}) => {
      const started = startAgent(args, env);
      agents.push(started);
      return started;
    };

    beforeAll(async () => {
      location = await freshStore(dialect);
      dir = mkdtempSync(join(tmpdir(), "keygate-delegates-"));
      const init = await runKeygate(["init", "--org", "acme", "--json", ...location.args], location.env);
      expect(init.code, init.stderr).toBe(0);
      admin = JSON.parse(init.stdout).adminToken;
      const env = {
        ...location.env,
        ...FAST_HEARTBEATS,
        // On PostgreSQL nothing but the change feed may carry a revocation across instances.
        ...(dialect === "postgres" ? { KEYGATE_DELEGATE_SWEEP_INTERVAL_MS: "600000" } : {}),
      };
      const count = dialect === "postgres" ? 2 : 1;
      servers = await Promise.all(Array.from({ length: count }, () => startKeygate(location.args, env)));
    }, 60_000);

    afterAll(async () => {
      await Promise.all(agents.map((a) => a.stop()));
      await Promise.all(servers.map((s) => s.stop()));
      await location?.dispose();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("connects, lists, rotates, revokes (disconnect, refused reconnect) and deletes", async () => {
      const defaults = await cli(["delegate-token", "list", "--status", "active"]);
      expect(defaults.code, defaults.stderr).toBe(0);
      expect(JSON.parse(defaults.stdout)).toContainEqual(
        expect.objectContaining({ attributes: expect.objectContaining({ name: "default", default: true }) }),
      );

      const created = await cli(["delegate-token", "create", "build-farm", "--description", "CI runners"]);
      expect(created.code, created.stderr).toBe(0);
      const issued = JSON.parse(created.stdout) as { id: string; attributes: { token: string } };
      const oldValue = issued.attributes.token;
      expect(oldValue).toMatch(/^kgd_/);

      // Three ways to hand the token over: flag, a file as the Vault agent template writes it, env.
      const tokenFile = join(dir, "delegate-token");
      writeFileSync(tokenFile, `export DELEGATE_TOKEN="${oldValue}"\n`, { mode: 0o600 });
      const byFlag = agent(["--server", serverFor(0).url, "--name", "runner-flag", "--token", oldValue]);
      const byFile = agent([
        "--server",
        serverFor(1).url,
        "--name",
        "runner-file",
        "--token-file",
        tokenFile,
      ]);
      const byEnv = agent(["--server", serverFor(0).url, "--name", "runner-env", "--host", "box-7"], {
        DELEGATE_TOKEN: oldValue,
      });
      await Promise.all([byFlag.connected(), byFile.connected(), byEnv.connected()]);
      for (const server of servers) {
        expect(await delegatesOf(issued.id, server)).toEqual(["runner-env", "runner-file", "runner-flag"]);
      }
      const perToken = await cli(["delegate-token", "delegates", issued.id], serverFor(1));
      expect(perToken.code, perToken.stderr).toBe(0);
      expect(JSON.parse(perToken.stdout)).toHaveLength(3);
      const listed = await cli(["delegate", "list", "--token-id", issued.id]);
      expect(listed.code, listed.stderr).toBe(0);
      const rows = JSON.parse(listed.stdout) as { attributes: Record<string, string> }[];
      expect(rows.find((r) => r.attributes.name === "runner-env")?.attributes).toMatchObject({
        host: "box-7",
      });
      for (const row of rows) {
        expect(row.attributes["connected-at"]).toMatch(/^\d{4}-/);
        expect(row.attributes["last-heartbeat-at"]).toMatch(/^\d{4}-/);
        expect(row.attributes.version).toMatch(/\d/);
      }

      // Rotation: the old token keeps working; an agent restarted with the new one connects.
      const rotated = await cli(["delegate-token", "rotate", issued.id]);
      expect(rotated.code, rotated.stderr).toBe(0);
      const renewed = JSON.parse(rotated.stdout) as { id: string; attributes: { token: string } };
      expect(renewed.attributes.token).not.toBe(oldValue);
      const byNewToken = agent([
        "--server",
        serverFor(1).url,
        "--name",
        "runner-new",
        "--token",
        renewed.attributes.token,
      ]);
      await byNewToken.connected();
      expect(await delegatesOf(renewed.id)).toEqual(["runner-new"]);
      expect(await delegatesOf(issued.id)).toHaveLength(3);

      // Revocation through the first instance stops every agent of the old token, on every instance.
      const revoked = await api(
        serverFor(0).url,
        admin,
        "POST",
        `/delegate-tokens/${issued.id}/actions/revoke`,
      );
      expect(revoked.status).toBe(200);
      for (const stopped of [byFlag, byFile, byEnv]) {
        expect(await stopped.exited, stopped.output()).toBe(1);
        expect(stopped.output()).toMatch(/disconnected by the server: delegate token .* was revoked/);
      }
      expect(await delegatesOf(issued.id, serverFor(1))).toEqual([]);
      expect(byNewToken.child.exitCode).toBeNull();

      // Reconnecting with the revoked token is refused, with the reason.
      const retry = await runKeygate([
        "delegate",
        "run",
        "--server",
        serverFor(1).url,
        "--name",
        "again",
        "--token",
        oldValue,
      ]);
      expect(retry.code).toBe(1);
      expect(retry.stderr).toMatch(/refused the connection \(401\): .*revoked/);
      expect(retry.stderr).not.toContain(oldValue);

      // Only a revoked token can be deleted.
      expect((await api(serverFor(0).url, admin, "DELETE", `/delegate-tokens/${renewed.id}`)).status).toBe(
        409,
      );
      const deleted = await cli(["delegate-token", "delete", issued.id]);
      expect(deleted.code, deleted.stderr).toBe(0);

      expect(await byNewToken.stop()).toBe(0);
      await eventually(async () => (await delegatesOf(renewed.id)).length === 0);
    });

    it("refuses a delegate with a clear message when the token is missing or not a delegate token", async () => {
      const missing = await runKeygate(["delegate", "run", "--server", serverFor(0).url, "--name", "x"], {
        DELEGATE_TOKEN: "",
      });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(
        /no delegate token: give --token TOKEN, --token-file PATH, or set the DELEGATE_TOKEN/,
      );
      const wrongKind = await runKeygate([
        "delegate",
        "run",
        "--server",
        serverFor(0).url,
        "--name",
        "x",
        "--token",
        admin,
      ]);
      expect(wrongKind.code).toBe(2);
      expect(wrongKind.stderr).toMatch(/not a delegate token/);
      const noFile = await runKeygate([
        "delegate",
        "run",
        "--server",
        serverFor(0).url,
        "--name",
        "x",
        "--token-file",
        join(dir, "absent"),
      ]);
      expect(noFile.code).toBe(2);
      expect(noFile.stderr).toMatch(/cannot read the token file .*absent/);
    });

    it.runIf(dialect === "sqlite")(
      "drops a frozen agent for its silence; once thawed it reconnects",
      async () => {
        const created = await cli(["delegate-token", "create", "freezer"]);
        const issued = JSON.parse(created.stdout) as { id: string; attributes: { token: string } };
        const frozen = agent([
          "--server",
          serverFor(0).url,
          "--name",
          "sleepy",
          "--token",
          issued.attributes.token,
        ]);
        await frozen.connected();
        const delegateId = /\(delegate (dlg-\S+),/.exec(frozen.output())?.[1];
        expect(await delegatesOf(issued.id)).toEqual(["sleepy"]);
        frozen.child.kill("SIGSTOP");
        try {
          // Dropped by the server (not merely hidden from the listing as stale): its disconnect is audited.
          await eventually(async () => {
            const audit = await api(
              serverFor(0).url,
              admin,
              "GET",
              `/organizations/acme/audit-events?filter[action]=delegate.disconnect&filter[resource-id]=${delegateId}`,
            );
            return audit.body.data.some(
              (e: { attributes: { details: { reason?: string } } }) =>
                e.attributes.details.reason === "heartbeat-timeout",
            );
          });
          expect(await delegatesOf(issued.id)).toEqual([]);
        } finally {
          frozen.child.kill("SIGCONT");
        }
        await frozen.connected(2);
        expect(await delegatesOf(issued.id)).toEqual(["sleepy"]);
        expect(await frozen.stop()).toBe(0);
      },
    );
  });
}
