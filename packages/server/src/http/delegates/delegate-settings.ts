// HTTP API, delegates: the timing of delegate connections (heartbeat interval and timeout, and
// how often each instance sweeps its connections), from `KEYGATE_DELEGATE_*` variables.

/** Timing of delegate connections, in ms. */
export interface DelegateSettings {
  /** How often agents send a heartbeat (told to them on connect). */
  readonly heartbeatIntervalMs: number;
  /** A delegate silent for this long is dropped. */
  readonly heartbeatTimeoutMs: number;
  /** How often an instance checks its connections (heartbeats, revoked tokens). */
  readonly sweepIntervalMs: number;
}

/** The defaults: heartbeat every 10 s, dropped after 30 s, sweep every second. */
export const DEFAULT_DELEGATE_SETTINGS: DelegateSettings = {
  heartbeatIntervalMs: 10_000,
  heartbeatTimeoutMs: 30_000,
  sweepIntervalMs: 1_000,
};

function positiveMs(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a whole number of milliseconds >= 1, got "${text}"`);
  }
  return value;
}

/**
 * The settings from `KEYGATE_DELEGATE_HEARTBEAT_INTERVAL_MS`, `KEYGATE_DELEGATE_HEARTBEAT_TIMEOUT_MS`
 * (default three intervals) and `KEYGATE_DELEGATE_SWEEP_INTERVAL_MS`; throws naming a bad one.
 */
export function resolveDelegateSettings(env: Readonly<Record<string, string | undefined>>): DelegateSettings {
  const interval =
    positiveMs(env, "KEYGATE_DELEGATE_HEARTBEAT_INTERVAL_MS") ??
    DEFAULT_DELEGATE_SETTINGS.heartbeatIntervalMs;
  const timeout = positiveMs(env, "KEYGATE_DELEGATE_HEARTBEAT_TIMEOUT_MS") ?? interval * 3;
  if (timeout <= interval) {
    throw new Error(
      `KEYGATE_DELEGATE_HEARTBEAT_TIMEOUT_MS (${timeout}) must be longer than the heartbeat interval (${interval})`,
    );
  }
  const sweep =
    positiveMs(env, "KEYGATE_DELEGATE_SWEEP_INTERVAL_MS") ??
    Math.min(DEFAULT_DELEGATE_SETTINGS.sweepIntervalMs, interval);
  return { heartbeatIntervalMs: interval, heartbeatTimeoutMs: timeout, sweepIntervalMs: sweep };
}
