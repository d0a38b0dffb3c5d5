// Storage layer: the change feed over PostgreSQL LISTEN/NOTIFY, so every instance on one
// database hears of revocations and binding changes at once. One dedicated connection listens;
// receipts travel on the same channel.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { type ChangeEvent, type ChangeFeed, type ChangeHandler, LocalChangeFeed } from "./change-feed.js";

/** The NOTIFY channel Keygate instances share. */
export const CHANGE_CHANNEL = "keygate_changes";

/** What travels on the channel: a change, or an instance's receipt of one. */
type Envelope =
  | {
      readonly origin: string;
      /** Per-origin sequence number, which receipts refer to. */
      readonly seq: number;
      readonly event: ChangeEvent;
    }
  | { readonly origin: string; readonly ack: { readonly to: string; readonly seq: number } };

/** How long publish waits for the other instances' receipts before giving up waiting. */
const ACK_TIMEOUT_MS = 2000;

/** Counts the sessions listening on the channel in this database (every instance has one). */
const LISTENERS_SQL = `SELECT count(*)::int AS n FROM pg_stat_activity
  WHERE datname = current_database() AND query = 'LISTEN ${CHANGE_CHANNEL}'`;

interface PendingAcks {
  readonly from: Set<string>;
  expected: number;
  readonly done: () => void;
}

/**
 * A change feed that delivers locally at once and to other processes through NOTIFY. Every
 * instance that receives a change confirms it once its caches have forgotten what it makes stale;
 * publish resolves when all listening instances have confirmed (or after a bounded wait), so a
 * revocation answered by one instance is refused by every other on its very next request.
 */
export class PgChangeFeed implements ChangeFeed {
  private readonly local = new LocalChangeFeed();
  private readonly origin = randomUUID();
  private listener: pg.Client | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private seq = 0;
  private readonly pending = new Map<number, PendingAcks>();

  private constructor(
    private readonly connectionString: string,
    private readonly pool: pg.Pool,
  ) {}

  /** Opens the listening connection; resolves once LISTEN is in place. */
  static async open(connectionString: string, pool: pg.Pool): Promise<PgChangeFeed> {
    const feed = new PgChangeFeed(connectionString, pool);
    await feed.listen();
    return feed;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on("notification", (message) => this.receive(message.payload));
    client.on("error", () => this.scheduleReconnect(client));
    client.on("end", () => this.scheduleReconnect(client));
    await client.connect();
    await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    this.listener = client;
  }

  private receive(payload: string | undefined): void {
    if (payload === undefined) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      return;
    }
    // Our own notifications were already delivered locally when published.
    if (envelope.origin === this.origin) return;
    if ("ack" in envelope) {
      if (envelope.ack.to !== this.origin) return;
      const waiting = this.pending.get(envelope.ack.seq);
      if (!waiting) return;
      waiting.from.add(envelope.origin);
      if (waiting.from.size >= waiting.expected) waiting.done();
      return;
    }
    this.local.deliver(envelope.event);
    const ack: Envelope = { origin: this.origin, ack: { to: envelope.origin, seq: envelope.seq } };
    this.notify(ack).catch(() => {
      // The publisher stops waiting after a bounded time; nothing else to do.
    });
  }

  private async notify(envelope: Envelope): Promise<void> {
    await this.pool.query("SELECT pg_notify($1, $2)", [CHANGE_CHANNEL, JSON.stringify(envelope)]);
  }

  private releaseAll(): void {
    for (const waiting of [...this.pending.values()]) waiting.done();
  }

  private scheduleReconnect(client?: pg.Client): void {
    if (this.closed || this.reconnectTimer) return;
    if (client) {
      if (this.listener !== client) return;
      this.listener = undefined;
      // No receipt can arrive on a dropped connection: stop waiting for them.
      this.releaseAll();
      client.end().catch(() => {});
    }
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.listen()
        .then(() => this.local.deliver({ kind: "resync" }))
        .catch(() => {
          this.scheduleReconnect();
        });
    }, 1000);
    this.reconnectTimer.unref();
  }

  /** Delivers locally, then notifies the other instances and waits for their receipts. */
  async publish(event: ChangeEvent): Promise<void> {
    this.local.deliver(event);
    const seq = ++this.seq;
    let waiting: PendingAcks | undefined;
    const confirmed = new Promise<void>((resolve) => {
      const timer = setTimeout(() => waiting?.done(), ACK_TIMEOUT_MS);
      timer.unref();
      waiting = {
        from: new Set(),
        // Unknown until the listeners are counted; receipts arriving before that are kept.
        expected: Number.POSITIVE_INFINITY,
        done: () => {
          clearTimeout(timer);
          this.pending.delete(seq);
          resolve();
        },
      };
      this.pending.set(seq, waiting);
    });
    const entry = waiting as PendingAcks | undefined;
    try {
      const counted = await this.pool.query<{ n: number }>(LISTENERS_SQL);
      await this.notify({ origin: this.origin, seq, event });
      // Every listening session but our own is another instance that must confirm.
      const others = Math.max(0, (counted.rows[0]?.n ?? 1) - (this.listener ? 1 : 0));
      if (entry) {
        entry.expected = others;
        if (entry.from.size >= others) entry.done();
      }
    } catch (error) {
      entry?.done();
      throw error;
    }
    await confirmed;
  }

  /** Registers a handler for local and remote events. */
  subscribe(handler: ChangeHandler): () => void {
    return this.local.subscribe(handler);
  }

  /** Stops listening and forgets the handlers. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.releaseAll();
    const listener = this.listener;
    this.listener = undefined;
    await this.local.close();
    if (listener) await listener.end();
  }
}
