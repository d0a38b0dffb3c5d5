// HTTP API tests, delegate hub, on every dialect, with real WebSocket clients over real sockets:
// connect and list, refusals before the handshake, heartbeats, dropping a silent delegate,
// revocation closing the connection (on another instance too, through the change feed) and
// refusing the reconnect.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { MutationContext } from "../../domain/audit/actor.js";
import { listAuditEvents } from "../../domain/audit/audit-event.js";
import {
  createDelegateToken,
  type IssuedDelegateToken,
  revokeDelegateToken,
  rotateDelegateToken,
} from "../../domain/delegate-tokens/delegate-token.js";
import { listDelegates } from "../../domain/delegates/delegate.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../../domain/organizations/organization-bootstrap.js";
import type { Store } from "../../store/store.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { DelegateHub } from "./delegate-hub.js";
import { DELEGATE_CLOSE_CODES, DELEGATE_CONNECT_PATH, type DelegateWelcome } from "./delegate-protocol.js";
import type { DelegateSettings } from "./delegate-settings.js";

// The timeout leaves room for a busy machine: a heartbeating client is never dropped by mistake.
const FAST: DelegateSettings = { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 1000, sweepIntervalMs: 50 };
// Long enough that nothing but the change feed can close a connection during a test.
const NO_SWEEP: DelegateSettings = {
  heartbeatIntervalMs: 100,
  heartbeatTimeoutMs: 600_000,
  sweepIntervalMs: 600_000,
};

interface Instance {
  readonly hub: DelegateHub;
  readonly url: string;
  close(): Promise<void>;
}

async function startInstance(store: Store, settings: DelegateSettings): Promise<Instance> {
  const hub = new DelegateHub(store, settings);
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", (request, socket, head) => void hub.upgrade(request, socket, head));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hub,
    url: `ws://127.0.0.1:${port}${DELEGATE_CONNECT_PATH}`,
    async close() {
      await hub.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Client {
  readonly socket: WebSocket;
  /** The welcome, or the refusal (status and error detail) of the handshake. */
  readonly opened: Promise<
    { ok: true; welcome: DelegateWelcome } | { ok: false; status: number; detail: string }
  >;
  readonly closed: Promise<{ code: number; reason: string }>;
}

function connect(instance: Instance, token: string, query = "name=builder&host=ci-1&version=1.2.3"): Client {
  const socket = new WebSocket(`${instance.url}?${query}`, { headers: { authorization: `Bearer ${token}` } });
  const opened = new Promise<Awaited<Client["opened"]>>((resolve) => {
    socket.once("message", (data) =>
      resolve({ ok: true, welcome: JSON.parse(data.toString()) as DelegateWelcome }),
    );
    socket.on("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on("end", () => {
        const detail = (JSON.parse(body) as { errors: { detail: string }[] }).errors[0]?.detail ?? "";
        resolve({ ok: false, status: response.statusCode ?? 0, detail });
      });
    });
  });
  socket.on("error", () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  return { socket, opened, closed };
}

async function welcomed(client: Client): Promise<DelegateWelcome> {
  const result = await client.opened;
  if (!result.ok) throw new Error(`refused: ${result.status} ${result.detail}`);
  return result.welcome;
}

