// HTTP API, delegates: the WebSocket hub of one server instance. It takes the upgrade requests of
// DELEGATE_CONNECT_PATH (token and announcement checked before the handshake, so a refused agent
// gets an HTTP error it can print), records each connection in the store, keeps heartbeats, and
// closes connections whose heartbeat stops or whose token is revoked: at once when the change
// feed reports the revocation (from any instance), and at the latest on the next sweep.
import type { IncomingMessage } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import type { DelegateToken } from "../../domain/delegate-tokens/delegate-token.js";
import { verifyDelegateToken } from "../../domain/delegate-tokens/delegate-token-verification.js";
import {
  checkDelegateAnnouncement,
  type Delegate,
  type DelegateAnnouncement,
  type DisconnectReason,
  dropSilentDelegates,
  recordDelegateHeartbeat,
  registerDelegate,
  unregisterDelegate,
  unusableDelegateTokenIds,
} from "../../domain/delegates/delegate.js";
import { DomainError } from "../../domain/domain-error.js";
import { newId } from "../../domain/ids/random-id.js";
import type { ChangeEvent } from "../../store/change-feed.js";
import type { Store } from "../../store/store.js";
import { JSON_API_MEDIA_TYPE } from "../jsonapi/json-api-schemas.js";
import { DELEGATE_CLOSE_CODES, DELEGATE_CONNECT_PATH, type DelegateWelcome } from "./delegate-protocol.js";
import type { DelegateSettings } from "./delegate-settings.js";

/** Where the hub reports what it could not handle (a failed store write, say). */
export type DelegateHubLog = (message: string, error?: unknown) => void;

interface Session {
  readonly delegate: Delegate;
  readonly token: DelegateToken;
  readonly socket: WebSocket;
  lastHeartbeatAt: number;
}

const STATUS_OF: Readonly<Record<string, number>> = { unauthenticated: 401, invalid: 422 };

