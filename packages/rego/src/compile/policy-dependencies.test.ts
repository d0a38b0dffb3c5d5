import { describe, expect, it } from "vitest";
import { BUILTINS } from "../builtins/index.js";
import { Engine } from "../engine/engine.js";

function dependenciesOf(source: string, query = "data.p") {
  const engine = new Engine();
  engine.addModule("p.rego", source);
  return engine.prepare(query).dependencies();
}

describe("policyDependencies", () => {
  it("reports input reads as static prefixes, through rules, functions and imports", () => {
    const deps = dependenciesOf(`package p
import rego.v1
import input.request as req
allow if input.session.login == "ci"
deny contains "x" if f(req.remote_ip)
f(ip) if startswith(ip, "10.")
roles[s] contains r if { some s, r in input.session.grants[_] }
`);
    expect(deps.inputs.map((r) => r.path.join("."))).toEqual(
      expect.arrayContaining(["session.login", "request.remote_ip", "session.grants"]),
    );
    expect(deps.builtins.map((b) => b.name)).toContain("startswith");
    expect(deps.builtins.every((b) => !b.nondeterministic)).toBe(true);
  });

  it("reports a whole-input read for a bare input or a computed key", () => {
    expect(dependenciesOf("package p\nimport rego.v1\nx := input").inputs.map((r) => r.path)).toEqual([[]]);
    const computed = dependenciesOf('package p\nimport rego.v1\nk := "session"\nx := input[k].login');
    expect(computed.inputs.map((r) => r.path)).toEqual([[]]);
  });

  it("follows only the rules the query reaches", () => {
    const deps = dependenciesOf(
      "package p\nimport rego.v1\na if input.session.login\nb if time.now_ns() > 0",
      "data.p.a",
    );
    expect(deps.builtins).toEqual([]);
    expect(deps.inputs.map((r) => r.path)).toEqual([["session", "login"]]);
  });

  it("reads values given with `with` but not their targets", () => {
    const deps = dependenciesOf(
      "package p\nimport rego.v1\na if input.x\nb if a with input.x as input.session.ok",
      "data.p.b",
    );
    expect(deps.inputs.map((r) => r.path.join("."))).toEqual(["session.ok", "x"]);
  });

  // One case per builtin the engine marks nondeterministic: the flag is the engine's own.
  const calls: Record<string, string> = {
    "http.send": 'http.send({"method": "get", "url": "http://x"})',
    "io.jwt.decode_verify": 'io.jwt.decode_verify(input.t, {"secret": "s"})',
    "io.jwt.encode_sign": 'io.jwt.encode_sign({"alg": "HS256"}, {}, {"kty": "oct", "k": "c2VjcmV0"})',
    "io.jwt.encode_sign_raw": 'io.jwt.encode_sign_raw("{}", "{}", "{}")',
    "net.lookup_ip_addr": 'net.lookup_ip_addr("example.com")',
    "opa.runtime": "opa.runtime()",
    "rand.intn": 'rand.intn("k", 10)',
    "time.now_ns": "time.now_ns()",
    "uuid.rfc4122": 'uuid.rfc4122("k")',
  };
  const nondeterministic = [...BUILTINS.values()].filter((b) => b.nondeterministic).map((b) => b.name);

  it("has a case for every nondeterministic builtin of the engine", () => {
    expect(Object.keys(calls).sort()).toEqual([...nondeterministic].sort());
  });

  for (const [name, call] of Object.entries(calls)) {
    it(`flags ${name} as nondeterministic, also behind a helper function`, () => {
      const deps = dependenciesOf(
        `package p\nimport rego.v1\nhelper(x) := ${call} if x\nallow if helper(true)`,
      );
      expect(deps.builtins.filter((b) => b.nondeterministic).map((b) => b.name)).toEqual([name]);
    });
  }
});
