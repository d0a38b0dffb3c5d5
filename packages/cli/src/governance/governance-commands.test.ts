// CLI, governance commands against a real server on both dialects: policy sets, policies (with
// upload and download), a refused token save, evaluations, and `keygate policy simulate`.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  bootstrapOrganization,
  buildApp,
  createApiKey,
  createServiceAccount,
  createTestDatabase,
  DIALECTS,
  type TestDatabase,
} from "@keygate/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// Test support of the server package (not part of its public API).
import { seed000Policies, seed000Source } from "../../../server/src/domain/governance/seed-policies.js";
import { CliError, type CliIo } from "../client/cli-io.js";
import { tokenCommand } from "../commands/token-command.js";
import { evaluationsCommand } from "./evaluations-command.js";
import { policiesCommand } from "./policies-command.js";
import { policySetsCommand } from "./policy-sets-command.js";
import { policySimulate } from "./policy-simulate.js";

// Seed 000's validTo policy, extracted from the shared seed at test time and written to a temp file.
const SEED_000 = seed000Policies();

for (const dialect of DIALECTS) {
  describe.skipIf(SEED_000 === undefined)(`keygate governance commands (${dialect})`, () => {
    let db: TestDatabase;
    let app: FastifyInstance;
    let env: Record<string, string>;
    let keyId: string;
    const dir = mkdtempSync(join(tmpdir(), "keygate-cli-"));

    function io(): CliIo & { output: () => string; errors: () => string } {
      let out = "";
      let err = "";
      return {
        out: (t) => {
          out += t;
        },
        err: (t) => {
          err += t;
        },
        env,
        output: () => out,
        errors: () => err,
      };
    }

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      const org = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" });
      const ctx = {
        organizationId: org.organization.id,
        actor: { principalId: org.admin.id, via: "cli" as const },
      };
      const sa = await createServiceAccount(db.store, ctx, { spaceId: org.rootSpace.id, name: "deployer" });
      keyId = (
        await createApiKey(db.store, ctx, { principalId: sa.serviceAccount.id, type: "SERVICE", name: "ci" })
      ).apiKey.id;
      app = await buildApp({ store: db.store, authFailureLimit: 1000 });
      await app.listen({ port: 0, host: "127.0.0.1" });
      const { port } = app.server.address() as AddressInfo;
      env = { KEYGATE_SERVER: `http://127.0.0.1:${port}`, KEYGATE_TOKEN: org.tokenValue };
    });
    afterAll(async () => {
      await app.close();
      await db.dispose();
    });

    it("creates a set and a policy from a file, downloads it, refuses a token, shows the evaluation, simulates a draft", async () => {
      const setIo = io();
      expect(
        await policySetsCommand(["create", "tokens", "--global", "--entities", "token", "-o", "json"], setIo),
      ).toBe(0);
      const setId: string = JSON.parse(setIo.output()).id;

      const created = io();
      const seedFile = join(dir, "valid-to-limit.rego");
      writeFileSync(seedFile, seed000Source("valid-to-limit"));
      const args = [
        "create",
        "valid-to-limit",
        "--file",
        seedFile,
        "--level",
        "mandatory",
        "--set",
        setId,
        "-o",
        "json",
      ];
      expect(await policiesCommand(args, created)).toBe(0);
      const policy = JSON.parse(created.output());
      expect(policy.attributes).toMatchObject({
        name: "valid-to-limit",
        "enforcement-level": "mandatory",
        "policy-set-count": 1,
      });

      const downloaded = io();
      expect(await policiesCommand(["download", policy.id], downloaded)).toBe(0);
      expect(downloaded.output()).toBe(readFileSync(seedFile, "utf8"));
      const listed = io();
      await policiesCommand(["list"], listed);
      expect(listed.output()).toMatch(/valid-to-limit\s+mandatory/);

      const refused = await tokenCommand(
        ["create", "ci", "--key", keyId, "--valid-to", "2099-01-01T00:00:00Z"],
        io(),
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(CliError);
      expect((refused as CliError).message).toContain(
        "For CreateToken, Token APIKeyType ValidTo 4070908800000 greater than X date",
      );
      // The denying evaluation is named, in text and in the error's data (printed with --json).
      const deniedBy = /denied by policy evaluation (\S+) \(keygate evaluations show \1\)/.exec(
        (refused as CliError).message,
      )?.[1];
      expect(deniedBy).toBeDefined();
      expect((refused as CliError).document?.["policy-evaluation-id"]).toBe(deniedBy);

      const evaluations = io();
      expect(await evaluationsCommand(["list", "--outcome", "denied", "-o", "json"], evaluations)).toBe(0);
      const [evaluation] = JSON.parse(evaluations.output());
      expect(evaluation.attributes).toMatchObject({ "entity-type": "token", outcome: "denied" });
      expect(evaluation.id).toBe(deniedBy);
      const shown = io();
      expect(await evaluationsCommand(["show", evaluation.id], shown)).toBe(0);
      expect(shown.output()).toMatch(/valid-to-limit\s+tokens\s+mandatory\s+failed/);

      const draft = join(dir, "draft.rego");
      writeFileSync(
        draft,
        'package opapolicy\n\ndeny[msg] {\n  input.token.validTo > 4102444800000\n  msg := "after 2100"\n}\n',
      );
      const simulated = io();
      expect(await policySimulate([draft, "--entity", "token", "--replace", policy.id], simulated)).toBe(0);
      expect(simulated.output()).toContain("1 of 1 samples change with the draft");
      // One line per sample: who, and the change with the draft (verdict, then why it was denied).
      expect(simulated.output()).toMatch(/deployer\s+create\s+denied -> allowed, now: For CreateToken/);

      const broken = join(dir, "broken.rego");
      writeFileSync(broken, "package broken\n\ndeny[msg] {\n  msg := \n}\n");
      const badDraft = await policySimulate([broken, "--entity", "token"], io()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((badDraft as CliError).message).toMatch(/draft\.rego:\d+:\d+/);
    });

    it("prints the server's warnings as `warning:` lines on stderr, keeping stdout the resource", async () => {
      const source = join(dir, "undefined-query.rego");
      writeFileSync(source, 'package opapolicy\n\ndeny contains "no" if { input.x }\n');
      const created = io();
      expect(
        await policiesCommand(["create", "wrong-query", "--query", "terraform.main", "-o", "json"], created),
      ).toBe(0);
      const policy = JSON.parse(created.output());
      expect(created.errors()).toMatch(/^warning: policy wrong-query has no Rego text yet/m);
      const uploaded = io();
      expect(await policiesCommand(["upload", policy.id, source], uploaded)).toBe(0);
      expect(uploaded.errors()).toMatch(
        /^warning: the query data\.terraform\.main of advisory policy wrong-query is not defined/m,
      );
      const updated = io();
      expect(
        await policiesCommand(["update", policy.id, "--level", "mandatory", "-o", "json"], updated),
      ).toBe(0);
      expect(JSON.parse(updated.output()).attributes["enforcement-level"]).toBe("mandatory");
      expect(updated.errors()).toMatch(
        /^warning: the query .* of mandatory policy wrong-query is not defined/m,
      );
      const fixed = io();
      expect(await policiesCommand(["update", policy.id, "--query", "opapolicy.deny"], fixed)).toBe(0);
      expect(fixed.errors()).not.toMatch(/warning:/);
    });
  });
}
