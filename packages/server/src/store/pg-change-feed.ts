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
import { pipelinedWrite } from "./pipelined-write.js";

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
  | { readonly origin: string; readonly ack: { readonly to: string; readonly note: number } }
  /** An instance started (`hello`) or stopped (`bye`) listening: the others count their listeners anew. */
  | { readonly origin: string; readonly presence: "hello" | "bye" };

/** How long a committed transaction waits for the other instances' receipts before answering anyway. */
const ACK_TIMEOUT_MS = 2000;
/** How long to wait before listening again after the connection dropped. */
const RELISTEN_DELAY_MS = 1000;
/** NOTIFY payloads must stay under 8000 bytes; changes are split into notifications below this. */
const MAX_PAYLOAD_BYTES = 7000;
/**
 * How long a count of the listening instances is used before it is read again. Instances say when
 * they start and stop listening (which makes the others read it at their next change); this bound
 * covers one that died without a word, whose receipts are awaited (ACK_TIMEOUT_MS) until then.
 */
const LISTENER_COUNT_MAX_AGE_MS = 10_000;
/** Marks where the change counter goes in a payload built before the counter was raised (see sendRaised). */
const SEQ_PLACEHOLDER = -1;

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
  /** Listening sessions on the channel (this instance's included), as last counted; undefined: count again. */
  private listeners: { readonly count: number; readonly at: number } | undefined;

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
    this.listeners = undefined;
    this.sayPresence("hello");
  }

  /** Tells the other instances that this one started or stops listening (best effort). */
  private sayPresence(presence: "hello" | "bye"): Promise<void> {
    const envelope: Envelope = { origin: this.origin, presence };
    return this.pool.query("SELECT pg_notify($1, $2)", [this.channel, JSON.stringify(envelope)]).then(
      () => {},
      () => {},
    );
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
    if ("presence" in envelope) {
      // Another instance joined or left: count the listeners again at the next change.
      this.listeners = undefined;
      return;
    }
    if ("ack" in envelope) {
      if (envelope.ack.to !== this.origin) return;
      const waiting = this.pending.get(envelope.ack.note);
      if (!waiting) return;
      waiting.from.add(envelope.origin);
      if (waiting.from.size >= waiting.expected) waiting.done();
      return;
    }
    if (!Array.isArray(envelope.changes)) return;
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
    this.listeners = undefined;
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

  /**
   * Raises the change counters and queues the notifications on the transaction's connection. The
   * usual transaction (one organization, one notification) does both in one statement.
   */
  async send(trx: Kysely<Database>, changes: readonly AnnouncedChange[]): Promise<SentChanges> {
    const organizations = new Set(changes.map((change) => change.organizationId));
    const sent = organizations.size === 1 ? await this.sendRaised(trx, changes) : undefined;
    const { sequenced, notes } = sent ?? (await this.sendEach(trx, changes));
    const listening = this.listener !== undefined;
    const counted = await this.listenerCount(trx);
    // Every listening session but our own is another instance that must confirm.
    const others = Math.max(0, counted - (listening ? 1 : 0));
    // Receipts may arrive as soon as the commit does, before `committed` runs: wait for them now.
    if (others > 0) for (const note of notes) this.awaitAcks(note, others);
    return { changes: sequenced, notes };
  }

  /**
   * One organization's changes in one notification: the counter is raised and the notification
   * queued by one statement, the payload getting the raised number in place of SEQ_PLACEHOLDER.
   * Undefined (nothing sent) when the changes need more than one notification.
   */
  private async sendRaised(
    trx: Kysely<Database>,
    changes: readonly AnnouncedChange[],
  ): Promise<{ sequenced: SequencedChange[]; notes: number[] } | undefined> {
    const placeholders = changes.map((change) => ({ change, seq: SEQ_PLACEHOLDER }));
    const envelopes = [...envelopesOf(this.origin, () => this.note + 1, placeholders)];
    const [envelope] = envelopes;
    if (envelope === undefined || envelopes.length !== 1) return undefined;
    const organizationId = changes[0]?.organizationId as string;
    const note = ++this.note;
    const payload = JSON.stringify({ ...envelope, note });
    // `"seq":-1` occurs only as the key and placeholder: inside a JSON string its quotes are escaped.
    const placeholder = `"seq":${SEQ_PLACEHOLDER}`;
    // Sent ahead of the COMMIT (pipelined-write.ts): the counter's row stays locked only for the
    // COMMIT, not for a round trip more. The number is here once the COMMIT has answered.
    const sequenced = changes.map((change) => ({ change, seq: SEQ_PLACEHOLDER }));
    const raise = sql<{ seq: number }>`
      WITH raised AS (
        INSERT INTO change_sequences (organization_id, seq) VALUES (${organizationId}, 1)
        ON CONFLICT (organization_id) DO UPDATE SET seq = change_sequences.seq + 1
        RETURNING seq
      )
      SELECT seq, pg_notify(${this.channel}, replace(${payload}, ${placeholder}, '"seq":' || seq)) FROM raised`;
    await pipelinedWrite({ db: trx }, { compile: () => raise.compile(trx) }, undefined, (rows) => {
      const seq = Number(rows[0]?.seq);
      for (const s of sequenced) s.seq = seq;
    });
    return { sequenced, notes: [note] };
  }

  /** The general case: the counters raised one organization at a time, then a NOTIFY per notification. */
  private async sendEach(
    trx: Kysely<Database>,
    changes: readonly AnnouncedChange[],
  ): Promise<{ sequenced: SequencedChange[]; notes: number[] }> {
    const { changes: sequenced } = await this.local.send(trx, changes);
    const notes: number[] = [];
    for (const envelope of envelopesOf(this.origin, () => ++this.note, sequenced)) {
      await sql`SELECT pg_notify(${this.channel}, ${JSON.stringify(envelope)})`.execute(trx);
      notes.push(envelope.note);
    }
    return { sequenced: [...sequenced], notes };
  }

  /** Listening sessions on the channel, counted anew when unknown or older than LISTENER_COUNT_MAX_AGE_MS. */
  private async listenerCount(trx: Kysely<Database>): Promise<number> {
    const known = this.listeners;
    const now = Date.now();
    if (known !== undefined && now - known.at < LISTENER_COUNT_MAX_AGE_MS) return known.count;
    const counted = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND query = ${this.listenSql}`.execute(trx);
    const count = counted.rows[0]?.n ?? 0;
    this.listeners = { count, at: now };
    return count;
  }

  private awaitAcks(note: number, expected: number): void {
    let done!: () => void;
    const confirmed = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        // An instance did not answer (it may have died): count the listeners again at the next change.
        this.listeners = undefined;
        done();
      }, ACK_TIMEOUT_MS);
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
    if (this.listener !== undefined) await this.sayPresence("bye");
    for (const waiting of [...this.pending.values()]) waiting.done();
    const listener = this.listener;
    this.listener = undefined;
    await this.local.close();
    if (listener) await listener.end();
  }
}
