// HTTP API, delegates: the wire protocol between a delegate (agent) and the server. The agent
// opens a WebSocket at CONNECT_PATH with `Authorization: Bearer kgd_...` and its name, host and
// version as query parameters; a refused handshake is an HTTP error with a JSON:API error
// document. Once open, the server sends `welcome`; the agent sends `heartbeat` every
// `heartbeatIntervalMs`; the server closes with one of DELEGATE_CLOSE_CODES when it drops it.

/** Where delegates connect (a WebSocket upgrade). */
export const DELEGATE_CONNECT_PATH = "/api/v2/delegates/connect";

/** The server's first message on a new connection. */
export interface DelegateWelcome {
  readonly type: "welcome";
  readonly delegateId: string;
  readonly delegateTokenId: string;
  readonly spaceId: string;
  /** How often the agent must send a heartbeat. */
  readonly heartbeatIntervalMs: number;
  /** After how long without a heartbeat the server drops the agent. */
  readonly heartbeatTimeoutMs: number;
}

/** The agent's periodic message. */
export interface DelegateHeartbeat {
  readonly type: "heartbeat";
}

/** Any message the server sends. */
export type ServerMessage = DelegateWelcome;

/** Any message an agent sends. */
export type AgentMessage = DelegateHeartbeat;

/** Close codes the server uses, and what an agent should do on each. */
export const DELEGATE_CLOSE_CODES = {
  /** The token was revoked or deleted: stop, do not reconnect with it. */
  tokenRevoked: 4001,
  /** No heartbeat arrived in time: reconnect. */
  heartbeatTimeout: 4002,
  /** The agent sent something the server does not understand: stop. */
  protocolError: 4003,
  /** The server instance is stopping: reconnect. */
  goingAway: 1001,
} as const;
