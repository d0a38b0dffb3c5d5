// CLI, output: tables (folded to the terminal's width), JSON and YAML of resources, and save notes.
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  attr,
  foldText,
  formatTable,
  ID,
  printIssued,
  printResources,
  printSaved,
  rel,
  tagsColumn,
} from "./result-printer.js";

function capture(columns?: number) {
  let out = "";
  let err = "";
  return {
    io: { out: (s: string) => (out += s), err: (s: string) => (err += s), env: {}, columns },
    out: () => out,
    err: () => err,
    reset: () => {
      out = "";
      err = "";
    },
  };
}

const resource = {
  id: "sa-1",
  type: "service-accounts",
  attributes: { name: "bot", description: null, tags: { env: "prod", team: "core" } },
  relationships: { space: { data: { id: "spc-1", type: "spaces" } } },
};

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

  it("prints resources as a table of chosen columns, or as the array of resources in JSON and YAML", () => {
    const c = capture();
    printResources(
      c.io,
      "table",
      [resource],
      [ID, attr("name"), rel("space"), attr("description"), tagsColumn()],
    );
    expect(c.out()).toBe(
      "ID    NAME  SPACE  DESCRIPTION  TAGS\nsa-1  bot   spc-1  -            env=prod,team=core\n",
    );
    c.reset();
    printResources(c.io, "json", [resource], [ID]);
    expect(JSON.parse(c.out())).toEqual([resource]);
    c.reset();
    printResources(c.io, "yaml", [resource], [ID]);
    expect(parseYaml(c.out())).toEqual([resource]);
  });

  it("folds wide tables to the terminal's width, widest column first, breaking at spaces", () => {
    const rows = [["tok-1", "a fairly long description of what this token is for", "active"]];
    const table = formatTable(["ID", "DESCRIPTION", "STATUS"], rows, 40);
    for (const line of table.trimEnd().split("\n")) expect(line.length).toBeLessThanOrEqual(40);
    expect(table).toBe(
      [
        "ID     DESCRIPTION                STATUS",
        "tok-1  a fairly long description  active",
        "       of what this token is for",
        "",
      ].join("\n"),
    );
    // Without a width (not a terminal), nothing folds.
    expect(
      formatTable(
        ["ID", "DESCRIPTION"],
        rows.map((r) => r.slice(0, 2)),
      ),
    ).toContain(rows[0]?.[1]);
  });

  it("folds text at spaces, commas and semicolons, or hard when a word is longer than the width", () => {
    expect(foldText("alpha beta gamma", 10)).toEqual(["alpha beta", "gamma"]);
    expect(foldText("a,b,c,d,e,f", 4)).toEqual(["a,b,", "c,d,", "e,f"]);
    expect(foldText("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
  });

  it("prints a save's policy warnings on stderr, and in JSON also in the resource's meta", () => {
    const doc = { data: resource, meta: { warnings: ["ttl is long"], "policy-evaluation-id": "pev-1" } };
    const c = capture();
    printSaved(c.io, "table", doc);
    expect(c.err()).toBe("warning: ttl is long\npolicy evaluation pev-1 (keygate evaluations show pev-1)\n");
    expect(c.out()).toMatch(/^FIELD\s+VALUE\nid\s+sa-1\n/);
    c.reset();
    printSaved(c.io, "json", doc);
    expect(JSON.parse(c.out())).toEqual({
      ...resource,
      meta: { warnings: ["ttl is long"], "policy-evaluation-id": "pev-1" },
    });
    expect(c.err()).toContain("warning: ttl is long");
    c.reset();
    printSaved(c.io, "json", { data: resource, meta: { warnings: [], "policy-evaluation-id": null } });
    expect(JSON.parse(c.out())).toEqual(resource);
    expect(c.err()).toBe("");
  });

  it("prints an issued secret once, after the listing without it, or in the JSON as is", () => {
    const issued = { id: "tok-1", type: "tokens", attributes: { name: "ci", token: "kgs_secret" } };
    const c = capture();
    printIssued(c.io, "table", { data: issued }, "Token");
    expect(c.out().match(/kgs_secret/g)).toHaveLength(1);
    expect(c.out()).toMatch(/Token \(shown only this once; store it in a secret manager\):\nkgs_secret\n$/);
    c.reset();
    printIssued(c.io, "json", { data: issued }, "Token", { previous: { id: "tok-0" } });
    expect(JSON.parse(c.out())).toEqual({ ...issued, previous: { id: "tok-0" } });
  });
});
