// Configuration: the settings of one Keygate server process, from command-line flags and the
// environment (flags win), with defaults that let a fresh machine just start.
import { isIP } from "node:net";
import {
  PolicyWorkerSettingError,
  type PolicyWorkerSettings,
  policyWorkerSettingsFrom,
} from "../policy-workers/policy-worker-settings.js";

/**
 * Which proxies to believe about the client's address (X-Forwarded-For): none (false, the
 * default), any (true), or these addresses, CIDR ranges and named ranges.
 */
export type TrustProxySetting = boolean | readonly string[];

/** Settings of one server process. */
export interface ServerConfig {
  /** Directory of the embedded SQLite store (used when no database URL is given). */
  readonly dataDir: string;
  /** `postgres://...` to use PostgreSQL; undefined for the embedded SQLite store. */
  readonly databaseUrl: string | undefined;
  readonly host: string;
  readonly port: number;
  /** pino log level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`. */
  readonly logLevel: string;
  /** Failed authentications allowed per client address per window before 429. */
  readonly authFailureLimit: number;
  /** The window of authFailureLimit, in ms. */
  readonly authFailureWindowMs: number;
  /** Limits of the pool that evaluates policies (`KEYGATE_POLICY_*`). */
  readonly policyWorkers: PolicyWorkerSettings;
  /** Proxies trusted to report the client's address (`remote_ip` of login policies, the rate limit). */
  readonly trustProxy: TrustProxySetting;
  /** Request-path limits of login policies (KEYGATE_LOGIN_POLICY_*; see docs/login-policies.md). */
  readonly loginPolicy: {
    /** Wall-clock ms one login policy evaluation may take (KEYGATE_LOGIN_POLICY_TIMEOUT_MS, default 25). */
    readonly timeoutMs: number;
    /** Steps one login policy evaluation may take (KEYGATE_LOGIN_POLICY_MAX_STEPS, default 1,000,000). */
    readonly maxSteps: number;
    /** Login-policy CPU ms per organization per second before 503 (KEYGATE_LOGIN_POLICY_CPU_MS_PER_SECOND, default 50). */
    readonly cpuMsPerSecond: number;
  };
  /** How stale (ms) a cached token, principal or binding may be when used; 0 re-validates every request. */
  readonly cacheMaxStalenessMs: number;
  /** When SQLite syncs its log to disk (KEYGATE_SQLITE_SYNCHRONOUS): see SqliteSynchronous. */
  readonly sqliteSynchronous: SqliteSynchronous;
}

/**
 * SQLite's `synchronous` in WAL mode. `normal` (the default): a commit survives a crash of the
 * process, but the last commits before a power loss or OS crash may be lost. `full`: every commit
 * is on disk before it is answered (a revocation can never come back), at the cost of an fsync
 * per write.
 */
export type SqliteSynchronous = "normal" | "full";

/** Flags given on the command line; absent ones fall back to the environment, then defaults. */
export interface ServerConfigFlags {
  readonly dataDir?: string | undefined;
  readonly databaseUrl?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: string | number | undefined;
  readonly logLevel?: string | undefined;
  readonly trustProxy?: string | undefined;
}

/** A configuration setting that cannot be used, naming the setting. */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

function parsePort(value: string | number, setting: string): number {
  const port = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(setting, `${setting} must be a port number from 0 to 65535, got "${value}"`);
  }
  return port;
}

function parsePositiveInt(value: string | undefined, fallback: number, setting: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError(setting, `${setting} must be a whole number >= 1, got "${value}"`);
  return n;
}

// proxy-addr's names for well-known ranges, accepted as Fastify passes them on.
const NAMED_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);

