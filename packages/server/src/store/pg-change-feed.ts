// Storage layer: the change feed over PostgreSQL LISTEN/NOTIFY, so every instance on one
// database hears of revocations and binding changes at once. One dedicated connection listens.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { type ChangeEvent, type ChangeFeed, type ChangeHandler, LocalChangeFeed } from "./change-feed.js";

/** The NOTIFY channel Keygate instances share. */
export const CHANGE_CHANNEL = "keygate_changes";

interface Envelope {
  readonly origin: string;
  readonly event: ChangeEvent;
}

/** A change feed that delivers locally at once and to other processes through NOTIFY. */
export class PgChangeFeed implements ChangeFeed {
  private readonly local = new LocalChangeFeed();
  private readonly origin = randomUUID();
  private listener: pg.Client | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

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
    this.local.deliver(envelope.event);
  }

  private scheduleReconnect(client?: pg.Client): void {
    if (this.closed || this.reconnectTimer) return;
    if (client) {
      if (this.listener !== client) return;
      this.listener = undefined;
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

  /** Delivers locally, then notifies the other instances. */
  async publish(event: ChangeEvent): Promise<void> {
    this.local.deliver(event);
    const envelope: Envelope = { origin: this.origin, event };
    await this.pool.query("SELECT pg_notify($1, $2)", [CHANGE_CHANNEL, JSON.stringify(envelope)]);
  }

  /** Registers a handler for local and remote events. */
  subscribe(handler: ChangeHandler): () => void {
    return this.local.subscribe(handler);
  }

  /** Stops listening and forgets the handlers. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = undefined;
    await this.local.close();
    if (listener) await listener.end();
  }
}
