// Store layer, SQLite: the checkpointer's thread (see sqlite-checkpointer.ts). It opens its own
// connection to the database file and, whenever another connection has committed since it last
// looked (`PRAGMA data_version`), copies the WAL's frames into the database file with a PASSIVE
// checkpoint, which never waits for, nor blocks, the writers and readers of the main thread. It
// reports each checkpoint to the main thread and stops when told to (closing its connection first).
import { parentPort, workerData } from "node:worker_threads";
import SqliteDatabase from "better-sqlite3";
import type { CheckpointReport, CheckpointerOptions } from "./sqlite-checkpointer.js";

const options = workerData as CheckpointerOptions;
const port = parentPort;
if (port === null) throw new Error("sqlite-checkpoint-worker.js runs as a worker thread only");

const db = new SqliteDatabase(options.path, { fileMustExist: true });
// A checkpoint needs no lock a writer holds; this only covers a writer restarting the WAL.
db.pragma("busy_timeout = 0");
const dataVersion = db.prepare("PRAGMA data_version").pluck();
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
let seen = dataVersion.get() as number;

function tick(): void {
  const version = dataVersion.get() as number;
  if (version === seen) return;
  seen = version;
  const started = performance.now();
  let report: CheckpointReport;
  try {
    const row = checkpoint.get() as { busy: number; log: number; checkpointed: number };
    report = { kind: "checkpoint", walFrames: row.log, copiedFrames: row.checkpointed, ms: performance.now() - started };
  } catch (error) {
    report = { kind: "failed", message: error instanceof Error ? error.message : String(error) };
  }
  port?.postMessage(report);
}

const timer = setInterval(tick, options.intervalMs);
port.on("message", (message: unknown) => {
  if (message !== "close") return;
  clearInterval(timer);
  db.close();
  port.postMessage({ kind: "closed" } satisfies CheckpointReport);
  port.close();
});
port.postMessage({ kind: "ready" } satisfies CheckpointReport);
