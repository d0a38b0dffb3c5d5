// HTTP API, delegates: the live status of an organization's delegates, for server-sent event
// streams. Delegates connect to any instance, and each records its connections in the store, so
// one watcher per organization (shared by every stream of it on this instance, stopped with the
// last one) reads the organization's live delegates every poll interval and turns the difference
// into events: connected, heartbeat, disconnected. Streams are bounded per organization, so one
// tenant cannot make this instance poll without end or hold unbounded sockets.
import type { Delegate } from "../../domain/delegates/delegate.js";
import { listDelegates } from "../../domain/delegates/delegate.js";
import { MAX_PAGE_SIZE } from "../../domain/pagination/page.js";
import type { Store } from "../../store/store.js";

/** What happened to a delegate. */
export type DelegateEventKind = "delegate.connected" | "delegate.heartbeat" | "delegate.disconnected";

/** One event of the stream: what happened, and the delegate as last seen. */
export interface DelegateEvent {
  readonly kind: DelegateEventKind;
  readonly delegate: Delegate;
}

/** Receives the events of one organization. */
export type DelegateEventListener = (event: DelegateEvent) => void;

/** Settings of the delegate event streams. */
export interface DelegateEventSettings {
  /** How often an organization's live delegates are read while someone watches; default 1 s. */
  readonly pollMs: number;
  /** How often a stream sends a comment ping (and re-checks its caller); default 15 s. */
  readonly pingMs: number;
  /** Streams one organization may hold open on one instance; default 16. */
  readonly maxStreamsPerOrganization: number;
}

/** The defaults. */
export const DEFAULT_DELEGATE_EVENT_SETTINGS: DelegateEventSettings = {
  pollMs: 1_000,
  pingMs: 15_000,
  maxStreamsPerOrganization: 16,
};

