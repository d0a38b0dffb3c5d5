// CLI, delegates: the delegate agent behind `keygate delegate run`. It connects to the server
// over a WebSocket with its delegate token, sends heartbeats at the interval the server asks
// for, and reconnects (with backoff) when the connection drops or the server restarts. It stops
// with exit code 1 and a message when the server refuses it or disconnects it because its token
// was revoked, and with 0 when asked to stop (SIGINT/SIGTERM).
import type { DelegateWelcome } from "@keygate/server";
import WebSocket from "ws";
import { CliError, type CliIo } from "../client/cli-io.js";
import type { DelegateTokenSource } from "./delegate-token-source.js";

/** How the agent runs. */
export interface DelegateAgentOptions {
  /** The server's base URL (`http://host:port`). */
  readonly server: string;
  readonly token: DelegateTokenSource;
  readonly name: string;
  readonly host: string;
  readonly version: string;
  /** First reconnect delay, doubled per failed attempt up to `maxReconnectDelayMs`. */
  readonly reconnectDelayMs?: number;
  readonly maxReconnectDelayMs?: number;
}

/** How one connection attempt ended. */
type AttemptOutcome =
  | { readonly kind: "refused"; readonly status: number; readonly detail: string }
  | { readonly kind: "closed"; readonly code: number; readonly reason: string; readonly welcomed: boolean }
  | { readonly kind: "unreachable"; readonly message: string }
  | { readonly kind: "stopped" };

// Close codes of the server (see DELEGATE_CLOSE_CODES in @keygate/server).
const TOKEN_REVOKED = 4001;
const PROTOCOL_ERROR = 4003;

/** The WebSocket URL of the server's delegate endpoint, with the agent's announcement. */
export function connectUrl(
  server: string,
  options: Pick<DelegateAgentOptions, "name" | "host" | "version">,
): URL {
  let base: URL;
  try {
    base = new URL(server.endsWith("/") ? server : `${server}/`);
  } catch {
    throw new CliError(`--server must be a URL like http://127.0.0.1:8080, got "${server}"`, 2);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new CliError(`--server must be an http:// or https:// URL, got "${server}"`, 2);
  }
  const url = new URL("api/v2/delegates/connect", base);
  url.protocol = base.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("name", options.name);
  url.searchParams.set("host", options.host);
  url.searchParams.set("version", options.version);
  return url;
}

function detailOf(body: string, status: number): string {
  try {
    const errors = (JSON.parse(body) as { errors?: { detail?: string }[] }).errors;
    const details = (errors ?? []).map((e) => e.detail).filter((d): d is string => typeof d === "string");
    if (details.length > 0) return details.join("; ");
  } catch {
    // Not a JSON:API error document (a proxy's page, say): fall through to the status.
  }
  return `HTTP ${status}`;
}

function attempt(
  url: URL,
  token: string,
  io: CliIo,
  server: string,
  signal: AbortSignal,
): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let welcomed = false;
    let heartbeat: NodeJS.Timeout | undefined;
    const settle = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      if (heartbeat) clearInterval(heartbeat);
      signal.removeEventListener("abort", onAbort);
      resolve(outcome);
    };
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${token}` },
      handshakeTimeout: 10_000,
    });
    const onAbort = () => {
      socket.close(1000, "delegate stopping");
      settle({ kind: "stopped" });
    };
    signal.addEventListener("abort", onAbort);
    socket.on("unexpected-response", (request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        if (body.length < 64 * 1024) body += chunk;
      });
      response.on("end", () => {
        settle({
          kind: "refused",
          status: response.statusCode ?? 0,
          detail: detailOf(body, response.statusCode ?? 0),
        });
        request.destroy();
      });
      response.on("error", () => settle({ kind: "refused", status: response.statusCode ?? 0, detail: "" }));
    });
    socket.on("message", (data) => {
      let message: Partial<DelegateWelcome>;
      try {
        message = JSON.parse(data.toString()) as Partial<DelegateWelcome>;
      } catch {
        return;
      }
      if (message.type !== "welcome" || welcomed) return;
      welcomed = true;
      const interval = Math.max(100, Number(message.heartbeatIntervalMs) || 10_000);
      io.err(
        `keygate delegate: connected to ${server} as "${url.searchParams.get("name")}" ` +
          `(delegate ${message.delegateId}, token ${message.delegateTokenId}, heartbeat every ${interval} ms)\n`,
      );
      heartbeat = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "heartbeat" }));
      }, interval);
    });
    socket.on("close", (code, reason) =>
      settle({ kind: "closed", code, reason: reason.toString(), welcomed }),
    );
    socket.on("error", (error) => {
      // After the handshake an error is followed by `close`; before it, this is the outcome.
      if (!welcomed) settle({ kind: "unreachable", message: error.message });
    });
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

/** Runs the agent until it is stopped (0) or refused/revoked (1); resolves to the exit code. */
export async function runDelegateAgent(
  options: DelegateAgentOptions,
  io: CliIo,
  signal: AbortSignal,
): Promise<number> {
  const url = connectUrl(options.server, options);
  const first = options.reconnectDelayMs ?? 500;
  const max = options.maxReconnectDelayMs ?? 30_000;
  let delay = first;
  let attempts = 0;
  while (!signal.aborted) {
    attempts++;
    io.err(
      `keygate delegate: connecting to ${options.server}${attempts > 1 ? ` (attempt ${attempts})` : ""}\n`,
    );
    const outcome = await attempt(url, options.token(), io, options.server, signal);
    if (outcome.kind === "closed" && outcome.welcomed) attempts = 0;
    switch (outcome.kind) {
      case "stopped":
        io.err("keygate delegate: stopped\n");
        return 0;
      case "refused":
        if (outcome.status >= 500 || outcome.status === 429) {
          io.err(
            `keygate delegate: the server is not accepting delegates now (${outcome.detail}); retrying in ${delay} ms\n`,
          );
          break;
        }
        io.err(
          `keygate delegate: the server refused the connection (${outcome.status}): ${outcome.detail}\n`,
        );
        return 1;
      case "closed":
        if (outcome.code === TOKEN_REVOKED) {
          io.err(
            `keygate delegate: disconnected by the server: ${outcome.reason || "the delegate token was revoked"}; ` +
              "stopping (restart the delegate with a new delegate token)\n",
          );
          return 1;
        }
        if (outcome.code === PROTOCOL_ERROR) {
          io.err(`keygate delegate: the server closed the connection: ${outcome.reason}\n`);
          return 1;
        }
        if (outcome.welcomed) delay = first;
        io.err(
          `keygate delegate: connection closed (${outcome.code}${outcome.reason ? `: ${outcome.reason}` : ""}); reconnecting in ${delay} ms\n`,
        );
        break;
      case "unreachable":
        io.err(
          `keygate delegate: cannot reach ${options.server} (${outcome.message}); retrying in ${delay} ms\n`,
        );
        break;
    }
    await sleep(delay, signal);
    delay = Math.min(delay * 2, max);
  }
  io.err("keygate delegate: stopped\n");
  return 0;
}
