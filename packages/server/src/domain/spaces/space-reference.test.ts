// Domain layer, spaces: a space named by id, by path from the root, or by a bare name used once.
import { describe, expect, it } from "vitest";
import type { Space } from "./space.js";
import { spaceTreeOf } from "./space.js";
import { spaceIdByReference } from "./space-reference.js";

function space(id: string, name: string, parentId: string | null): Space {
  return { id, organizationId: "org", parentId, name, description: null, createdAt: 0, updatedAt: 0 };
}

// root ─ platform ─ production; root ─ data ─ production; root ─ staging
const tree = spaceTreeOf("org", [
  space("spc-root", "acme", null),
  space("spc-platform", "platform", "spc-root"),
  space("spc-platform-prod", "production", "spc-platform"),
  space("spc-data", "data", "spc-root"),
  space("spc-data-prod", "production", "spc-data"),
  space("spc-staging", "staging", "spc-root"),
]);

describe("spaceIdByReference", () => {
  it("takes an id, a path below the root (with or without the root's name) and a unique bare name", () => {
    expect(spaceIdByReference(tree, "spc-data-prod")).toBe("spc-data-prod");
    expect(spaceIdByReference(tree, "platform/production")).toBe("spc-platform-prod");
    expect(spaceIdByReference(tree, "data/production")).toBe("spc-data-prod");
    expect(spaceIdByReference(tree, "acme/platform/production")).toBe("spc-platform-prod");
    expect(spaceIdByReference(tree, "/platform/production/")).toBe("spc-platform-prod");
    expect(spaceIdByReference(tree, "staging")).toBe("spc-staging");
    expect(spaceIdByReference(tree, "acme")).toBe("spc-root");
  });

  it("gives nothing for a bare name two spaces share, or a path that does not exist", () => {
    expect(spaceIdByReference(tree, "production")).toBeUndefined();
    expect(spaceIdByReference(tree, "staging/production")).toBeUndefined();
    expect(spaceIdByReference(tree, "nowhere")).toBeUndefined();
  });
});
