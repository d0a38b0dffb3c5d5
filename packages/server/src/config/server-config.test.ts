// Configuration: flags over environment over defaults, and errors naming the bad setting.
import { describe, expect, it } from "vitest";
import { ConfigError, resolveServerConfig } from "./server-config.js";

describe("resolveServerConfig", () => {
  it("defaults to ./.keygate on 127.0.0.1:8080 with SQLite", () => {
    const config = resolveServerConfig({}, {});
    expect(config).toMatchObject({
      dataDir: "./.keygate",
      port: 8080,
      host: "127.0.0.1",
      databaseUrl: undefined,
    });
  });

  it("prefers flags to the environment", () => {
    const env = { KEYGATE_DATA_DIR: "/env", KEYGATE_PORT: "9000", KEYGATE_DATABASE_URL: "postgres://x/y" };
    expect(resolveServerConfig({}, env)).toMatchObject({
      dataDir: "/env",
      port: 9000,
      databaseUrl: "postgres://x/y",
    });
    expect(resolveServerConfig({ dataDir: "/flag", port: "7000" }, env)).toMatchObject({
      dataDir: "/flag",
      port: 7000,
    });
  });

  it("names the setting of a bad port", () => {
    expect(() => resolveServerConfig({ port: "http" }, {})).toThrow(ConfigError);
    expect(() => resolveServerConfig({ port: "http" }, {})).toThrow(/--port/);
    expect(() => resolveServerConfig({}, { KEYGATE_PORT: "99999" })).toThrow(/KEYGATE_PORT/);
  });

  it("reads the cache staleness bound (5 s by default, 0 allowed) and names a bad one", () => {
    expect(resolveServerConfig({}, {}).cacheMaxStalenessMs).toBe(5000);
    expect(resolveServerConfig({}, { KEYGATE_CACHE_MAX_STALENESS_MS: "0" }).cacheMaxStalenessMs).toBe(0);
    expect(() => resolveServerConfig({}, { KEYGATE_CACHE_MAX_STALENESS_MS: "-1" })).toThrow(
      /KEYGATE_CACHE_MAX_STALENESS_MS must be a whole number >= 0, got "-1"/,
    );
  });
});
