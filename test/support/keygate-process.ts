// End-to-end tests, support: runs the built `keygate` CLI as a real process: one-shot commands,
// and `keygate serve` on a free port with its output kept for inspection.
import { type ChildProcess, spawn } from "node:child_process";
import { CLI_MAIN, ensureCliBuilt, REPO_ROOT } from "./keygate-build.js";

/** The outcome of a one-shot command. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `keygate <args>` to completion. */
export function runKeygate(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<CliRun> {
  ensureCliBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A running `keygate serve`. */
export interface KeygateServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Stops it (SIGTERM) and waits for the exit. */
  stop(): Promise<void>;
  /** Kills it with SIGKILL (no shutdown code runs) and waits for the exit. */
  kill(): Promise<void>;
  /** The exit code once it exited (null while running, or when a signal ended it). */
  exitCode(): number | null;
}

/** Starts `keygate serve` on a free port and waits until it listens. */
export async function startKeygate(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<KeygateServer> {
  ensureCliBuilt();
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI_MAIN, "serve", "--port", "0", "--host", "127.0.0.1", ...args],
    { cwd: REPO_ROOT, env: { ...process.env, KEYGATE_LOG_LEVEL: "info", ...env } },
  );
  let output = "";
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    // Generous: a loaded CI machine may take a while; a server that never says so is stopped.
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`keygate serve did not start in 45 s:\n${output}`));
    }, 45_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[0-9.:]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("close", (code) => {
      clearTimeout(timer);
      reject(new Error(`keygate serve exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    exitCode: () => child.exitCode,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
