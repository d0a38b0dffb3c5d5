// Configuration: the settings of one Keygate server process, from command-line flags and the
// environment (flags win), with defaults that let a fresh machine just start.

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
  /** How stale (ms) a cached token, principal or binding may be when used; 0 re-validates every request. */
  readonly cacheMaxStalenessMs: number;
}

/** Flags given on the command line; absent ones fall back to the environment, then defaults. */
export interface ServerConfigFlags {
  readonly dataDir?: string | undefined;
  readonly databaseUrl?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: string | number | undefined;
  readonly logLevel?: string | undefined;
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
    cacheMaxStalenessMs: parseNonNegativeInt(
      env.KEYGATE_CACHE_MAX_STALENESS_MS,
      5000,
      "KEYGATE_CACHE_MAX_STALENESS_MS",
    ),
  };
}
