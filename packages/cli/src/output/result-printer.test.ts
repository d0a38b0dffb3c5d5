// CLI, output: tables and JSON of resources.
import { describe, expect, it } from "vitest";
import { attr, formatTable, ID, printResources, rel } from "./result-printer.js";

describe("result printer", () => {
  it("aligns table columns", () => {
    expect(
      formatTable(
        ["ID", "NAME"],
        [
          ["tok-1", "ci"],
          ["tok-22", "deploy"],
        ],
      ),
    ).toBe("ID      NAME\ntok-1   ci\ntok-22  deploy\n");
  });

  it("prints resources as a table of chosen columns or as JSON", () => {
    let out = "";
    const io = { out: (s: string) => (out += s), err: () => {}, env: {} };
    const resource = {
      id: "sa-1",
      type: "service-accounts",
      attributes: { name: "bot", description: null },
      relationships: { space: { data: { id: "spc-1", type: "spaces" } } },
    };
    printResources(io, "table", [resource], [ID, attr("name"), rel("space"), attr("description")]);
    expect(out).toBe("ID    NAME  SPACE  DESCRIPTION\nsa-1  bot   spc-1  -\n");
    out = "";
    printResources(io, "json", [resource], [ID]);
    expect(JSON.parse(out)).toEqual([resource]);
  });
});
