// Storage layer: the change feed, telling every instance's caches what changed. A change is
// announced inside the transaction that makes it (announce-change.ts) and sent as that
// transaction's last statements: its organization's change counter is raised and, on PostgreSQL,
// a NOTIFY is queued on the transaction's own connection, which the server delivers to every
// instance at commit and never if it rolls back (pg-change-feed.ts). This instance's caches hear
// of it right after the commit (in-process; on SQLite, the only way). Whatever the feed misses is
// caught by the counters within the caches' staleness bound (change-freshness.ts).
import type { Kysely } from "kysely";
import { ChangeFreshness } from "./change-freshness.js";
import { raiseChangeSequences, readChangeSequences } from "./change-sequence.js";
import type { Database } from "./database-schema.js";

/** Something changed that caches of tokens, principals, bindings or spaces must forget. */
export type ChangeEvent =
  | {
      readonly kind: "token.revoked";
      readonly organizationId: string;
      readonly tokenId: string;
      readonly publicId: string;
    }
  | {
      readonly kind: "token.rotated";
      readonly organizationId: string;
      readonly tokenId: string;
      readonly publicId: string;
    }
  | {
      readonly kind: "token.updated";
      readonly organizationId: string;
      readonly tokenId: string;
      readonly publicId: string;
    }
  | {
      readonly kind: "token.deleted";
      readonly organizationId: string;
      readonly tokenId: string;
      readonly publicId: string;
    }
  | { readonly kind: "api-key.deleted"; readonly organizationId: string; readonly apiKeyId: string }
  | { readonly kind: "principal.changed"; readonly organizationId: string; readonly principalId: string }
  | {
      readonly kind: "binding.changed";
      readonly organizationId: string;
      readonly bindingId: string;
      readonly principalId: string | null;
      readonly teamId: string | null;
    }
  | { readonly kind: "role.changed"; readonly organizationId: string; readonly roleId: string }
  | {
      readonly kind: "team-membership.changed";
      readonly organizationId: string;
      readonly teamId: string;
      readonly principalId: string | null;
    }
  | { readonly kind: "space.changed"; readonly organizationId: string; readonly spaceId: string }
  /** A policy or policy set changed: compiled policy sets of the organization must be rebuilt. */
  | { readonly kind: "policy.changed"; readonly organizationId: string }
  /**
   * The feed may have missed events: drop every cache of the organization, or of every
   * organization when none is named (e.g. the LISTEN connection dropped). Never announced: each
   * instance raises it for itself.
   */
  | { readonly kind: "resync"; readonly organizationId?: string };

/** A change a transaction announces (every kind but the instance-local `resync`). */
export type AnnouncedChange = Exclude<ChangeEvent, { readonly kind: "resync" }>;

/** Every ChangeEvent kind. */
export type ChangeEventKind = ChangeEvent["kind"];

/** Receives change events; must not throw (errors are swallowed so one cache can't break another). */
export type ChangeHandler = (event: ChangeEvent) => void;

/** An announced change with the number its transaction raised its organization's counter to. */
export interface SequencedChange {
  readonly seq: number;
  readonly change: AnnouncedChange;
}

/** What a transaction sent before committing, for the feed to finish after the commit. */
export interface SentChanges {
  readonly changes: readonly SequencedChange[];
  /** The feed's own references to the notifications sent (receipts to wait for). */
  readonly notes: readonly number[];
}

/** The changes announced in one open transaction, in order; sent when it commits. */
export class ChangeBatch {
  /** Announced so far. */
  readonly changes: AnnouncedChange[] = [];
}

/** Change notifications of one store, as the store and the caches use them. */
export interface ChangeFeed {
  /** Registers a handler for changes from this and every other instance; returns a function that removes it. */
  subscribe(handler: ChangeHandler): () => void;
  /**
   * Sends a transaction's changes on its connection as its last statements before COMMIT: raises
   * their organizations' change counters and queues the notifications (PostgreSQL delivers them at
   * commit, never on rollback).
   */
  send(trx: Kysely<Database>, changes: readonly AnnouncedChange[]): Promise<SentChanges>;
  /**
   * After the commit: delivers the changes to this instance's caches and waits (bounded) until
   * every other listening instance has confirmed them, so the caller answers only then.
   */
  committed(sent: SentChanges): Promise<void>;
  /** After a COMMIT that failed (it may have happened anyway): tells this instance's caches; forgetting too much is harmless. */
  commitFailed(sent: SentChanges): void;
  /**
   * Whether cached entries of the organization may be served now (`undefined`), or a promise to
   * await first; see ChangeFreshness.ensureFresh.
   */
  ensureFresh(organizationId: string, maxStalenessMs: number): Promise<void> | undefined;
  /** Stops listening; forgets the handlers. */
  close(): Promise<void>;
}

/** The feed of a single process (SQLite): changes reach the caches in-process after commit. */
export class LocalChangeFeed implements ChangeFeed {
  private readonly handlers = new Set<ChangeHandler>();
  private readonly freshness: ChangeFreshness;

  constructor(db: Kysely<Database>) {
    this.freshness = new ChangeFreshness(
      (organizationIds) => readChangeSequences(db, organizationIds),
      (organizationId) => this.deliver({ kind: "resync", organizationId }),
    );
  }

  /** Raises the organizations' change counters in the transaction. */
  async send(trx: Kysely<Database>, changes: readonly AnnouncedChange[]): Promise<SentChanges> {
    const seqs = await raiseChangeSequences(
      trx,
      changes.map((change) => change.organizationId),
    );
    return {
      changes: changes.map((change) => ({ change, seq: seqs.get(change.organizationId) ?? 0 })),
      notes: [],
    };
  }

  /** Delivers the committed changes to this process's caches. */
  async committed(sent: SentChanges): Promise<void> {
    this.deliverSequenced(sent.changes);
  }

  /** Delivers them without counting them as heard (the numbers may have been rolled back). */
  commitFailed(sent: SentChanges): void {
    for (const { change } of sent.changes) this.deliver(change);
  }

  /** Notes each change's number as heard, then delivers it. */
  deliverSequenced(changes: readonly SequencedChange[]): void {
    for (const { change, seq } of changes) {
      this.freshness.heard(change.organizationId, seq);
      this.deliver(change);
    }
  }

  /** Calls every handler with the event, isolating their failures. */
  deliver(event: ChangeEvent): void {
    for (const handler of this.handlers) {
      try {
        handler(event);
      } catch {
        // A broken subscriber must not stop the others from hearing about a revocation.
      }
    }
  }

  /** Drops every cache and what was heard: changes may have been missed. */
  resyncAll(): void {
    this.freshness.forgetAll();
    this.deliver({ kind: "resync" });
  }

  /** See ChangeFreshness.ensureFresh. */
  ensureFresh(organizationId: string, maxStalenessMs: number): Promise<void> | undefined {
    return this.freshness.ensureFresh(organizationId, maxStalenessMs);
  }

  /** Registers a handler. */
  subscribe(handler: ChangeHandler): () => void {
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
    };
  }

  /** Forgets every handler. */
  async close(): Promise<void> {
    this.handlers.clear();
  }
}
