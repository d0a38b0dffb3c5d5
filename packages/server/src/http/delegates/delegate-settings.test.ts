// HTTP API tests, delegates: the timing settings from the environment, their defaults and the
// errors naming a bad variable.
import { describe, expect, it } from "vitest";
import { DEFAULT_DELEGATE_SETTINGS, resolveDelegateSettings } from "./delegate-settings.js";

describe("delegate settings", () => {
  it("defaults to a 10 s heartbeat, dropped after three missed ones, swept every second", () => {
    expect(resolveDelegateSettings({})).toEqual(DEFAULT_DELEGATE_SETTINGS);
    expect(DEFAULT_DELEGATE_SETTINGS).toEqual({
      heartbeatIntervalMs: 10_000,
      heartbeatTimeoutMs: 30_000,
      sweepIntervalMs: 1_000,
    });
  });

  it("derives the timeout and sweep from a shorter interval unless they are given", () => {
    expect(resolveDelegateSettings({ KEYGATE_DELEGATE_HEARTBEAT_INTERVAL_MS: "200" })).toEqual({
      heartbeatIntervalMs: 200,
      heartbeatTimeoutMs: 600,
      sweepIntervalMs: 200,
    });
    expect(
      resolveDelegateSettings({
        KEYGATE_DELEGATE_HEARTBEAT_INTERVAL_MS: "200",
        KEYGATE_DELEGATE_HEARTBEAT_TIMEOUT_MS: "5000",
        KEYGATE_DELEGATE_SWEEP_INTERVAL_MS: "60000",
      }),
    ).toEqual({ heartbeatIntervalMs: 200, heartbeatTimeoutMs: 5000, sweepIntervalMs: 60000 });
  });

  it("names the variable that is wrong", () => {
    expect(() => resolveDelegateSettings({ KEYGATE_DELEGATE_HEARTBEAT_INTERVAL_MS: "10s" })).toThrow(
      'KEYGATE_DELEGATE_HEARTBEAT_INTERVAL_MS must be a whole number of milliseconds >= 1, got "10s"',
    );
    expect(() =>
      resolveDelegateSettings({
        KEYGATE_DELEGATE_HEARTBEAT_INTERVAL_MS: "1000",
        KEYGATE_DELEGATE_HEARTBEAT_TIMEOUT_MS: "500",
      }),
    ).toThrow(
      /KEYGATE_DELEGATE_HEARTBEAT_TIMEOUT_MS \(500\) must be longer than the heartbeat interval \(1000\)/,
    );
  });
});
