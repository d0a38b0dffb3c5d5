// End-to-end: the CLI's conventions, each command a real `keygate` process against a real
// `keygate serve`: one JSON shape (the resource or an array) under --json / --output json|yaml,
// --help on every command and verb, suggestions for mistyped options, policy warnings and
// evaluation ids, create-with-role as one transaction, and the verbs the API gained for it (token
// update, key show/delete, space delete, sa disable/enable, tags, audit --all/--since/--until).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { api } from "./support/api-session.js";
import { type CliRun, type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";
import { waitFor } from "./support/wait-for.js";

/** Every command with verbs, as `keygate --help` lists them. */
const RESOURCE_COMMANDS = [
  "space",
  "user",
  "sa",
  "key",
  "token",
  "role",
  "team",
  "delegate-token",
  "delegate",
  "audit",
  "policies",
  "policy-sets",
  "evaluations",
];

describe("keygate CLI conventions", () => {
  let location: StoreLocation;
  let server: KeygateServer;
  let env: Record<string, string>;
  let adminToken: string;
  let dir: string;

  const kg = async (...args: string[]): Promise<CliRun> => {
    const run = await runKeygate(args, env);
    expect(run.code, `keygate ${args.join(" ")}\n${run.stderr}`).toBe(0);
    return run;
  };
  const kgJson = async (...args: string[]) => JSON.parse((await kg(...args, "--json")).stdout);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "keygate-cli-conventions-"));
    location = await freshStore("sqlite");
    const init = await runKeygate(["init", "--org", "acme", "--json", ...location.args], location.env);
    expect(init.code, init.stderr).toBe(0);
    adminToken = JSON.parse(init.stdout).adminToken;
    server = await startKeygate(location.args, location.env);
    env = { ...location.env, KEYGATE_SERVER: server.url, KEYGATE_TOKEN: adminToken };
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await location?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers --help on every command and verb with its options and an example, exit 0", async () => {
    const verbsOf = new Map<string, string[]>();
    await Promise.all(
      RESOURCE_COMMANDS.map(async (command) => {
        const help = await runKeygate([command, "--help"]);
        expect(help.code, `${command} --help\n${help.stderr}`).toBe(0);
        const verbs = new RegExp(`usage: keygate ${command} <([a-z|-]+)>`).exec(help.stdout)?.[1]?.split("|");
        expect(verbs, help.stdout).toBeDefined();
        verbsOf.set(command, verbs ?? []);
      }),
    );
    const cases = [
      ...[...verbsOf].flatMap(([command, verbs]) => verbs.map((verb) => [command, verb])),
      ["whoami"],
      ["can"],
      ["init"],
      ["serve"],
      ["admin", "recover"],
      ["policy", "eval"],
      ["policy", "test"],
      ["policy", "check"],
      ["policy", "simulate"],
    ];
    expect(cases.length).toBeGreaterThan(55);
    for (let at = 0; at < cases.length; at += 8) {
      await Promise.all(
        cases.slice(at, at + 8).map(async (words) => {
          const run = await runKeygate([...words, "--help"]);
          const what = `keygate ${words.join(" ")} --help\n${run.stderr}`;
          expect(run.code, what).toBe(0);
          expect(run.stdout, what).toMatch(new RegExp(`^usage: keygate ${words.join(" ")}\\b`));
          expect(run.stdout, what).toMatch(/\noptions:\n(.*\n)*\s+-h, --help\s+show this help\n/);
          expect(run.stdout, what).toMatch(
            new RegExp(`\\nexamples?:\\n {2}(\\S+=\\S+ )?keygate ${words.join(" ")}\\b`),
          );
        }),
      );
    }
  }, 120_000);

  it("names the closest option or command for a mistyped one, exit 2", async () => {
    const option = await runKeygate([
      "token",
      "create",
      "x",
      "--key",
      "k",
      "--vaild-to",
      "2027-01-01T00:00:00Z",
    ]);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/unknown option --vaild-to; did you mean --valid-to\?/);
    const verb = await runKeygate(["token", "lst"]);
    expect(verb.code).toBe(2);
    expect(verb.stderr).toMatch(/unknown command "lst"; did you mean "list"\?/);
    const command = await runKeygate(["tokne", "list"]);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/unknown command "tokne"; did you mean "token"\?/);
    const format = await runKeygate(["sa", "list", "--output", "xml"], env);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/--output must be one of: table, json, yaml/);
  });

  it("prints one JSON shape, the resource or an array of resources, in JSON and YAML", async () => {
    const space = await kgJson("space", "create", "shapes");
    expect(space).toMatchObject({ id: expect.stringMatching(/^spc-/), type: "spaces" });
    expect(space.data).toBeUndefined();
    expect(space.attributes.name).toBe("shapes");
    const spaces = await kgJson("space", "list");
    expect(Array.isArray(spaces)).toBe(true);
    expect(spaces.map((s: { id: string }) => s.id)).toContain(space.id);
    const yaml = parseYaml((await kg("space", "show", space.id, "-o", "yaml")).stdout);
    expect(yaml).toEqual(await kgJson("space", "show", space.id));
    const me = await kgJson("whoami");
    expect(me).toMatchObject({
      type: "users",
      attributes: { name: "admin" },
      meta: { organization: expect.any(String), token: expect.objectContaining({ status: "active" }) },
    });
    expect(me.data).toBeUndefined();
    const access = await kgJson("can");
    expect(access.type).toBe("effective-access");
    // Errors under --json are JSON too (on stderr), with the status and the server's errors.
    const missing = await runKeygate(["sa", "show", "sa-nope", "--json"], env);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stderr)).toMatchObject({ status: 404, errors: [{ status: "404" }] });
  });

  it("creates a service account with its roles in one transaction, leaving nothing when a role is refused", async () => {
    const refused = await runKeygate(["sa", "create", "half-made", "--role", "no-such-role"], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/no-such-role.*\(at \/data\/relationships\/roles\/data\/0\/id\)/);
    const accounts = await kgJson("sa", "list");
    expect(accounts.map((a: { attributes: { name: string } }) => a.attributes.name)).not.toContain(
      "half-made",
    );

    const sa = await kgJson("sa", "create", "half-made", "--role", "token-manager", "--role", "viewer");
    const bindings = await kgJson("role", "bindings", "--sa", sa.id);
    expect(bindings).toHaveLength(2);
  });

  it("tags keys and tokens, filters by tag, updates tokens, and lists principal, status, expiry and last use", async () => {
    const sa = await kgJson("sa", "create", "tagger", "--role", "viewer");
    const key = await kgJson(
      "key",
      "create",
      "deploy",
      "--sa",
      sa.id,
      "--tag",
      "team=platform",
      "--tag",
      "env=prod",
    );
    expect(key.attributes.tags).toEqual({ team: "platform", env: "prod" });
    await kgJson("key", "create", "other", "--sa", sa.id, "--tag", "team=edge");
    const platform = await kgJson("key", "list", "--tag", "team=platform");
    expect(platform.map((k: { id: string }) => k.id)).toEqual([key.id]);
    expect((await kgJson("key", "show", key.id)).attributes.tags).toEqual({ team: "platform", env: "prod" });
    const badTag = await runKeygate(["key", "list", "--tag", "team"], env);
    expect(badTag.code).toBe(2);
    expect(badTag.stderr).toMatch(/--tag must be KEY=VALUE/);

    const prod = await kgJson("token", "create", "a", "--key", key.id, "--tag", "env=prod");
    const dev = await kgJson(
      "token",
      "create",
      "b",
      "--key",
      key.id,
      "--tag",
      "env=dev",
      "--valid-to",
      "2099-01-01T00:00:00Z",
    );
    expect((await kgJson("token", "list", "--tag", "env=prod")).map((t: { id: string }) => t.id)).toEqual([
      prod.id,
    ]);
    const updated = await kgJson(
      "token",
      "update",
      dev.id,
      "--name",
      "b2",
      "--tag",
      "env=prod",
      "--tag",
      "tier=1",
    );
    expect(updated.attributes).toMatchObject({ name: "b2", tags: { env: "prod", tier: "1" } });
    expect(
      (await kgJson("token", "list", "--tag", "env=prod", "--tag", "tier=1")).map(
        (t: { id: string }) => t.id,
      ),
    ).toEqual([dev.id]);
    const never = await kgJson("token", "update", dev.id, "--valid-to", "never");
    expect(never.attributes["valid-to"]).toBeNull();

    // Use one token, rotate the other with a grace period: the list says who, status, until when, last use.
    expect((await runKeygate(["whoami"], { ...env, KEYGATE_TOKEN: prod.attributes.token })).code).toBe(0);
    // The last use is written in the background (batched): wait for it rather than guess.
    await waitFor(
      "the token's last use to be recorded",
      async () => ((await kgJson("token", "show", prod.id)).attributes["last-used-at"] ? true : undefined),
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    const rotated = await kgJson("token", "rotate", dev.id, "--grace", "1h");
    const graceEnd: string = rotated.previous.attributes["scheduled-expire-time"];
    const table = (await runKeygate(["token", "list", "--key", key.id], { ...env, COLUMNS: "400" })).stdout;
    const [header, ...rows] = table.trimEnd().split("\n");
    expect(header).toMatch(/^ID\s+NAME\s+PRINCIPAL\s+STATUS\s+EXPIRES\s+LAST USED\s+TAGS$/);
    const rowOf = (id: string) => rows.find((r) => r.startsWith(id)) ?? "";
    expect(rowOf(dev.id)).toMatch(
      new RegExp(`b2\\s+${sa.id}\\s+rotated\\s+${graceEnd.replace(/\./g, "\\.")}\\s+-`),
    );
    expect(rowOf(prod.id)).toMatch(new RegExp(`a\\s+${sa.id}\\s+active\\s+never\\s+\\d{4}-\\d\\d-\\d\\dT`));
    expect(rowOf(rotated.id)).toMatch(/active\s+never/);
    // Folded to a narrow terminal: every line fits.
    const narrow = (await runKeygate(["token", "list", "--key", key.id], { ...env, COLUMNS: "80" })).stdout;
    for (const line of narrow.trimEnd().split("\n")) expect(line.length).toBeLessThanOrEqual(80);

    // A key with working tokens cannot be deleted; revoked, it can.
    const refused = await runKeygate(["key", "delete", key.id], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/409.*still has a working token/);
    const revoked = await kgJson("key", "revoke", key.id);
    expect(revoked.length).toBeGreaterThanOrEqual(3);
    await kg("key", "delete", key.id);
    expect((await runKeygate(["key", "show", key.id], env)).code).toBe(1);
  });

  it("deletes a space only once it holds no live tokens or delegates (409 before)", async () => {
    const space = await kgJson("space", "create", "doomed");
    const sa = await kgJson("sa", "create", "doomed-bot", "--space", space.id);
    const key = await kgJson("key", "create", "k", "--sa", sa.id);
    const token = await kgJson("token", "create", "t", "--key", key.id);
    const live = await runKeygate(["space", "delete", space.id], env);
    expect(live.code).toBe(1);
    expect(live.stderr).toMatch(new RegExp(`409.*still holds live tokens \\(e\\.g\\. ${token.id}`));
    await kg("token", "revoke", token.id);
    await kg("sa", "delete", sa.id);
    const delegateToken = await kgJson("delegate-token", "create", "agents", "--space", space.id);
    const delegates = await runKeygate(["space", "delete", space.id], env);
    expect(delegates.code).toBe(1);
    expect(delegates.stderr).toMatch(new RegExp(`409.*live delegate tokens \\(e\\.g\\. ${delegateToken.id}`));
    await kg("delegate-token", "revoke", delegateToken.id);
    const deleted = await kg("space", "delete", space.id);
    expect(deleted.stderr).toBe(`deleted space ${space.id}\n`);
    expect((await runKeygate(["space", "show", space.id], env)).code).toBe(1);
  });

  it("disables a service account: its tokens stop at once; enabled, they work again", async () => {
    const sa = await kgJson("sa", "create", "switch", "--role", "viewer");
    const key = await kgJson("key", "create", "k", "--sa", sa.id);
    const token = (await kgJson("token", "create", "t", "--key", key.id)).attributes.token;
    const asBot = { ...env, KEYGATE_TOKEN: token };
    expect((await runKeygate(["whoami"], asBot)).code).toBe(0);
    expect((await kgJson("sa", "disable", sa.id)).attributes.disabled).toBe(true);
    const refused = await runKeygate(["whoami"], asBot);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/401/);
    expect((await kgJson("sa", "enable", sa.id)).attributes.disabled).toBe(false);
    expect((await runKeygate(["whoami"], asBot)).code).toBe(0);
  });

  it("prints advisory warnings with their evaluation, in table and JSON", async () => {
    const policyFile = join(dir, "owner-tag.rego");
    writeFileSync(
      policyFile,
      'package ownertag\n\ndeny contains "tokens should carry an owner tag" if {\n  not input.token.tags.owner\n}\n',
    );
    const set = await kgJson("policy-sets", "create", "advice", "--global", "--entities", "token");
    await kgJson(
      "policies",
      "create",
      "owner-tag",
      "--file",
      policyFile,
      "--level",
      "advisory",
      "--set",
      set.id,
    );
    const sa = await kgJson("sa", "create", "advised");
    const key = await kgJson("key", "create", "k", "--sa", sa.id);
    const table = await kg("token", "create", "t", "--key", key.id);
    expect(table.stderr).toMatch(/^warning: .*tokens should carry an owner tag/m);
    const evaluationId = /^policy evaluation (\S+) \(keygate evaluations show \1\)$/m.exec(table.stderr)?.[1];
    expect(evaluationId).toBeDefined();
    const json = await kgJson("token", "create", "t2", "--key", key.id);
    expect(json.meta.warnings.join(" ")).toMatch(/tokens should carry an owner tag/);
    expect(json.meta["policy-evaluation-id"]).toMatch(/\S/);
    expect(
      (await kgJson("evaluations", "show", json.meta["policy-evaluation-id"])).attributes.outcome,
    ).toBeDefined();
    const tagged = await kg("token", "create", "t3", "--key", key.id, "--tag", "owner=ops");
    expect(tagged.stderr).not.toMatch(/warning:/);
    await kg("policy-sets", "delete", set.id);
  });

  it("says in keygate can when a login policy's space name matched nothing", async () => {
    const policyFile = join(dir, "roles.rego");
    writeFileSync(policyFile, 'package loginroles\n\nroles := {"nowhere": ["viewer"]}\n');
    const set = await kgJson("policy-sets", "create", "login-roles", "--global", "--login");
    await kgJson(
      "policies",
      "create",
      "roles-nowhere",
      "--file",
      policyFile,
      "--level",
      "mandatory",
      "--set",
      set.id,
    );
    const can = await kg("can");
    expect(can.stderr).toMatch(
      /^note: login policy roles-nowhere grants viewer in space "nowhere", which matched nothing: no single space has the id, path or name "nowhere"/m,
    );
    const json = await kgJson("can");
    expect(json.attributes["ignored-login-roles"]).toEqual([
      expect.objectContaining({
        "policy-name": "roles-nowhere",
        space: "nowhere",
        role: "viewer",
        code: "unknown-space",
      }),
    ]);
    await kg("policy-sets", "delete", set.id);
    expect((await kg("can")).stderr).not.toMatch(/note:/);
  });

  it("lists audit events newest 100 by default, every one with --all, and between --since and --until", async () => {
    const sa = await api(server.url, adminToken, "POST", "/organizations/acme/service-accounts", {
      data: { type: "service-accounts", attributes: { name: "noisy" } },
    });
    const key = await api(server.url, adminToken, "POST", `/service-accounts/${sa.body.data.id}/api-keys`, {
      data: { type: "api-keys", attributes: { name: "k" } },
    });
    let middle = "";
    for (let i = 0; i < 110; i++) {
      const created = await api(server.url, adminToken, "POST", `/api-keys/${key.body.data.id}/tokens`, {
        data: { type: "tokens", attributes: { name: `t${i}` } },
      });
      expect(created.status).toBe(201);
      if (i === 55) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        middle = new Date().toISOString();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const firstPage = await kg("audit", "list", "--json");
    expect(JSON.parse(firstPage.stdout)).toHaveLength(100);
    expect(firstPage.stderr).toMatch(/showing the newest 100 of \d+ events; --all for every one/);
    const all = JSON.parse((await kg("audit", "list", "--all", "--json")).stdout) as {
      id: string;
      attributes: Record<string, string>;
    }[];
    const total = Number(/of (\d+) events/.exec(firstPage.stderr)?.[1]);
    expect(all.length).toBeGreaterThanOrEqual(total);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    const creates = all.filter(
      (e) => e.attributes.action === "token.create" && e.attributes["resource-type"] === "token",
    );
    expect(creates.length).toBeGreaterThanOrEqual(110);

    const since = JSON.parse(
      (await kg("audit", "list", "--all", "--since", middle, "--action", "token.create", "--json")).stdout,
    );
    const until = JSON.parse(
      (await kg("audit", "list", "--all", "--until", middle, "--action", "token.create", "--json")).stdout,
    );
    expect(since.length).toBeGreaterThanOrEqual(54);
    expect(
      since.every((e: { attributes: Record<string, string> }) => e.attributes["occurred-at"] >= middle),
    ).toBe(true);
    expect(
      until.every((e: { attributes: Record<string, string> }) => e.attributes["occurred-at"] < middle),
    ).toBe(true);
    expect(since.length + until.length).toBe(creates.length);
    const both = await runKeygate(["audit", "list", "--all", "--limit", "5"], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give --limit or --all, not both/);
  }, 120_000);

  it("runs policy test and check with --format json like opa", async () => {
    const policies = join(dir, "local");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(policies, { recursive: true });
    writeFileSync(join(policies, "authz.rego"), 'package authz\n\nallow if input.user == "admin"\n');
    writeFileSync(
      join(policies, "authz_test.rego"),
      'package authz\n\ntest_admin if allow with input as {"user": "admin"}\n\ntest_guest if allow with input as {"user": "guest"}\n',
    );
    const tested = await runKeygate(["policy", "test", "--format", "json", policies]);
    expect(tested.code).toBe(2);
    const results = JSON.parse(tested.stdout) as Record<string, unknown>[];
    expect(results.map((r) => [r.package, r.name, r.fail ?? false])).toEqual([
      ["data.authz", "test_admin", false],
      ["data.authz", "test_guest", true],
    ]);
    expect(results[0]).toMatchObject({
      location: { file: expect.stringContaining("authz_test.rego"), row: 3, col: 1 },
    });
    expect(typeof results[0]?.duration).toBe("number");

    const checked = await runKeygate(["policy", "check", "--format", "json", policies]);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toBe("");
    writeFileSync(join(dir, "broken.rego"), "package broken\n\nallow if {\n");
    const broken = await runKeygate(["policy", "check", "--format", "json", join(dir, "broken.rego")]);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout).errors[0]).toMatchObject({
      code: "rego_parse_error",
      location: { row: expect.any(Number) },
    });
  });
});
