import { describe, expect, it } from "vitest";
import { seed003Policies } from "../governance/seed-policies.js";
import { compilePolicyFor } from "../policy-evaluations/compiled-policy-sets.js";
import { combinedReuse, type LoginReuse, loginPolicyReuse } from "./login-policy-inputs.js";

function reuseOf(source: string): LoginReuse {
  const policy = compilePolicyFor("login", {
    policyId: "pol-1",
    policyName: "login",
    enforcementLevel: "mandatory",
    query: null,
    source,
  });
  if (!policy.ok) throw new Error(policy.problems.map((p) => p.message).join("; "));
  return loginPolicyReuse(policy);
}

describe("how long a login policy's decision holds, from the compiled policy", () => {
  it("reuses a decision on the session and address, whatever strings and comments say", () => {
    expect(
      reuseOf(`package p
# time.now_ns() is not called here; input.request.timestamp_ns neither
allow { input.session.member }
roles["time-limited"]["uuid-role"] { net.cidr_contains("10.0.0.0/8", input.request.remote_ip) }
`),
    ).toBe("always");
  });

  it("sees through helper rules, functions and imports of the session", () => {
    expect(
      reuseOf(`package p
import input.session as s
allow { ok(s.login) }
ok(x) { startswith(x, "ci-") }
`),
    ).toBe("always");
  });

  it.each([
    ["the clock", "package p\nallow { time.now_ns() > 0 }"],
    ["the request time", "package p\nallow { input.request.timestamp_ns > 0 }"],
    ["the whole request", "package p\nallow { r := input.request; r.remote_ip }"],
    ["an input alias", "package p\nallow { x := input; x.session.member }"],
    ["a computed key", 'package p\nallow { k := "request"; input[k]["timestamp_ns"] }'],
    ["chance", 'package p\nallow { rand.intn("x", 2) == 0 }'],
    ["an import of the request", "package p\nimport input.request as r\nallow { r.timestamp_ns > 0 }"],
    ["the clock behind a helper", "package p\nallow { late }\nlate { time.now_ns() > 0 }"],
  ])("evaluates every time a policy reading %s", (_what, source) => {
    expect(reuseOf(source)).toBe("never");
  });

  it("reuses a decision on the civil time of the request within its second", () => {
    expect(reuseOf('package p\nallow { time.clock([input.request.timestamp_ns, "UTC"])[0] >= 9 }')).toBe(
      "per-second",
    );
    expect(reuseOf('package p\nallow { time.clock([time.now_ns(), "UTC"])[0] >= 9 }')).toBe("never");
  });

  // One case per builtin OPA (and our engine) marks nondeterministic; the regular expression this
  // analysis replaced let the three JWT ones through.
  it.each([
    ["http.send", 'http.send({"method": "get", "url": "http://x"}).status_code == 200'],
    ["io.jwt.decode_verify", 'io.jwt.decode_verify(input.session.login, {"secret": "s"})[0]'],
    [
      "io.jwt.encode_sign",
      'io.jwt.encode_sign({"alg": "HS256"}, {"sub": input.session.login}, {"kty": "oct", "k": "c2VjcmV0"}) != ""',
    ],
    ["io.jwt.encode_sign_raw", 'io.jwt.encode_sign_raw("{}", input.session.login, "{}") != ""'],
    ["net.lookup_ip_addr", "count(net.lookup_ip_addr(input.session.login)) > 0"],
    ["opa.runtime", "opa.runtime().env.X == input.session.login"],
    ["rand.intn", "rand.intn(input.session.login, 10) == 0"],
    ["time.now_ns", "time.now_ns() > 0"],
    ["uuid.rfc4122", 'uuid.rfc4122(input.session.login) != ""'],
  ])("evaluates every time a policy calling %s, even through a helper function", (_name, call) => {
    expect(reuseOf(`package p\nallow { input.session.member; ${call} }`)).toBe("never");
    expect(reuseOf(`package p\nallow { f(input.session.member) }\nf(x) { x; ${call} }`)).toBe("never");
  });

  it("combines policies: the shortest reuse wins", () => {
    const compile = (source: string) =>
      compilePolicyFor("login", {
        policyId: source,
        policyName: "p",
        enforcementLevel: "mandatory",
        query: null,
        source,
      });
    const always = compile("package a\nallow { input.session.member }");
    const second = compile('package b\nallow { time.weekday(input.request.timestamp_ns) == "Monday" }');
    const never = compile("package c\nallow { time.now_ns() > 0 }");
    expect(combinedReuse([always])).toBe("always");
    expect(combinedReuse([always, second])).toBe("per-second");
    expect(combinedReuse([always, second, never])).toBe("never");
  });

  it.skipIf(seed003Policies() === undefined)(
    "classifies seed 003's examples: only the time window is per second",
    () => {
      const examples = seed003Policies()!.examples;
      const notAlways = examples
        .filter((e) => reuseOf(e.source) !== "always")
        .map((e) => [e.name, reuseOf(e.source)]);
      expect(notAlways).toEqual([["conditional-api-key-access", "per-second"]]);
    },
  );
});
