import { describe, expect, it } from "vitest";
import { LoginCpuMeter } from "./login-cpu-meter.js";

describe("LoginCpuMeter", () => {
  it("refuses an organization past its CPU per second until the second ends, and no other", () => {
    const meter = new LoginCpuMeter(() => 50);
    const t = 1_000_000_250;
    meter.charge("org-a", 30, t);
    expect(meter.waitMs("org-a", t + 1)).toBe(0);
    meter.charge("org-a", 25, t + 10);
    expect(meter.waitMs("org-a", t + 20)).toBe(730);
    expect(meter.waitMs("org-b", t + 20)).toBe(0);
    expect(meter.waitMs("org-a", t + 750)).toBe(0);
    meter.charge("org-a", 5, t + 750);
    expect(meter.waitMs("org-a", t + 751)).toBe(0);
  });
});
