// End-to-end: scenario A through the `keygate` CLI against a real server, on SQLite and on
// PostgreSQL: every step is a separate CLI process, as a user would type it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`scenario A through the CLI on ${dialect}`, () => {
    let location: StoreLocation;
    let server: KeygateServer;
    let env: Record<string, string>;
    const kg = async (...args: string[]) => {
      const run = await runKeygate(args, env);
      expect(run.code, `keygate ${args.join(" ")}\n${run.stderr}`).toBe(0);
      return run;
    };
    const kgJson = async (...args: string[]) => JSON.parse((await kg(...args, "--output", "json")).stdout);

    beforeAll(async () => {
      location = await freshStore(dialect);
      const init = await runKeygate(["init", "--org", "acme", "--json", ...location.args], location.env);
      expect(init.code, init.stderr).toBe(0);
      server = await startKeygate(location.args, location.env);
      env = {
        ...location.env,
        KEYGATE_SERVER: server.url,
        KEYGATE_TOKEN: JSON.parse(init.stdout).adminToken,
      };
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      await location?.dispose();
    });

    it("creates, uses, rotates, revokes and deletes a service account's token", async () => {
      expect((await kg("whoami")).stdout).toMatch(/admin/);
      const space = await kgJson("space", "create", "prod");
      expect((await kg("space", "list")).stdout).toContain("prod");
      const sa = await kgJson("sa", "create", "deployer-bot", "--space", space.id, "--role", "token-manager");
      expect((await kg("sa", "list")).stdout).toContain("deployer-bot");
      expect((await kgJson("sa", "show", sa.id)).attributes.name).toBe("deployer-bot");
      const key = await kgJson("key", "create", "ci", "--sa", sa.id);
      expect(key.attributes["api-key-type"]).toBe("SERVICE");
      const created = await kg(
        "token",
        "create",
        "pipeline",
        "--key",
        key.id,
        "--description",
        "CI",
        "--valid-to",
        "2099-12-31T00:00:00Z",
      );
      const secret = /^(kgs_\S+)$/m.exec(created.stdout)?.[1];
      expect(secret).toBeDefined();
      const tokenId = /^id\s+(tok-\S+)$/m.exec(created.stdout)?.[1] ?? "";

      const asBot = { ...env, KEYGATE_TOKEN: secret ?? "" };
      const whoami = await runKeygate(["whoami", "--output", "json"], asBot);
      expect(whoami.code, whoami.stderr).toBe(0);
      expect(JSON.parse(whoami.stdout).id).toBe(sa.id);
      const can = await runKeygate(["can", "--permission", "tokens.rotate"], asBot);
      expect(can.code, can.stderr).toBe(0);
      expect(can.stdout).toMatch(/token-manager/);
      expect(can.stdout).toMatch(/binding rb-/);

      const listed = await kg("token", "list", "--key", key.id);
      expect(listed.stdout).toMatch(new RegExp(`pipeline\\s+${sa.id}\\s+active\\s+2099-12-31T00:00:00.000Z`));
      expect(listed.stdout).not.toContain(secret);
      expect((await kg("token", "show", tokenId)).stdout).not.toContain(secret);

      const rotated = await kg("token", "rotate", tokenId, "--grace", "10m");
      const next = /^(kgs_\S+)$/m.exec(rotated.stdout)?.[1];
      expect(next).toBeDefined();
      expect(next).not.toBe(secret);
      expect((await runKeygate(["whoami"], asBot)).code).toBe(0);

      const refusedDelete = await runKeygate(["token", "delete", tokenId], env);
      expect(refusedDelete.code).not.toBe(0);
      expect(refusedDelete.stderr).toMatch(/409.*revoke it first/);
      await kg("token", "revoke", tokenId);
      const refused = await runKeygate(["whoami"], asBot);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/401.*revoked/);
      await kg("token", "delete", tokenId);

      await kg("key", "revoke", key.id);
      const asNext = await runKeygate(["whoami"], { ...env, KEYGATE_TOKEN: next ?? "" });
      expect(asNext.code).not.toBe(0);

      const audit = await kg("audit", "list", "--action", "token.revoke");
      expect(audit.stdout).toContain(tokenId);
      expect(audit.stdout).toMatch(/cli/);
    });

    it("manages roles, bindings and teams", async () => {
      await kg("role", "create", "reader", "--permission", "spaces.read", "--permission", "tokens.read");
      expect((await kg("role", "list")).stdout).toMatch(/reader/);
      const carol = await kgJson("user", "create", "carol", "--email", "carol@example.com");
      expect(carol.attributes.email).toBe("carol@example.com");
      expect((await kg("user", "list")).stdout).toMatch(/carol\s+carol@example.com/);
      const refusedRole = await runKeygate(["role", "bind", "artefact-contributor", "--user", carol.id], env);
      expect(refusedRole.code).toBe(1);
      expect(refusedRole.stderr).toMatch(/service account/);
      const team = await kgJson("team", "create", "platform");
      const user = await runKeygate(["whoami", "--output", "json"], env);
      const adminId = JSON.parse(user.stdout).id;
      await kg("team", "add", team.id, "--user", adminId);
      expect((await kg("team", "members", team.id)).stdout).toContain(adminId);
      const binding = await kgJson("role", "bind", "reader", "--team", team.id);
      const bindings = await kg("role", "bindings", "--team", team.id);
      expect(bindings.stdout).toContain(binding.id);
      const can = await kg("can");
      expect(can.stdout).toMatch(/reader\s+team platform/);
      await kg("role", "unbind", binding.id);
      expect((await kg("can")).stdout).not.toMatch(/reader/);
    });

    it("prints the server's error detail and exits non-zero", async () => {
      const bad = await runKeygate(["sa", "show", "sa-doesnotexist"], env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/404.*service account sa-doesnotexist not found/);
      const human = await runKeygate(["role", "bind", "artefact-contributor", "--user", "usr-x"], env);
      expect(human.code).toBe(1);
      const noToken = await runKeygate(["whoami"], { ...env, KEYGATE_TOKEN: "" });
      expect(noToken.code).toBe(2);
      expect(noToken.stderr).toMatch(/KEYGATE_TOKEN/);
    });
  });
}
