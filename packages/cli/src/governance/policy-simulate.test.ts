// CLI, governance commands: what `policy simulate` says changes for a sample.
import { describe, expect, it } from "vitest";
import { changeText, spacePaths } from "./policy-simulate.js";

const spaces = [
  { id: "spc-root", type: "spaces", attributes: { name: "acme" }, relationships: { parent: { data: null } } },
  {
    id: "spc-plat",
    type: "spaces",
    attributes: { name: "platform" },
    relationships: { parent: { data: { id: "spc-root", type: "spaces" } } },
  },
  {
    id: "spc-prod",
    type: "spaces",
    attributes: { name: "production" },
    relationships: { parent: { data: { id: "spc-plat", type: "spaces" } } },
  },
];

const names = {
  spaces: spacePaths(spaces),
  roles: new Map([
    ["role-admin", "admin"],
    ["role-viewer", "viewer"],
  ]),
};

const login = (allowed: boolean, denied: boolean, roles: string[], messages: string[] = []) => ({
  kind: "login",
  allowed,
  denied,
  roles,
  messages,
});

describe("policy simulate", () => {
  it("names spaces by their path under the root", () => {
    expect([...spacePaths(spaces)]).toEqual([
      ["spc-root", "/"],
      ["spc-plat", "platform"],
      ["spc-prod", "platform/production"],
    ]);
  });

  it("says allowed -> denied, and the roles gained and lost by space path and role name", () => {
    expect(
      changeText(
        {
          current: login(true, false, ["spc-prod/role-admin", "spc-plat/role-viewer"]),
          draft: login(false, true, [], ["outside office hours"]),
          changed: true,
        },
        names,
      ),
    ).toBe(
      "allowed -> denied, roles -platform/production:admin -platform:viewer, with the draft: outside office hours",
    );
    expect(
      changeText(
        {
          current: login(true, false, []),
          draft: login(true, false, ["spc-prod/role-viewer"]),
          changed: true,
        },
        names,
      ),
    ).toBe("roles +platform/production:viewer");
  });

  it("calls a login no set refuses allowed, whether or not an allow rule matched", () => {
    // No login policy sets (or none defining `allow`): nothing refuses, nothing admits by rule.
    expect(
      changeText({ current: login(false, false, []), draft: login(false, false, []), changed: false }, names),
    ).toBe("no change (allowed)");
    expect(
      changeText(
        {
          current: login(false, false, []),
          draft: login(false, true, [], ["not on the allow list"]),
          changed: true,
        },
        names,
      ),
    ).toBe("allowed -> denied, with the draft: not on the allow list");
  });

  it("says when nothing changes, and a save's outcome with its reasons", () => {
    expect(
      changeText({ current: login(true, false, []), draft: login(true, false, []), changed: false }, names),
    ).toBe("no change (allowed)");
    expect(
      changeText(
        {
          current: { kind: "save", outcome: "passed", messages: [] },
          draft: { kind: "save", outcome: "denied", messages: ["valid-to too far"] },
          changed: true,
        },
        names,
      ),
    ).toBe("passed -> denied, with the draft: valid-to too far");
  });
});
