// Storage layer: the change feed over PostgreSQL LISTEN/NOTIFY, so every instance on one
// database hears of revocations and binding changes at once. A transaction's changes are sent
// with `pg_notify` on its own connection before COMMIT: the server delivers them to every
// listener when (and only when) it commits, whatever becomes of the sending process afterwards.
// One dedicated connection per instance listens; receipts travel back on the same channel. When
// that connection drops, anything may have been missed: the caches are dropped then, and again
// once it listens anew.
import { randomUUID } from "node:crypto";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import {
  type AnnouncedChange,
  type ChangeFeed,
  type ChangeHandler,
  LocalChangeFeed,
  type SentChanges,
  type SequencedChange,
} from "./change-feed.js";
import type { Database } from "./database-schema.js";

/** The NOTIFY channel of Keygate instances whose tables live in the `public` schema. */
export const CHANGE_CHANNEL = "keygate_changes";

/** What travels on the channel: changes of one transaction, or an instance's receipt of them. */
type Envelope =
  | {
      readonly origin: string;
      /** The sender's number for this notification, which receipts refer to. */
      readonly note: number;
      readonly changes: readonly SequencedChange[];
    }
  | { readonly origin: string; readonly ack: { readonly to: string; readonly note: number } };

/** How long a committed transaction waits for the other instances' receipts before answering anyway. */
const ACK_TIMEOUT_MS = 2000;
/** How long to wait before listening again after the connection dropped. */
const RELISTEN_DELAY_MS = 1000;
/** NOTIFY payloads must stay under 8000 bytes; changes are split into notifications below this. */
const MAX_PAYLOAD_BYTES = 7000;

/**
 * The channel of a schema: instances on different schemas of one database (separate deployments,
 * or tests) must not hear each other.
 */
