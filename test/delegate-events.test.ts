// End-to-end: the live delegate status stream (server-sent events) through real `keygate serve`
// processes and a real `keygate delegate run` agent, on SQLite and PostgreSQL, and across two
// instances on PostgreSQL (the agent on one, the stream on the other).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./support/api-session.js";
import { startDelegateAgent } from "./support/delegate-agent.js";
import { type InitialisedKeygate, startInitialisedKeygate } from "./support/initialised-keygate.js";
import type { KeygateServer } from "./support/keygate-process.js";
import { waitFor } from "./support/wait-for.js";

/** Fast timings, so that heartbeats, polls and pings happen within a test. */
const FAST = {
  KEYGATE_DELEGATE_HEARTBEAT_INTERVAL_MS: "200",
  KEYGATE_DELEGATE_EVENTS_POLL_MS: "100",
  KEYGATE_DELEGATE_EVENTS_PING_MS: "300",
  KEYGATE_DELEGATE_EVENTS_MAX_STREAMS: "3",
};

interface StreamEvent {
  readonly event: string;
  readonly data: unknown;
}

/** An open event stream: what arrived so far (events, comments), and whether it ended. */
interface EventStream {
  readonly status: number;
  readonly contentType: string | null;
  readonly events: StreamEvent[];
  readonly comments: string[];
  ended(): boolean;
  /** Waits (with a deadline) for an event matching the test, returning it. */
  next(what: string, test: (event: StreamEvent) => boolean): Promise<StreamEvent>;
  close(): void;
}

async function openStream(url: string, headers: Record<string, string>): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  const events: StreamEvent[] = [];
  const comments: string[] = [];
  let ended = false;
  if (response.ok && response.body) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let split = buffer.indexOf("\n\n");
          while (split >= 0) {
            const block = buffer.slice(0, split);
            buffer = buffer.slice(split + 2);
            split = buffer.indexOf("\n\n");
            let event = "message";
            let data: string | undefined;
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) comments.push(line.slice(1).trim());
              else if (line.startsWith("event: ")) event = line.slice(7);
              else if (line.startsWith("data: ")) data = line.slice(6);
            }
            if (data !== undefined) events.push({ event, data: JSON.parse(data) });
          }
        }
      } catch {
        // Aborted.
      }
      ended = true;
    })();
  } else {
    await response.text();
    ended = true;
  }
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    events,
    comments,
    ended: () => ended,
    next: (what, test) => waitFor(what, async () => events.find(test), { timeoutMs: 15_000, intervalMs: 20 }),
    close: () => abort.abort(),
  };
}

const named = (kind: string, name: string) => (event: StreamEvent) =>
  event.event === kind && (event.data as { attributes: { name: string } }).attributes.name === name;

