import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { bodyTypeIssues } from "./strict-body-types.js";

const Body = Type.Object({
  data: Type.Object({
    attributes: Type.Object({
      name: Type.String(),
      "valid-to": Type.Optional(Type.Union([Type.String(), Type.Null()])),
      count: Type.Optional(Type.Integer()),
      tags: Type.Optional(Type.Array(Type.String())),
    }),
  }),
});

describe("bodyTypeIssues", () => {
  it("accepts values of the right JSON types, and absent optional ones", () => {
    expect(bodyTypeIssues(Body, { data: { attributes: { name: "x", "valid-to": null, count: 2 } } })).toEqual([]);
    expect(bodyTypeIssues(Body, { data: { attributes: { name: "x", tags: ["a"] } } })).toEqual([]);
  });

  it("names each value of the wrong type by JSON pointer", () => {
    const issues = bodyTypeIssues(Body, {
      data: { attributes: { name: true, "valid-to": 5, count: 1.5, tags: ["a", 3] } },
    });
    expect(issues.map((i) => [i.instancePath, i.message])).toEqual([
      ["/data/attributes/name", "must be string, got boolean"],
      ["/data/attributes/valid-to", "must be string or null, got integer"],
      ["/data/attributes/count", "must be integer, got number"],
      ["/data/attributes/tags/1", "must be string, got integer"],
    ]);
  });

  it("refuses a non-object where an object is expected", () => {
    expect(bodyTypeIssues(Body, { data: "x" })[0]?.instancePath).toBe("/data");
  });
});
