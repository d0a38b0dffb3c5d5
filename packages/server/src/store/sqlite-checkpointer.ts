// Store layer, SQLite: checkpoints off the event loop. better-sqlite3 runs every statement on the
// calling thread, and SQLite's automatic checkpoint runs inside the COMMIT that crosses its
// threshold (1,000 WAL pages): that commit copies pages into the database file and waits for two
// fsyncs, on the event loop. Measured on a token-creation load: commits took 36 µs at the median
// but one in a hundred took 5-23 ms, and those were two thirds of all commit time. So the store's
// connection turns automatic checkpoints off and a worker thread with its own connection checkpoints
// (PASSIVE: it never blocks a writer or a reader) every `intervalMs` when something was committed.
// When the WAL is fully copied, the next write starts it over from the beginning, and
// `journal_size_limit` keeps its file from staying larger than a bound. Should the thread fail, the
// connection gets its automatic checkpoints back: the database never goes without.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type SqliteDatabase from "better-sqlite3";

/** What the checkpointer's thread is started with. */
export interface CheckpointerOptions {
  /** The database file. */
  readonly path: string;
  /** How often the thread looks for new commits, ms. */
  readonly intervalMs: number;
}

/** A message from the checkpointer's thread. */
export type CheckpointReport =
  | { readonly kind: "ready" }
  | { readonly kind: "checkpoint"; readonly walFrames: number; readonly copiedFrames: number; readonly ms: number }
  | { readonly kind: "failed"; readonly message: string }
  | { readonly kind: "closed" };

/** What the checkpointer has done so far. */
export interface CheckpointerStats {
  checkpoints: number;
  failures: number;
  /** WAL frames at the last checkpoint (all copied when the checkpoint finished them). */
  lastWalFrames: number;
  /** True once the thread is gone and the connection checkpoints by itself again. */
  fellBack: boolean;
}

/** How often the thread looks for commits by default: the WAL holds at most about this much writing. */
export const CHECKPOINT_INTERVAL_MS = 100;
/** SQLite's own threshold, given back to the connection when the thread is gone. */
const AUTOMATIC_CHECKPOINT_PAGES = 1000;
/** The WAL file is truncated to this size when it starts over (bytes). */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** The built worker module: beside this one in dist, or, when running from the sources (tests), in dist. */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith(".ts")
    ? fileURLToPath(new URL("../../dist/store/sqlite-checkpoint-worker.js", import.meta.url))
    : fileURLToPath(new URL("./sqlite-checkpoint-worker.js", import.meta.url));
}

/** Checkpoints a WAL-mode SQLite file from a worker thread; the main connection checkpoints no more. */
export class SqliteCheckpointer {
  readonly stats: CheckpointerStats = { checkpoints: 0, failures: 0, lastWalFrames: 0, fellBack: false };
  #closing: Promise<void> | undefined;

  private constructor(
    /** The thread (tests stop it to see the connection take checkpoints back). */
    readonly worker: Worker,
    private readonly connection: SqliteDatabase.Database,
  ) {
    worker.on("message", (report: CheckpointReport) => this.#onReport(report));
    worker.on("error", () => this.#fallBack());
    worker.on("exit", () => {
      if (this.#closing === undefined) this.#fallBack();
    });
    // The thread never keeps the process alive by itself.
    worker.unref();
  }

  /**
   * Starts the thread for `connection`'s file and turns the connection's automatic checkpoints off
   * once the thread has its own connection; resolves to undefined (automatic checkpoints kept) when
   * the worker module is missing or the thread cannot start.
   */
  static async start(
    connection: SqliteDatabase.Database,
    path: string,
    intervalMs = CHECKPOINT_INTERVAL_MS,
  ): Promise<SqliteCheckpointer | undefined> {
    const file = workerFile();
    if (!existsSync(file)) return undefined;
    connection.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    const worker = new Worker(file, { workerData: { path, intervalMs } satisfies CheckpointerOptions });
    const ready = await new Promise<boolean>((resolve) => {
      worker.once("message", (report: CheckpointReport) => resolve(report.kind === "ready"));
      worker.once("error", () => resolve(false));
      worker.once("exit", () => resolve(false));
    });
    if (!ready) {
      await worker.terminate();
      return undefined;
    }
    connection.pragma("wal_autocheckpoint = 0");
    return new SqliteCheckpointer(worker, connection);
  }

  #onReport(report: CheckpointReport): void {
    switch (report.kind) {
      case "checkpoint":
        this.stats.checkpoints++;
        this.stats.lastWalFrames = report.walFrames;
        return;
      case "failed":
        this.stats.failures++;
        return;
      case "ready":
      case "closed":
        return;
      default: {
        const never: never = report;
        throw new Error(`unknown checkpointer report ${JSON.stringify(never)}`);
      }
    }
  }

  #fallBack(): void {
    if (this.stats.fellBack || !this.connection.open) return;
    this.stats.fellBack = true;
    this.connection.pragma(`wal_autocheckpoint = ${AUTOMATIC_CHECKPOINT_PAGES}`);
  }

  /** Stops the thread after it has closed its connection (before the store's own is closed). */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      const done = () => resolve();
      this.worker.once("exit", done);
      this.worker.on("message", (report: CheckpointReport) => {
        if (report.kind === "closed") void this.worker.terminate().then(done, done);
      });
      // Held alive until it is done: an unreferenced thread would let the process exit mid-close.
      this.worker.ref();
      this.worker.postMessage("close");
    });
    return this.#closing;
  }
}