function isAddressOrRange(entry: string): boolean {
  if (NAMED_RANGES.has(entry) || isIP(entry) !== 0) return true;
  const slash = entry.indexOf("/");
  if (slash < 0) return false;
  const family = isIP(entry.slice(0, slash));
  const prefix = entry.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Parses a trust-proxy setting: `true`, `false`, or a comma-separated list of addresses, CIDR
 * ranges (`10.0.0.0/8`) and the names `loopback`, `linklocal`, `uniquelocal`. A hop count is
 * refused: it believes the socket's peer whatever its address, so a client that reaches Keygate
 * directly would choose its own address, protocol and host (CVE-2026-16732; Fastify 5.12 dropped it).
 */
export function parseTrustProxy(value: string | undefined, setting: string): TrustProxySetting {
  const text = (value ?? "").trim();
  if (text === "" || text.toLowerCase() === "false") return false;
  if (text.toLowerCase() === "true") return true;
  if (/^\d+$/.test(text)) {
    throw new ConfigError(
      setting,
      `${setting}: a hop count (${text}) is not accepted: it believes X-Forwarded-For from any client that reaches Keygate directly; give the proxies' addresses or CIDR ranges (e.g. 10.0.0.0/8,127.0.0.1), or true when nothing but the proxy can reach Keygate`,
    );
  }
  const entries = text.split(",").map((entry) => entry.trim());
  const bad = entries.find((entry) => !isAddressOrRange(entry));
  if (bad !== undefined) {
    throw new ConfigError(
      setting,
      `${setting} must be true, false, or a comma-separated list of addresses and CIDR ranges (e.g. 10.0.0.0/8,127.0.0.1); ${JSON.stringify(bad)} is none of them`,
    );
  }
  return entries;
}

function parseSqliteSynchronous(value: string | undefined): SqliteSynchronous {
  if (value === undefined || value === "") return "normal";
  const lower = value.toLowerCase();
  if (lower === "normal" || lower === "full") return lower;
  throw new ConfigError(
    "KEYGATE_SQLITE_SYNCHRONOUS",
    `KEYGATE_SQLITE_SYNCHRONOUS must be one of: normal, full, got "${value}"`,
  );
}

function parseNonNegativeInt(value: string | undefined, fallback: number, setting: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(setting, `${setting} must be a whole number >= 0, got "${value}"`);
  return n;
}

/** Resolves the configuration from flags and environment (`KEYGATE_*`). */
export function resolveServerConfig(
  flags: ServerConfigFlags = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): ServerConfig {
  const databaseUrl = flags.databaseUrl ?? (env.KEYGATE_DATABASE_URL || undefined);
  const port = flags.port ?? env.KEYGATE_PORT ?? env.PORT ?? 8080;
  return {
    dataDir: flags.dataDir ?? (env.KEYGATE_DATA_DIR || "./.keygate"),
    databaseUrl,
    host: flags.host ?? (env.KEYGATE_HOST || "127.0.0.1"),
    port: parsePort(port, flags.port !== undefined ? "--port" : "KEYGATE_PORT"),
    logLevel: flags.logLevel ?? (env.KEYGATE_LOG_LEVEL || "info"),
    authFailureLimit: parsePositiveInt(env.KEYGATE_AUTH_FAILURE_LIMIT, 50, "KEYGATE_AUTH_FAILURE_LIMIT"),
    authFailureWindowMs: parsePositiveInt(
      env.KEYGATE_AUTH_FAILURE_WINDOW_MS,
      60_000,
      "KEYGATE_AUTH_FAILURE_WINDOW_MS",
    ),
    policyWorkers: policyWorkersOf(env),
    trustProxy:
      flags.trustProxy !== undefined
        ? parseTrustProxy(flags.trustProxy, "--trust-proxy")
        : parseTrustProxy(env.KEYGATE_TRUST_PROXY, "KEYGATE_TRUST_PROXY"),
    loginPolicy: {
      timeoutMs: parsePositiveInt(env.KEYGATE_LOGIN_POLICY_TIMEOUT_MS, 25, "KEYGATE_LOGIN_POLICY_TIMEOUT_MS"),
      maxSteps: parsePositiveInt(
        env.KEYGATE_LOGIN_POLICY_MAX_STEPS,
        1_000_000,
        "KEYGATE_LOGIN_POLICY_MAX_STEPS",
      ),
      cpuMsPerSecond: parsePositiveInt(
        env.KEYGATE_LOGIN_POLICY_CPU_MS_PER_SECOND,
        50,
        "KEYGATE_LOGIN_POLICY_CPU_MS_PER_SECOND",
      ),
    },
    cacheMaxStalenessMs: parseNonNegativeInt(
      env.KEYGATE_CACHE_MAX_STALENESS_MS,
      5000,
      "KEYGATE_CACHE_MAX_STALENESS_MS",
    ),
    sqliteSynchronous: parseSqliteSynchronous(env.KEYGATE_SQLITE_SYNCHRONOUS),
  };
}

function policyWorkersOf(env: Readonly<Record<string, string | undefined>>): PolicyWorkerSettings {
  try {
    return policyWorkerSettingsFrom(env);
  } catch (error) {
    if (error instanceof PolicyWorkerSettingError) throw new ConfigError(error.setting, error.message);
    throw error;
  }
}
