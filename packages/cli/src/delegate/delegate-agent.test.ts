// CLI, delegates: the agent says each change of its connection's state on stderr.
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { runDelegateAgent } from "./delegate-agent.js";

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("delegate agent", () => {
  it("prints connecting, the failure and when it retries, attempt by attempt, and stopped", async () => {
    const server = `http://127.0.0.1:${await freePort()}`;
    const lines: string[] = [];
    const stop = new AbortController();
    const io = {
      out: () => {},
      err: (text: string) => {
        lines.push(text);
        if (lines.filter((l) => l.includes("cannot reach")).length === 3) stop.abort();
      },
      env: {},
    };
    const code = await runDelegateAgent(
      {
        server,
        token: () => "kgd_x",
        name: "a",
        host: "h",
        version: "1",
        reconnectDelayMs: 10,
        maxReconnectDelayMs: 40,
      },
      io,
      stop.signal,
    );
    expect(code).toBe(0);
    expect(lines.join("")).toMatch(
      new RegExp(
        [
          `keygate delegate: connecting to ${server}\\n`,
          `keygate delegate: cannot reach ${server} \\(.*\\); retrying in 10 ms\\n`,
          `keygate delegate: connecting to ${server} \\(attempt 2\\)\\n`,
          `keygate delegate: cannot reach ${server} \\(.*\\); retrying in 20 ms\\n`,
          `keygate delegate: connecting to ${server} \\(attempt 3\\)\\n`,
          `keygate delegate: cannot reach ${server} \\(.*\\); retrying in 40 ms\\n`,
          "keygate delegate: stopped\\n",
        ].join(""),
      ),
    );
  });
});