function channelOf(schema: string): string {
  return schema === "public" ? CHANGE_CHANNEL : `${CHANGE_CHANNEL}_${schema}`.slice(0, 63);
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

interface PendingAcks {
  readonly from: Set<string>;
  readonly expected: number;
  readonly confirmed: Promise<void>;
  readonly done: () => void;
}

/** The changes of one transaction, split so that each notification's payload stays small enough. */
function* envelopesOf(origin: string, nextNote: () => number, changes: readonly SequencedChange[]) {
  let chunk: SequencedChange[] = [];
  let size = 0;
  for (const change of changes) {
    const bytes = Buffer.byteLength(JSON.stringify(change)) + 1;
    if (chunk.length > 0 && size + bytes > MAX_PAYLOAD_BYTES) {
      yield { origin, note: nextNote(), changes: chunk } satisfies Envelope;
      chunk = [];
      size = 0;
    }
    chunk.push(change);
    size += bytes;
  }
  if (chunk.length > 0) yield { origin, note: nextNote(), changes: chunk } satisfies Envelope;
}

/**
 * A change feed that sends through NOTIFY inside the changing transaction and delivers locally
 * after its commit. Every instance that receives a change confirms it once its caches have
 * forgotten what it makes stale; the committing caller waits for all listening instances'
 * confirmations (or a bounded time), so a revocation answered by one instance is refused by every
 * other on its very next request; one whose instance died before answering is refused as soon as
 * the other instances receive the notification, which the server sent at commit.
 */
export class PgChangeFeed implements ChangeFeed {
  private readonly local: LocalChangeFeed;
  private readonly origin = randomUUID();
  private readonly listenSql: string;
  private listener: pg.Client | undefined;
  private closed = false;
  private relistenTimer: NodeJS.Timeout | undefined;
  private note = 0;
  private readonly pending = new Map<number, PendingAcks>();

  private constructor(
    private readonly connectionString: string,
    private readonly pool: pg.Pool,
    db: Kysely<Database>,
    private readonly channel: string,
  ) {
    this.local = new LocalChangeFeed(db);
    this.listenSql = `LISTEN ${quoteIdentifier(channel)}`;
  }

  /** Opens the listening connection; resolves once LISTEN is in place. */
  static async open(connectionString: string, pool: pg.Pool, db: Kysely<Database>): Promise<PgChangeFeed> {
    const schema = await pool.query<{ schema: string }>("SELECT current_schema() AS schema");
    const feed = new PgChangeFeed(connectionString, pool, db, channelOf(schema.rows[0]?.schema ?? "public"));
    await feed.listen();
    return feed;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, keepAlive: true });
    client.on("notification", (message) => this.receive(message.payload));
    client.on("error", () => this.lost(client));
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      await client.query(this.listenSql);
    } catch (error) {
      client.end().catch(() => {});
      throw error;
    }
    if (this.closed) {
      await client.end();
      return;
    }
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
    // Our own changes were delivered locally after their commit.
    if (envelope.origin === this.origin) return;
    if ("ack" in envelope) {
      if (envelope.ack.to !== this.origin) return;
      const waiting = this.pending.get(envelope.ack.note);
      if (!waiting) return;
      waiting.from.add(envelope.origin);
      if (waiting.from.size >= waiting.expected) waiting.done();
      return;
    }
    this.local.deliverSequenced(envelope.changes);
    const ack: Envelope = { origin: this.origin, ack: { to: envelope.origin, note: envelope.note } };
    this.pool.query("SELECT pg_notify($1, $2)", [this.channel, JSON.stringify(ack)]).catch(() => {
      // The sender stops waiting after a bounded time; nothing else to do.
    });
  }

  /** The listening connection dropped: whatever was sent meanwhile is lost to this instance. */
  private lost(client: pg.Client): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    client.end().catch(() => {});
    // No receipt can arrive on a dropped connection: stop waiting for them.
    for (const waiting of [...this.pending.values()]) waiting.done();
    this.local.resyncAll();
    this.relistenLater();
  }

  private relistenLater(): void {
    if (this.closed || this.relistenTimer) return;
    this.relistenTimer = setTimeout(() => {
      this.relistenTimer = undefined;
      this.listen().then(
        // Changes sent while nobody listened never arrive: start from the database again.
        () => this.local.resyncAll(),
        () => this.relistenLater(),
      );
    }, RELISTEN_DELAY_MS);
    this.relistenTimer.unref();
  }

  /** Raises the change counters and queues the notifications on the transaction's connection. */
  async send(trx: Kysely<Database>, changes: readonly AnnouncedChange[]): Promise<SentChanges> {
    const { changes: sequenced } = await this.local.send(trx, changes);
    const listening = this.listener !== undefined;
    const notes: number[] = [];
    for (const envelope of envelopesOf(this.origin, () => ++this.note, sequenced)) {
      await sql`SELECT pg_notify(${this.channel}, ${JSON.stringify(envelope)})`.execute(trx);
      notes.push(envelope.note);
    }
    const counted = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND query = ${this.listenSql}`.execute(trx);
    // Every listening session but our own is another instance that must confirm.
    const others = Math.max(0, (counted.rows[0]?.n ?? 0) - (listening ? 1 : 0));
    // Receipts may arrive as soon as the commit does, before `committed` runs: wait for them now.
    if (others > 0) for (const note of notes) this.awaitAcks(note, others);
    return { changes: sequenced, notes };
  }

  private awaitAcks(note: number, expected: number): void {
    let done!: () => void;
    const confirmed = new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), ACK_TIMEOUT_MS);
      timer.unref();
      done = () => {
        clearTimeout(timer);
        this.pending.delete(note);
        resolve();
      };
    });
    this.pending.set(note, { from: new Set(), expected, confirmed, done });
  }

  /** Delivers locally, then waits for the other instances' receipts (bounded). */
  async committed(sent: SentChanges): Promise<void> {
    this.local.deliverSequenced(sent.changes);
    await Promise.all(sent.notes.map((note) => this.pending.get(note)?.confirmed));
  }

  /** Delivers locally and stops waiting for receipts. */
  commitFailed(sent: SentChanges): void {
    for (const note of sent.notes) this.pending.get(note)?.done();
    this.local.commitFailed(sent);
  }

  /** See ChangeFreshness.ensureFresh. */
  ensureFresh(organizationId: string, maxStalenessMs: number): Promise<void> | undefined {
    return this.local.ensureFresh(organizationId, maxStalenessMs);
  }

  /** Registers a handler for local and remote events. */
  subscribe(handler: ChangeHandler): () => void {
    return this.local.subscribe(handler);
  }

  /** Stops listening and forgets the handlers. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.relistenTimer) clearTimeout(this.relistenTimer);
    for (const waiting of [...this.pending.values()]) waiting.done();
    const listener = this.listener;
    this.listener = undefined;
    await this.local.close();
    if (listener) await listener.end();
  }
}