async function delegateToken(server: string, admin: string, name: string) {
  const made = await api(server, admin, "POST", "/organizations/acme/delegate-tokens", {
    data: { type: "delegate-tokens", attributes: { name } },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return { id: made.body.data.id as string, token: made.body.data.attributes.token as string };
}

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`delegate event stream on ${dialect}`, () => {
    let keygate: InitialisedKeygate;
    let server: KeygateServer;
    let admin: string;

    beforeAll(async () => {
      keygate = await startInitialisedKeygate(dialect, { env: FAST });
      [server] = keygate.servers as [KeygateServer];
      admin = keygate.admin;
    }, 60_000);

    afterAll(async () => {
      await keygate?.stop();
    });

    it("streams connected, heartbeat and disconnected for a real agent, with pings", async () => {
      const bearer = { authorization: `Bearer ${admin}` };
      const stream = await openStream(`${server.url}/api/v2/organizations/acme/delegates/events`, bearer);
      try {
        expect(stream.status).toBe(200);
        expect(stream.contentType).toMatch(/^text\/event-stream/);
        const { id, token } = await delegateToken(server.url, admin, "stream-token");
        const agent = await startDelegateAgent(server.url, token, "runner-1");
        try {
          const connected = await stream.next("runner-1 connected", named("delegate.connected", "runner-1"));
          expect(connected.data).toMatchObject({
            type: "delegates",
            attributes: { name: "runner-1" },
            relationships: { "delegate-token": { data: { id } } },
          });
          const heartbeat = await stream.next("a heartbeat", named("delegate.heartbeat", "runner-1"));
          expect((heartbeat.data as { id: string }).id).toBe((connected.data as { id: string }).id);
          await waitFor("a ping", async () => (stream.comments.includes("ping") ? true : undefined));
          // A stream opened now starts from the delegates connected now.
          const late = await openStream(`${server.url}/api/v2/organizations/acme/delegates/events`, bearer);
          await late.next("the current delegate", named("delegate.connected", "runner-1"));
          late.close();
          // Revoking its token drops the agent: the stream says so.
          expect((await api(server.url, admin, "POST", `/delegate-tokens/${id}/actions/revoke`)).status).toBe(
            200,
          );
          await stream.next("runner-1 disconnected", named("delegate.disconnected", "runner-1"));
        } finally {
          await agent.stop();
        }
      } finally {
        stream.close();
      }
    });

    it("takes the session cookie, needs delegate-tokens.read, is bounded per organization, and ends with its credential", async () => {
      // A viewer (reads delegates) invited and signed in to the console.
      const user = await api(server.url, admin, "POST", "/organizations/acme/users", {
        data: { type: "users", attributes: { name: "watcher" } },
      });
      const userId: string = user.body.data.id;
      const invitation = await api(server.url, admin, "POST", "/organizations/acme/invitations", {
        data: { type: "invitations", relationships: { user: { data: { type: "users", id: userId } } } },
      });
      const post = (path: string, body: unknown) =>
        fetch(`${server.url}/api/v2${path}`, {
          method: "POST",
          headers: { "content-type": "application/vnd.api+json" },
          body: JSON.stringify(body),
        });
      const accepted = await post("/invitation-acceptances", {
        data: {
          type: "invitation-acceptances",
          attributes: { secret: invitation.body.data.attributes.secret },
        },
      });
      const pat: string = (await accepted.json()).data.attributes.secret;
      const url = `${server.url}/api/v2/organizations/acme/delegates/events`;
      // No binding yet: refused.
      const refused = await openStream(url, { authorization: `Bearer ${pat}` });
      expect(refused.status).toBe(403);
      const root = (await api(server.url, admin, "GET", "/organizations/acme")).body.data.relationships[
        "root-space"
      ].data.id;
      const binding = await api(server.url, admin, "POST", "/organizations/acme/role-bindings", {
        data: {
          type: "role-bindings",
          relationships: {
            role: { data: { id: "viewer", type: "roles" } },
            subject: { data: { id: userId, type: "users" } },
            space: { data: { id: root, type: "spaces" } },
          },
        },
      });
      expect(binding.status).toBe(201);
      const signedIn = await post("/sessions", { data: { type: "sessions", attributes: { token: pat } } });
      const cookie = /^(keygate_session=[^;]*)/.exec(signedIn.headers.get("set-cookie") ?? "")?.[1] ?? "";
      const byCookie = await openStream(url, { cookie });
      expect(byCookie.status).toBe(200);
      await waitFor("a ping on the cookie stream", async () =>
        byCookie.comments.includes("ping") ? true : undefined,
      );

      // The organization may hold 3 streams on this instance (set for this test): the 4th is refused.
      const more = [
        await openStream(url, { cookie }),
        await openStream(url, { authorization: `Bearer ${admin}` }),
      ];
      expect(more.map((s) => s.status)).toEqual([200, 200]);
      const full = await openStream(url, { authorization: `Bearer ${admin}` });
      expect(full.status).toBe(429);
      for (const stream of more) stream.close();
      await waitFor("a freed stream slot", async () => {
        const again = await openStream(url, { authorization: `Bearer ${admin}` });
        again.close();
        return again.status === 200 ? true : undefined;
      });

      // Losing the permission ends the stream at its next ping.
      expect((await api(server.url, admin, "DELETE", `/role-bindings/${binding.body.data.id}`)).status).toBe(
        204,
      );
      await waitFor("the stream to end", async () => (byCookie.ended() ? true : undefined));
      byCookie.close();
      // Bad space filters are refused before any stream starts.
      const badSpace = await openStream(`${url}?filter[space]=spc-nope`, {
        authorization: `Bearer ${admin}`,
      });
      expect(badSpace.status).toBe(400);
    });
  });
}

describe("delegate event stream across two instances on PostgreSQL", () => {
  let keygate: InitialisedKeygate;
  let a: KeygateServer;
  let b: KeygateServer;
  let admin: string;

  beforeAll(async () => {
    keygate = await startInitialisedKeygate("postgres", { instances: 2, env: FAST });
    [a, b] = keygate.servers as [KeygateServer, KeygateServer];
    admin = keygate.admin;
  }, 60_000);

  afterAll(async () => {
    await keygate?.stop();
  });

  it("shows on one instance an agent connected to the other, until it leaves", async () => {
    const stream = await openStream(`${b.url}/api/v2/organizations/acme/delegates/events`, {
      authorization: `Bearer ${admin}`,
    });
    try {
      const { token } = await delegateToken(a.url, admin, "cross-token");
      const agent = await startDelegateAgent(a.url, token, "runner-a");
      await stream.next(
        "runner-a connected (on the other instance)",
        named("delegate.connected", "runner-a"),
      );
      await stream.next("its heartbeat", named("delegate.heartbeat", "runner-a"));
      await agent.stop();
      await stream.next("runner-a disconnected", named("delegate.disconnected", "runner-a"));
    } finally {
      stream.close();
    }
  });
});
