// Policies, Rego: what a draft decides on an input (saves: deny messages; logins: deny, allow,
// roles), and how two decisions differ, with the real engine.
import { Engine } from "@keygate/rego";
import { describe, expect, it } from "vitest";
import type { CompiledDraft } from "./browser-rego";
import { describeChange, draftOutcome } from "./draft-outcome";

function compile(source: string): CompiledDraft {
  const engine = new Engine();
  engine.addModule("draft.rego", source);
  const packagePath = engine.packages()[0] ?? "";
  const rules = new Set(
    (engine.modules()[0]?.rules ?? []).map(
      (r) => (r.head.ref.head as unknown as { name?: string }).name ?? "",
    ),
  );
  return {
    packagePath,
    cryptoBuiltins: [],
    rules,
    evaluate: (query, input) => engine.prepare(query).evaluate({ input })[0]?.expressions[0]?.value,
  };
}

const SAVE = `package keygate.tokens
import rego.v1
deny contains msg if {
  input.token.validTo == null
  msg := sprintf("token %s never expires", [input.token.name])
}`;

const LOGIN = `package keygate.login
import rego.v1
allow if input.session.member
deny contains "blocked" if input.session.principal.name == "mallory"
roles["platform"]["auditor"] if input.session.principal.name == "dana"`;

describe("draftOutcome", () => {
  it("denies a save with the policy's messages, and allows otherwise", () => {
    const draft = compile(SAVE);
    expect(draftOutcome(draft, "token", null, { token: { name: "forever", validTo: null } })).toEqual({
      outcome: "denied",
      messages: ["token forever never expires"],
      roles: [],
    });
    expect(draftOutcome(draft, "token", null, { token: { name: "x", validTo: 1 } }).outcome).toBe("allowed");
  });

  it("reads a save policy's own query (HCP style, without data.)", () => {
    const draft = compile('package a.b\nimport rego.v1\nmain contains "no" if input.x');
    expect(draftOutcome(draft, "token", "a.b.main", { x: true }).messages).toEqual(["no"]);
  });

  it("decides logins: deny wins, allow must admit, roles are granted to admitted callers", () => {
    const draft = compile(LOGIN);
    const session = (name: string, member: boolean) => ({ session: { member, principal: { name } } });
    expect(draftOutcome(draft, "login", null, session("mallory", true))).toEqual({
      outcome: "denied",
      messages: ["blocked"],
      roles: [],
    });
    expect(draftOutcome(draft, "login", null, session("dana", true))).toEqual({
      outcome: "allowed",
      messages: [],
      roles: ["platform/auditor"],
    });
    expect(draftOutcome(draft, "login", null, session("eve", false)).outcome).toBe("denied");
  });

  it("reports an evaluation error as an outcome", () => {
    const draft = compile(
      'package p\nimport rego.v1\nv := 1 if input.a\nv := 2 if input.a\ndeny contains "d" if v == 1',
    );
    expect(draftOutcome(draft, "token", null, { a: true }).outcome).toBe("error");
  });
});

describe("describeChange", () => {
  it("names outcome changes and roles added or removed", () => {
    const allowed = { outcome: "allowed" as const, messages: [], roles: ["a/r1"] };
    expect(describeChange(allowed, { outcome: "denied", messages: ["no"], roles: [] })).toEqual([
      "allowed → denied",
      "roles removed: a/r1",
    ]);
    expect(describeChange(allowed, { ...allowed, roles: ["a/r1", "b/r2"] })).toEqual(["roles added: b/r2"]);
    expect(describeChange(allowed, allowed)).toEqual([]);
  });
});
