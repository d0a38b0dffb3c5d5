import { describe, expect, it } from "vitest";
import { seed003Policies } from "../governance/seed-policies.js";
import { dependsOnlyOnSessionAndAddress } from "./login-policy-inputs.js";

describe("which login policies decide from the session and address alone", () => {
  it("accepts session and remote_ip reads, and words inside strings and comments", () => {
    expect(
      dependsOnlyOnSessionAndAddress(`package p
# time.now_ns() is not called here; input.request.timestamp_ns neither
allow { input.session.member }
roles["time-limited"]["uuid-role"] { net.cidr_contains("10.0.0.0/8", input.request.remote_ip) }
`),
    ).toBe(true);
  });

  it.each([
    ["the clock", 'package p\nallow { time.now_ns() > 0 }'],
    ["the request time", "package p\nallow { input.request.timestamp_ns > 0 }"],
    ["the whole request", "package p\nallow { r := input.request; r.remote_ip }"],
    ["an input alias", "package p\nallow { x := input; x.session.member }"],
    ["a computed key", 'package p\nallow { input["request"]["timestamp_ns"] }'],
    ["chance", "package p\nallow { rand.intn(\"x\", 2) == 0 }"],
    ["an import of input", "package p\nimport input.request as r\nallow { r.remote_ip }"],
    ["a with on input", "package p\nallow { q with input.request.timestamp_ns as 1 }\nq { true }"],
  ])("refuses a policy reading %s", (_what, source) => {
    expect(dependsOnlyOnSessionAndAddress(source)).toBe(false);
  });

  it.skipIf(seed003Policies() === undefined)("classifies seed 003's examples: only the time window needs every request", () => {
    const examples = seed003Policies()!.examples;
    const evaluatedEveryTime = examples.filter((e) => !dependsOnlyOnSessionAndAddress(e.source)).map((e) => e.name);
    expect(evaluatedEveryTime).toEqual(["conditional-api-key-access"]);
  });
});
