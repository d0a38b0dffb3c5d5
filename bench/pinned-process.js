// Benchmarks, support: server processes pinned to a CPU (taskset), their CPU time from /proc, a
// free port for a server to listen on, and waiting until it answers.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism } from "node:os";

const CLOCK_TICKS = 100;

let tasksetKnown;

/** Whether processes can be pinned: `taskset` exists and the machine has two CPUs or more. */
export function canPin() {
  if (tasksetKnown === undefined) {
    try {
      execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
      tasksetKnown = true;
    } catch {
      tasksetKnown = false;
    }
  }
  return tasksetKnown && availableParallelism() >= 2;
}

/** `taskset -c <cpu>` before a command where the machine has it and two CPUs or more. */
export function pinned(cpu, command, args) {
  return canPin() ? ["taskset", ["-c", String(cpu), command, ...args]] : [command, args];
}

/** CPU seconds (user + system) the process has used so far. */
export function cpuSecondsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Waits (60 s at most) until `url` answers 2xx; throws if `child` exits first or time runs out. */
export async function waitReady(url, child) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before it was ready`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} not ready within 60 s`);
}
