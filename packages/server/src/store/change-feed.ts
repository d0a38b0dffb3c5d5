// Storage layer: the change feed, telling every instance's caches what changed (in-process for
// SQLite; PostgreSQL LISTEN/NOTIFY across processes, see pg-change-feed.ts).

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
  /** The feed may have missed events (e.g. the LISTEN connection dropped): drop every cache. */
  | { readonly kind: "resync" };

/** Every ChangeEvent kind. */
export type ChangeEventKind = ChangeEvent["kind"];

/** Receives change events; must not throw (errors are swallowed so one cache can't break another). */
export type ChangeHandler = (event: ChangeEvent) => void;

/** Publish/subscribe of change events. */
export interface ChangeFeed {
  /** Delivers the event to local subscribers at once and, on PostgreSQL, to every other instance. */
  publish(event: ChangeEvent): Promise<void>;
  /** Registers a handler; returns a function that removes it. */
  subscribe(handler: ChangeHandler): () => void;
  /** Stops listening; further publishes are local only. */
  close(): Promise<void>;
}

/** Fans events out to a set of handlers in this process. */
export class LocalChangeFeed implements ChangeFeed {
  private readonly handlers = new Set<ChangeHandler>();

  /** Delivers to local handlers. */
  async publish(event: ChangeEvent): Promise<void> {
    this.deliver(event);
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

/** Queues events during a transaction; they are published only once it commits. */
export class DeferredChangeFeed implements ChangeFeed {
  private readonly queued: ChangeEvent[] = [];

  constructor(private readonly target: ChangeFeed) {}

  /** Queues the event until commit. */
  async publish(event: ChangeEvent): Promise<void> {
    this.queued.push(event);
  }

  /** Subscribes on the underlying feed. */
  subscribe(handler: ChangeHandler): () => void {
    return this.target.subscribe(handler);
  }

  /** Publishes every queued event (called after commit). */
  async flush(): Promise<void> {
    const events = this.queued.splice(0);
    for (const event of events) await this.target.publish(event);
  }

  /** Nothing to close: the underlying feed belongs to the store. */
  async close(): Promise<void> {}
}