/** Waits until `check` holds, polling the store (the test's own timeout bounds it). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
}

for (const dialect of DIALECTS) {
  describe(`delegate hub (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    let instance: Instance;

    const live = (filter: { delegateTokenId?: string; spaceId?: string } = {}) =>
      listDelegates(database.store, ctx.organizationId, { heartbeatSince: 0, ...filter });

    async function newToken(name: string): Promise<IssuedDelegateToken> {
      return createDelegateToken(database.store, ctx, { name });
    }

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" } };
      instance = await startInstance(database.store, FAST);
    });

    afterAll(async () => {
      await instance?.close();
      await database?.dispose();
    });

    it("accepts a delegate, welcomes it with the heartbeat timing and lists it per token and space", async () => {
      const token = await newToken("listing");
      const client = connect(instance, token.value);
      const welcome = await welcomed(client);
      expect(welcome).toMatchObject({
        type: "welcome",
        delegateTokenId: token.delegateToken.id,
        spaceId: org.rootSpace.id,
        heartbeatIntervalMs: FAST.heartbeatIntervalMs,
        heartbeatTimeoutMs: FAST.heartbeatTimeoutMs,
      });
      const byToken = await live({ delegateTokenId: token.delegateToken.id });
      expect(byToken.items).toEqual([
        expect.objectContaining({ id: welcome.delegateId, name: "builder", host: "ci-1", version: "1.2.3" }),
      ]);
      expect((await live({ spaceId: org.rootSpace.id })).items.map((d) => d.id)).toContain(
        welcome.delegateId,
      );
      const connectedAt = byToken.items[0]!.connectedAt;
      client.socket.send(JSON.stringify({ type: "heartbeat" }));
      await eventually(async () =>
        (await live({ delegateTokenId: token.delegateToken.id })).items.some(
          (d) => d.lastHeartbeatAt > connectedAt,
        ),
      );
      client.socket.close();
      await client.closed;
      await eventually(async () => (await live({ delegateTokenId: token.delegateToken.id })).total === 0);
      const actions = (
        await listAuditEvents(database.store, ctx.organizationId, { resourceType: "delegate" })
      ).items
        .filter((e) => e.resourceId === welcome.delegateId)
        .map((e) => [e.action, e.details.reason]);
      expect(actions).toEqual([
        ["delegate.disconnect", "closed"],
        ["delegate.connect", undefined],
      ]);
    });

    it("refuses before the handshake: no token, another kind of token, unknown token, no name", async () => {
      const token = await newToken("refusals");
      const none = await connect(instance, "").opened;
      expect(none).toMatchObject({ ok: false, status: 401 });
      const wrongKind = await connect(instance, org.tokenValue).opened;
      expect(wrongKind).toMatchObject({ ok: false, status: 401 });
      expect(!wrongKind.ok && wrongKind.detail).toMatch(/not a delegate token/);
      // Change the last character (to one it is not), so the checksum no longer matches.
      const last = token.value.endsWith("x") ? "y" : "x";
      const garbled = await connect(instance, `${token.value.slice(0, -1)}${last}`).opened;
      expect(garbled).toMatchObject({ ok: false, status: 401 });
      const nameless = await connect(instance, token.value, "host=h").opened;
      expect(nameless).toMatchObject({ ok: false, status: 422 });
      expect(!nameless.ok && nameless.detail).toMatch(/name/);
    });

    it("drops a delegate whose heartbeat stops and keeps one that sends them", async () => {
      const token = await newToken("heartbeats");
      const chatty = connect(instance, token.value, "name=chatty");
      const chattyWelcome = await welcomed(chatty);
      // Beat from the welcome on, so a slow machine never lets the chatty one look silent.
      const beat = setInterval(
        () => chatty.socket.send(JSON.stringify({ type: "heartbeat" })),
        FAST.heartbeatIntervalMs,
      );
      const silent = connect(instance, token.value, "name=silent");
      try {
        await welcomed(silent);
        const closed = await silent.closed;
        expect(closed.code).toBe(DELEGATE_CLOSE_CODES.heartbeatTimeout);
        const left = await live({ delegateTokenId: token.delegateToken.id });
        expect(left.items.map((d) => d.id)).toEqual([chattyWelcome.delegateId]);
      } finally {
        clearInterval(beat);
        chatty.socket.close();
        await chatty.closed;
      }
    });

    it("closes a connection that sends something other than a heartbeat", async () => {
      const token = await newToken("chatter");
      const client = connect(instance, token.value, "name=rude");
      const welcome = await welcomed(client);
      client.socket.send("hello?");
      expect((await client.closed).code).toBe(DELEGATE_CLOSE_CODES.protocolError);
      const events = await listAuditEvents(database.store, ctx.organizationId, {
        resourceType: "delegate",
        action: "delegate.disconnect",
      });
      expect(events.items.find((e) => e.resourceId === welcome.delegateId)?.details.reason).toBe(
        "protocol-error",
      );
    });

    it("closes every connection of a revoked token at once and refuses its reconnect", async () => {
      const token = await newToken("revoked");
      const other = await newToken("bystander");
      const first = connect(instance, token.value, "name=a");
      const second = connect(instance, token.value, "name=b");
      const bystander = connect(instance, other.value, "name=c");
      await Promise.all([welcomed(first), welcomed(second), welcomed(bystander)]);
      await revokeDelegateToken(database.store, ctx, token.delegateToken.id);
      for (const closed of await Promise.all([first.closed, second.closed])) {
        expect(closed.code).toBe(DELEGATE_CLOSE_CODES.tokenRevoked);
        expect(closed.reason).toContain(token.delegateToken.id);
      }
      expect(bystander.socket.readyState).toBe(WebSocket.OPEN);
      expect((await live({ delegateTokenId: token.delegateToken.id })).total).toBe(0);
      const again = await connect(instance, token.value).opened;
      expect(again).toMatchObject({ ok: false, status: 401 });
      expect(!again.ok && again.detail).toMatch(/revoked/);
      bystander.socket.close();
      await bystander.closed;
    });

    it("lets delegates of a rotated token stay until it is revoked, and accepts the new token", async () => {
      const token = await newToken("rotating");
      const old = connect(instance, token.value, "name=old");
      await welcomed(old);
      const rotated = await rotateDelegateToken(database.store, ctx, token.delegateToken.id);
      const renewed = connect(instance, rotated.value, "name=new");
      const welcome = await welcomed(renewed);
      expect(welcome.delegateTokenId).toBe(rotated.delegateToken.id);
      expect(old.socket.readyState).toBe(WebSocket.OPEN);
      await revokeDelegateToken(database.store, ctx, token.delegateToken.id);
      expect((await old.closed).code).toBe(DELEGATE_CLOSE_CODES.tokenRevoked);
      expect(renewed.socket.readyState).toBe(WebSocket.OPEN);
      renewed.socket.close();
      await renewed.closed;
    });

    it("closes a connection held by another instance when the token is revoked through this one", async () => {
      // On PostgreSQL the other instance hears of it through LISTEN/NOTIFY (its sweep is off);
      // one SQLite file is one instance, so there the other hub shares the store.
      const otherStore = dialect === "postgres" ? await database.openAnother() : database.store;
      const remote = await startInstance(otherStore, NO_SWEEP);
      try {
        const token = await newToken("cross-instance");
        const client = connect(remote, token.value, "name=remote");
        await welcomed(client);
        expect((await live({ delegateTokenId: token.delegateToken.id })).items[0]?.instanceId).toBe(
          remote.hub.instanceId,
        );
        await revokeDelegateToken(database.store, ctx, token.delegateToken.id);
        expect((await client.closed).code).toBe(DELEGATE_CLOSE_CODES.tokenRevoked);
        const again = await connect(remote, token.value).opened;
        expect(again).toMatchObject({ ok: false, status: 401 });
      } finally {
        await remote.close();
      }
    });

    it("says goodbye to its delegates when the instance stops", async () => {
      const standalone = await startInstance(database.store, NO_SWEEP);
      const token = await newToken("shutdown");
      const client = connect(standalone, token.value, "name=leaving");
      await welcomed(client);
      await standalone.close();
      expect((await client.closed).code).toBe(DELEGATE_CLOSE_CODES.goingAway);
      expect((await live({ delegateTokenId: token.delegateToken.id })).total).toBe(0);
    });
  });
}