function positiveInteger(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): number | undefined {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a whole number >= 1, got "${text}"`);
  return value;
}

/**
 * The settings from `KEYGATE_DELEGATE_EVENTS_POLL_MS`, `KEYGATE_DELEGATE_EVENTS_PING_MS` and
 * `KEYGATE_DELEGATE_EVENTS_MAX_STREAMS` (per organization); throws naming a bad one.
 */
export function resolveDelegateEventSettings(
  env: Readonly<Record<string, string | undefined>>,
): DelegateEventSettings {
  return {
    pollMs: positiveInteger(env, "KEYGATE_DELEGATE_EVENTS_POLL_MS") ?? DEFAULT_DELEGATE_EVENT_SETTINGS.pollMs,
    pingMs: positiveInteger(env, "KEYGATE_DELEGATE_EVENTS_PING_MS") ?? DEFAULT_DELEGATE_EVENT_SETTINGS.pingMs,
    maxStreamsPerOrganization:
      positiveInteger(env, "KEYGATE_DELEGATE_EVENTS_MAX_STREAMS") ??
      DEFAULT_DELEGATE_EVENT_SETTINGS.maxStreamsPerOrganization,
  };
}

/** The changes between two snapshots of an organization's live delegates, as events. */
export function delegateEventsBetween(
  before: ReadonlyMap<string, Delegate>,
  after: ReadonlyMap<string, Delegate>,
): DelegateEvent[] {
  const events: DelegateEvent[] = [];
  for (const [id, delegate] of before) {
    if (!after.has(id)) events.push({ kind: "delegate.disconnected", delegate });
  }
  for (const [id, delegate] of after) {
    const previous = before.get(id);
    if (previous === undefined) events.push({ kind: "delegate.connected", delegate });
    else if (previous.lastHeartbeatAt !== delegate.lastHeartbeatAt)
      events.push({ kind: "delegate.heartbeat", delegate });
  }
  return events;
}

interface Watch {
  readonly listeners: Set<DelegateEventListener>;
  snapshot: Map<string, Delegate>;
  /** The first read, which new listeners wait for before they get the current state. */
  ready: Promise<void>;
  timer: NodeJS.Timeout | undefined;
  polling: boolean;
}

/** Why a subscription was refused. */
export type SubscribeRefusal = { readonly refused: "full"; readonly limit: number };

/** A subscription: the current delegates at the time it started, and how to end it. */
export interface DelegateSubscription {
  readonly current: readonly Delegate[];
  readonly unsubscribe: () => void;
}

/** Watches the live delegates of the organizations that have streams open on this instance. */
export class DelegateWatcher {
  private readonly watches = new Map<string, Watch>();
  private closed = false;

  constructor(
    private readonly store: Store,
    readonly settings: DelegateEventSettings,
    /** The earliest heartbeat of a live delegate, now (delegates silent longer are gone). */
    private readonly liveSince: () => number,
    private readonly log: (message: string, error: unknown) => void = () => {},
  ) {}

  /** Streams open for the organization on this instance. */
  streams(organizationId: string): number {
    return this.watches.get(organizationId)?.listeners.size ?? 0;
  }

  /**
   * Starts delivering the organization's events to `listener`; resolves with the delegates
   * connected now (for the stream to start from), or a refusal when the organization holds the
   * most streams it may.
   */
  async subscribe(
    organizationId: string,
    listener: DelegateEventListener,
  ): Promise<DelegateSubscription | SubscribeRefusal> {
    let watch = this.watches.get(organizationId);
    if (watch !== undefined && watch.listeners.size >= this.settings.maxStreamsPerOrganization) {
      return { refused: "full", limit: this.settings.maxStreamsPerOrganization };
    }
    if (watch === undefined) {
      const created: Watch = {
        listeners: new Set(),
        snapshot: new Map(),
        ready: Promise.resolve(),
        timer: undefined,
        polling: false,
      };
      created.ready = this.read(organizationId).then((snapshot) => {
        created.snapshot = snapshot;
      });
      created.timer = setInterval(() => void this.poll(organizationId, created), this.settings.pollMs);
      created.timer.unref();
      this.watches.set(organizationId, created);
      watch = created;
    }
    const current = watch;
    current.listeners.add(listener);
    const unsubscribe = () => {
      current.listeners.delete(listener);
      if (current.listeners.size === 0 && this.watches.get(organizationId) === current) {
        clearInterval(current.timer);
        this.watches.delete(organizationId);
      }
    };
    try {
      await current.ready;
    } catch (error) {
      unsubscribe();
      throw error;
    }
    return { current: [...current.snapshot.values()], unsubscribe };
  }

  private async read(organizationId: string): Promise<Map<string, Delegate>> {
    const since = this.liveSince();
    const snapshot = new Map<string, Delegate>();
    for (let pageNumber = 1; ; pageNumber++) {
      const page = await listDelegates(this.store, organizationId, {
        heartbeatSince: since,
        page: { pageNumber, pageSize: MAX_PAGE_SIZE },
      });
      for (const delegate of page.items) snapshot.set(delegate.id, delegate);
      if (page.items.length < MAX_PAGE_SIZE || snapshot.size >= page.total) return snapshot;
    }
  }

  private async poll(organizationId: string, watch: Watch): Promise<void> {
    if (watch.polling || this.closed) return;
    watch.polling = true;
    try {
      await watch.ready;
      const next = await this.read(organizationId);
      const events = delegateEventsBetween(watch.snapshot, next);
      watch.snapshot = next;
      for (const event of events) {
        for (const listener of watch.listeners) {
          try {
            listener(event);
          } catch (error) {
            this.log("a delegate event listener failed", error);
          }
        }
      }
    } catch (error) {
      this.log("reading the delegates of an organization for its event streams failed", error);
    } finally {
      watch.polling = false;
    }
  }

  /** Stops every watch (the streams are ended by their routes). */
  close(): void {
    this.closed = true;
    for (const watch of this.watches.values()) clearInterval(watch.timer);
    this.watches.clear();
  }
}
