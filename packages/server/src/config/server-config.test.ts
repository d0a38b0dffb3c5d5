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

  it("reads the login policies' request-path limits, naming a bad one", () => {
    expect(resolveServerConfig({}, {}).loginPolicy).toEqual({
      timeoutMs: 25,
      maxSteps: 1_000_000,
      cpuMsPerSecond: 50,
    });
    expect(
      resolveServerConfig(
        {},
        { KEYGATE_LOGIN_POLICY_TIMEOUT_MS: "10", KEYGATE_LOGIN_POLICY_CPU_MS_PER_SECOND: "80" },
      ).loginPolicy,
    ).toEqual({ timeoutMs: 10, maxSteps: 1_000_000, cpuMsPerSecond: 80 });
    expect(() => resolveServerConfig({}, { KEYGATE_LOGIN_POLICY_MAX_STEPS: "0" })).toThrow(
      /KEYGATE_LOGIN_POLICY_MAX_STEPS/,
    );
  });
});

describe("trust proxy setting", () => {
  it("is off by default and reads true, false or a list of addresses and ranges", () => {
    expect(resolveServerConfig({}, {}).trustProxy).toBe(false);
    expect(resolveServerConfig({}, { KEYGATE_TRUST_PROXY: "true" }).trustProxy).toBe(true);
    expect(resolveServerConfig({}, { KEYGATE_TRUST_PROXY: "FALSE" }).trustProxy).toBe(false);
    expect(
      resolveServerConfig({}, { KEYGATE_TRUST_PROXY: "10.0.0.0/8, 127.0.0.1,::1,fd00::/8,loopback" })
        .trustProxy,
    ).toEqual(["10.0.0.0/8", "127.0.0.1", "::1", "fd00::/8", "loopback"]);
  });

  it("prefers the flag, and names the setting of a bad value", () => {
    expect(
      resolveServerConfig({ trustProxy: "127.0.0.1" }, { KEYGATE_TRUST_PROXY: "true" }).trustProxy,
    ).toEqual(["127.0.0.1"]);
    expect(() => resolveServerConfig({}, { KEYGATE_TRUST_PROXY: "10.0.0.0/33" })).toThrow(
      /KEYGATE_TRUST_PROXY.*10\.0\.0\.0\/33/,
    );
    expect(() => resolveServerConfig({ trustProxy: "yes" }, {})).toThrow(/--trust-proxy/);
    expect(() => resolveServerConfig({}, { KEYGATE_TRUST_PROXY: "10.0.0.1,,10.0.0.2" })).toThrow(ConfigError);
    expect(() => resolveServerConfig({}, { KEYGATE_TRUST_PROXY: "proxy.example.com" })).toThrow(ConfigError);
  });

  it("refuses a hop count, saying why and what to give instead", () => {
    // A hop count believes the socket's peer whatever its address: a client reaching Keygate
    // directly would choose its own address (and the protocol and host Fastify reports).
    expect(() => resolveServerConfig({}, { KEYGATE_TRUST_PROXY: "1" })).toThrow(
      /KEYGATE_TRUST_PROXY: a hop count \(1\) is not accepted.*addresses or CIDR ranges/,
    );
    expect(() => resolveServerConfig({ trustProxy: "2" }, {})).toThrow(/--trust-proxy: a hop count \(2\)/);
  });
  it("reads SQLite's durability (normal by default, full on request) and names a bad one", () => {
    expect(resolveServerConfig({}, {}).sqliteSynchronous).toBe("normal");
    expect(resolveServerConfig({}, { KEYGATE_SQLITE_SYNCHRONOUS: "FULL" }).sqliteSynchronous).toBe("full");
    expect(() => resolveServerConfig({}, { KEYGATE_SQLITE_SYNCHRONOUS: "off" })).toThrow(
      /KEYGATE_SQLITE_SYNCHRONOUS must be one of: normal, full, got "off"/,
    );
  });
  it("reads the cache staleness bound (5 s by default, 0 allowed) and names a bad one", () => {
    expect(resolveServerConfig({}, {}).cacheMaxStalenessMs).toBe(5000);
    expect(resolveServerConfig({}, { KEYGATE_CACHE_MAX_STALENESS_MS: "0" }).cacheMaxStalenessMs).toBe(0);
    expect(() => resolveServerConfig({}, { KEYGATE_CACHE_MAX_STALENESS_MS: "-1" })).toThrow(
      /KEYGATE_CACHE_MAX_STALENESS_MS must be a whole number >= 0, got "-1"/,
    );
  });
});