/** Accepts delegate connections for one server instance. */
export class DelegateHub {
  /** This instance's id, recorded with each of its connections. */
  readonly instanceId = newId("ins");
  private readonly sessions = new Map<string, Session>();
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly unsubscribe: () => void;
  private readonly timer: NodeJS.Timeout;
  private sweeping: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly store: Store,
    readonly settings: DelegateSettings,
    private readonly log: DelegateHubLog = () => {},
  ) {
    this.unsubscribe = store.changes.subscribe((event) => this.onChange(event));
    this.timer = setInterval(() => void this.sweep(), settings.sweepIntervalMs);
    this.timer.unref();
  }

  /** The number of connections this instance holds. */
  get size(): number {
    return this.sessions.size;
  }

  /** True when the request is a delegate connection this hub should take. */
  handles(request: IncomingMessage): boolean {
    return (request.url ?? "").split("?")[0] === DELEGATE_CONNECT_PATH;
  }

  /** Checks an upgrade request and, if it is acceptable, completes the WebSocket handshake. */
  async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => {});
    if (this.closed) return refuse(socket, 503, "the server is shutting down; reconnect to another instance");
    let token: DelegateToken;
    let announcement: DelegateAnnouncement;
    try {
      const query = new URL(request.url ?? "/", "http://delegate").searchParams;
      announcement = checkDelegateAnnouncement({
        name: query.get("name") ?? undefined,
        host: query.get("host") ?? undefined,
        version: query.get("version") ?? undefined,
      });
      token = await verifyDelegateToken(this.store, bearerOf(request));
    } catch (error) {
      if (error instanceof DomainError) {
        return refuse(socket, STATUS_OF[error.code] ?? 400, error.message, error.field);
      }
      this.log("checking a delegate connection failed", error);
      return refuse(socket, 500, "the server could not check the delegate token; try again");
    }
    this.server.handleUpgrade(request, socket, head, (ws) => {
      void this.open(ws, token, announcement, request.socket.remoteAddress ?? null);
    });
  }

  private async open(
    socket: WebSocket,
    token: DelegateToken,
    announcement: DelegateAnnouncement,
    remoteAddress: string | null,
  ): Promise<void> {
    // Messages that arrive while the connection is being recorded are dropped: the agent sends
    // nothing before the welcome anyway.
    let delegate: Delegate;
    try {
      delegate = await registerDelegate(this.store, token, announcement, {
        instanceId: this.instanceId,
        remoteAddress,
      });
    } catch (error) {
      this.log("recording a delegate connection failed", error);
      socket.close(1011, "the server could not record the connection; reconnect");
      return;
    }
    const session: Session = { delegate, token, socket, lastHeartbeatAt: delegate.connectedAt };
    this.sessions.set(delegate.id, session);
    socket.on("close", () => void this.end(session, "closed"));
    socket.on("error", () => void this.end(session, "closed"));
    socket.on("message", (data, isBinary) => this.receive(session, data, isBinary));
    if (socket.readyState !== socket.OPEN || this.closed) {
      await this.end(session, this.closed ? "server-shutdown" : "closed");
      return;
    }
    // A revocation committed between the token check and the registration has been published
    // before this session existed: look again now that it does.
    if ((await unusableDelegateTokenIds(this.store, [token.id])).size > 0) {
      await this.end(session, "revoked");
      return;
    }
    const welcome: DelegateWelcome = {
      type: "welcome",
      delegateId: delegate.id,
      delegateTokenId: token.id,
      spaceId: token.spaceId,
      heartbeatIntervalMs: this.settings.heartbeatIntervalMs,
      heartbeatTimeoutMs: this.settings.heartbeatTimeoutMs,
    };
    socket.send(JSON.stringify(welcome));
  }

  private receive(session: Session, data: RawData, isBinary: boolean): void {
    let message: unknown;
    try {
      message = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      message = undefined;
    }
    const type =
      typeof message === "object" && message !== null ? (message as { type?: unknown }).type : undefined;
    if (type !== "heartbeat") {
      void this.end(session, "protocol-error");
      return;
    }
    const now = Date.now();
    session.lastHeartbeatAt = now;
    recordDelegateHeartbeat(this.store, session.delegate.id, now).then(
      (recorded) => {
        // Another instance dropped the row as silent (e.g. after a long pause): start afresh.
        if (!recorded) void this.end(session, "heartbeat-timeout");
      },
      (error: unknown) => this.log("recording a delegate heartbeat failed", error),
    );
  }

  /** Closes a session (once) and forgets its connection. */
  private async end(session: Session, reason: DisconnectReason): Promise<void> {
    if (this.sessions.get(session.delegate.id) !== session) return;
    this.sessions.delete(session.delegate.id);
    try {
      // Forgotten before the agent hears of it, so that a listing after the disconnect never shows it.
      await unregisterDelegate(this.store, session.delegate, reason);
    } catch (error) {
      this.log("forgetting a delegate connection failed", error);
    } finally {
      const socket = session.socket;
      if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) {
        const [closeCode, closeText] = closeFor(reason, session, this.settings);
        socket.close(closeCode, closeText.slice(0, 120));
        // An agent that does not answer the close handshake (frozen, gone) is cut off.
        setTimeout(() => socket.terminate(), 2_000).unref();
      }
    }
  }

  private onChange(event: ChangeEvent): void {
    switch (event.kind) {
      case "token.revoked":
      case "token.deleted":
        for (const session of [...this.sessions.values()]) {
          if (session.token.id === event.tokenId) void this.end(session, "revoked");
        }
        return;
      case "resync":
        void this.sweep();
        return;
      default:
        return;
    }
  }

  /**
   * Drops this instance's connections whose heartbeat stopped or whose token no longer admits
   * them, and the recorded connections of any instance that stopped heartbeating (a crashed one).
   */
  sweep(): Promise<void> {
    if (this.sweeping) return this.sweeping;
    this.sweeping = this.runSweep()
      .catch((error: unknown) => this.log("checking delegate connections failed", error))
      .finally(() => {
        this.sweeping = undefined;
      });
    return this.sweeping;
  }

  private async runSweep(): Promise<void> {
    const now = Date.now();
    const deadline = now - this.settings.heartbeatTimeoutMs;
    const sessions = [...this.sessions.values()];
    for (const session of sessions) {
      if (session.lastHeartbeatAt < deadline) await this.end(session, "heartbeat-timeout");
    }
    const live = [...this.sessions.values()];
    const unusable = await unusableDelegateTokenIds(this.store, [...new Set(live.map((s) => s.token.id))]);
    for (const session of live) if (unusable.has(session.token.id)) await this.end(session, "revoked");
    await dropSilentDelegates(this.store, deadline, now);
  }

  /** Closes every connection (agents will reconnect elsewhere) and stops listening to changes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.unsubscribe();
    await this.sweeping;
    await Promise.all([...this.sessions.values()].map((s) => this.end(s, "server-shutdown")));
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function closeFor(reason: DisconnectReason, session: Session, settings: DelegateSettings): [number, string] {
  switch (reason) {
    case "revoked":
      return [DELEGATE_CLOSE_CODES.tokenRevoked, `delegate token ${session.token.id} was revoked`];
    case "heartbeat-timeout":
      return [
        DELEGATE_CLOSE_CODES.heartbeatTimeout,
        `no heartbeat for ${settings.heartbeatTimeoutMs} ms; reconnect`,
      ];
    case "protocol-error":
      return [
        DELEGATE_CLOSE_CODES.protocolError,
        'unexpected message; agents send only {"type":"heartbeat"}',
      ];
    case "server-shutdown":
      return [DELEGATE_CLOSE_CODES.goingAway, "the server is shutting down; reconnect"];
    case "closed":
      return [1000, "closed"];
  }
}

function bearerOf(request: IncomingMessage): string {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) {
    throw new DomainError(
      "unauthenticated",
      "a delegate connects with `Authorization: Bearer <delegate token>` (a kgd_ token)",
      { details: { reason: "missing" } },
    );
  }
  return match[1];
}

/** Answers a refused upgrade with an HTTP error and a JSON:API error document, then hangs up. */
function refuse(socket: Duplex, status: number, detail: string, field?: string): void {
  const error = {
    status: String(status),
    title: STATUS_CODES[status]?.toLowerCase() ?? "error",
    detail,
    ...(field !== undefined ? { source: { parameter: field } } : {}),
  };
  const body = JSON.stringify({ errors: [error] });
  const headers = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}`,
    `Content-Type: ${JSON_API_MEDIA_TYPE}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
    ...(status === 401 ? ['WWW-Authenticate: Bearer realm="keygate"'] : []),
  ];
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(`${headers.join("\r\n")}\r\n\r\n${body}`);
}
