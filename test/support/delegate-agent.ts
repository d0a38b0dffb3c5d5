// End-to-end tests, support: a real `keygate delegate run` agent, started with a delegate token and
// kept connected until the test stops it.
import { spawn } from "node:child_process";
import { CLI_MAIN, ensureCliBuilt, REPO_ROOT } from "./keygate-build.js";
import { waitFor } from "./wait-for.js";

/** A connected `keygate delegate run`. */
export interface DelegateAgent {
  /** Everything it wrote so far. */
  output(): string;
  /** Stops it (SIGTERM) and waits for the exit. */
  stop(): Promise<void>;
}

/** Starts an agent named `name` against `server` and waits (up to 30 s) until it says it connected. */
export async function startDelegateAgent(
  server: string,
  token: string,
  name: string,
): Promise<DelegateAgent> {
  ensureCliBuilt();
  const child = spawn(process.execPath, [CLI_MAIN, "delegate", "run", "--server", server, "--name", name], {
    cwd: REPO_ROOT,
    // The token goes through the environment so that it never shows in a process listing.
    env: { ...process.env, DELEGATE_TOKEN: token },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const agent: DelegateAgent = {
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
  try {
    await waitFor(
      `delegate agent ${name} to connect`,
      async () => {
        if (child.exitCode !== null)
          throw new Error(`delegate agent exited with ${child.exitCode}:\n${output}`);
        return output.includes("connected to") ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
  } catch (error) {
    await agent.stop();
    throw error;
  }
  return agent;
}
