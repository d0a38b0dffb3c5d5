// Domain tests, delegate tokens, on every dialect: the default token, create/list/show/update,
// rotation (old keeps working until revoked), revocation (published on the change feed, on every
// instance), delete only once revoked, verification, governance through the save guard, audit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChangeEvent } from "../../store/change-feed.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { writeContext } from "../../write-path/write-path.js";
import type { MutationContext } from "../audit/actor.js";
import { listAuditEvents } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { createPolicy } from "../policies/policy.js";
import { uploadPolicySource } from "../policies/policy-source.js";
import { createPolicySaveGuard } from "../policy-evaluations/enforcement.js";
import { createPolicySet } from "../policy-sets/policy-set.js";
import { createSpace } from "../spaces/space.js";
import { parseToken } from "../tokens/token-format.js";
import {
  createDelegateToken,
  DEFAULT_DELEGATE_TOKEN_NAME,
  deleteDelegateToken,
  getDelegateToken,
  listDelegateTokens,
  revokeDelegateToken,
  rotateDelegateToken,
  updateDelegateToken,
} from "./delegate-token.js";
import { verifyDelegateToken } from "./delegate-token-verification.js";

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}

for (const dialect of DIALECTS) {
  describe(`delegate tokens (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" } };
    });

    afterAll(async () => {
      await database?.dispose();
    });

    it("gives every new organization a default delegate token in its root space", async () => {
      const page = await listDelegateTokens(database.store, org.organization.id);
      expect(page.total).toBe(1);
      expect(page.items[0]).toMatchObject({
        name: DEFAULT_DELEGATE_TOKEN_NAME,
        isDefault: true,
        status: "active",
        spaceId: org.rootSpace.id,
      });
      const other = await bootstrapOrganization(database.store, {
        organizationName: "globex",
        adminName: "gina",
      });
      const theirs = await listDelegateTokens(database.store, other.organization.id);
      expect(theirs.items.map((t) => t.spaceId)).toEqual([other.rootSpace.id]);
    });

    it("creates a token in a space, shows its value once and stores only a hash", async () => {
      const space = await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "build" });
      const issued = await createDelegateToken(database.store, ctx, { spaceId: space.id, name: "ci" });
      const parsed = parseToken(issued.value);
      expect(parsed.ok && parsed.token.kind).toBe("delegate");
      expect(issued.value.startsWith("kgd_")).toBe(true);
      expect(issued.delegateToken).toMatchObject({
        name: "ci",
        spaceId: space.id,
        status: "active",
        isDefault: false,
      });
      const row = await database.store.db
        .withTables<{ delegate_tokens: { id: string; secret_hash: string } }>()
        .selectFrom("delegate_tokens")
        .select("secret_hash")
        .where("id", "=", issued.delegateToken.id)
        .executeTakeFirstOrThrow();
      expect(row.secret_hash).not.toContain(parsed.ok ? parsed.token.secret : "?");
      expect(await getDelegateToken(database.store, ctx.organizationId, issued.delegateToken.id)).toEqual(
        issued.delegateToken,
      );
      const inSpace = await listDelegateTokens(database.store, ctx.organizationId, { spaceId: space.id });
      expect(inSpace.items.map((t) => t.id)).toEqual([issued.delegateToken.id]);
      expect(JSON.stringify(await listAuditEvents(database.store, ctx.organizationId))).not.toContain(
        issued.value,
      );
    });

    it("refuses bad input naming the field, a taken name, and another organization's space", async () => {
      expect(await rejection(createDelegateToken(database.store, ctx, { name: "  " }))).toMatchObject({
        code: "invalid",
        field: "name",
      });
      expect(
        await rejection(createDelegateToken(database.store, ctx, { name: "x", spaceId: "spc-nope" })),
      ).toMatchObject({ code: "invalid", field: "spaceId" });
      await createDelegateToken(database.store, ctx, { name: "dup" });
      expect(await rejection(createDelegateToken(database.store, ctx, { name: "dup" }))).toMatchObject({
        code: "conflict",
        field: "name",
      });
      expect(await rejection(getDelegateToken(database.store, "org-other", "dtk-x"))).toMatchObject({
        code: "not_found",
      });
    });

    it("verifies a presented token and refuses other kinds, unknown and revoked ones", async () => {
      const issued = await createDelegateToken(database.store, ctx, { name: "verify-me" });
      expect((await verifyDelegateToken(database.store, issued.value)).id).toBe(issued.delegateToken.id);
      expect(await rejection(verifyDelegateToken(database.store, org.tokenValue))).toMatchObject({
        code: "unauthenticated",
        details: { reason: "kind-mismatch" },
      });
      expect(await rejection(verifyDelegateToken(database.store, "kgd_nonsense"))).toMatchObject({
        code: "unauthenticated",
        details: { reason: "malformed" },
      });
      await revokeDelegateToken(database.store, ctx, issued.delegateToken.id);
      const refused = await rejection(verifyDelegateToken(database.store, issued.value));
      expect(refused).toMatchObject({ code: "unauthenticated", details: { reason: "revoked" } });
      expect(refused.message).toContain("revoked");
      expect(refused.message).not.toContain(issued.value);
    });

    it("rotates: a new value, the old one keeps working until revoked, and hands on its name", async () => {
      const issued = await createDelegateToken(database.store, ctx, { name: "rotating", description: "d" });
      const rotated = await rotateDelegateToken(database.store, ctx, issued.delegateToken.id);
      expect(rotated.value).not.toBe(issued.value);
      expect(rotated.delegateToken).toMatchObject({
        name: "rotating",
        description: "d",
        status: "active",
        rotatedFromId: issued.delegateToken.id,
      });
      expect(rotated.previous).toMatchObject({ status: "rotated", rotatedToId: rotated.delegateToken.id });
      expect((await verifyDelegateToken(database.store, issued.value)).status).toBe("rotated");
      expect((await verifyDelegateToken(database.store, rotated.value)).status).toBe("active");
      expect(
        await rejection(rotateDelegateToken(database.store, ctx, issued.delegateToken.id)),
      ).toMatchObject({
        code: "conflict",
      });
      await revokeDelegateToken(database.store, ctx, issued.delegateToken.id);
      expect(await rejection(verifyDelegateToken(database.store, issued.value))).toMatchObject({
        code: "unauthenticated",
      });
      expect((await verifyDelegateToken(database.store, rotated.value)).id).toBe(rotated.delegateToken.id);
      const actions = (
        await listAuditEvents(database.store, ctx.organizationId, { resourceType: "delegate-token" })
      ).items
        .filter((e) => e.resourceId === issued.delegateToken.id)
        .map((e) => e.action);
      expect(actions).toEqual(["delegate-token.revoke", "delegate-token.rotate", "delegate-token.create"]);
    });

    it("deletes only revoked tokens (conflict otherwise) and renames live ones", async () => {
      const issued = await createDelegateToken(database.store, ctx, { name: "short-lived" });
      const id = issued.delegateToken.id;
      expect(await rejection(deleteDelegateToken(database.store, ctx, id))).toMatchObject({
        code: "conflict",
      });
      const renamed = await updateDelegateToken(database.store, ctx, id, {
        name: "renamed",
        description: "x",
      });
      expect(renamed.delegateToken).toMatchObject({ name: "renamed", description: "x" });
      await revokeDelegateToken(database.store, ctx, id);
      expect(await rejection(updateDelegateToken(database.store, ctx, id, { name: "again" }))).toMatchObject({
        code: "conflict",
      });
      // A revoked token frees its name.
      await createDelegateToken(database.store, ctx, { name: "renamed" });
      await deleteDelegateToken(database.store, ctx, id);
      expect(await rejection(getDelegateToken(database.store, ctx.organizationId, id))).toMatchObject({
        code: "not_found",
      });
      expect(await rejection(verifyDelegateToken(database.store, issued.value))).toMatchObject({
        details: { reason: "unknown" },
      });
      const revoked = await listDelegateTokens(database.store, ctx.organizationId, { status: "revoked" });
      expect(revoked.items.every((t) => t.status === "revoked")).toBe(true);
    });

    it("publishes revocations on the change feed, heard by another instance on the same database", async () => {
      const other = await database.openAnother();
      const heard: ChangeEvent[] = [];
      const seen = new Promise<void>((resolve) => {
        other.changes.subscribe((event) => {
          heard.push(event);
          if (event.kind === "token.revoked") resolve();
        });
      });
      const issued = await createDelegateToken(database.store, ctx, { name: "broadcast" });
      if (dialect === "sqlite") {
        // One SQLite file is one instance: the other store has its own in-process feed.
        await revokeDelegateToken(other, ctx, issued.delegateToken.id);
      } else {
        await revokeDelegateToken(database.store, ctx, issued.delegateToken.id);
      }
      await seen;
      expect(heard).toContainEqual({
        kind: "token.revoked",
        organizationId: ctx.organizationId,
        tokenId: issued.delegateToken.id,
        publicId: issued.delegateToken.publicId,
      });
    });

    it("applies policies on save to delegate tokens in their space; a refusal saves nothing and is audited", async () => {
      const naming = `package delegates
import rego.v1
deny contains msg if {
  not startswith(input.delegateToken.name, "dt-")
  msg := sprintf("delegate token %s must start with dt-", [input.delegateToken.name])
}`;
      const governed = await createSpace(database.store, ctx, {
        parentId: org.rootSpace.id,
        name: "governed",
      });
      const below = await createSpace(database.store, ctx, { parentId: governed.id, name: "governed-child" });
      const policy = await createPolicy(database.store, ctx, {
        name: "delegate-naming",
        enforcementLevel: "mandatory",
      });
      await uploadPolicySource(database.store, ctx, policy.id, naming);
      await createPolicySet(database.store, ctx, {
        name: "delegate-rules",
        global: false,
        entityTypes: ["delegate-token"],
        policyIds: [policy.id],
        spaceIds: [governed.id],
      });
      const guarded = writeContext(database.store, {
        ...ctx,
        authority: { kind: "system" },
        saveGuard: createPolicySaveGuard(database.store, ctx.actor),
      });
      const refused = await rejection(
        createDelegateToken(database.store, guarded, { name: "bad-name", spaceId: below.id }),
      );
      expect(refused.code).toBe("policy_denied");
      expect(refused.details?.messages).toEqual(["delegate token bad-name must start with dt-"]);
      expect(
        (await listDelegateTokens(database.store, ctx.organizationId, { spaceId: below.id })).total,
      ).toBe(0);
      const denied = await listAuditEvents(database.store, ctx.organizationId, { outcome: "denied" });
      expect(denied.items[0]).toMatchObject({
        action: "delegate-token.create",
        resourceType: "delegate-token",
      });
      expect(denied.items[0]?.policyEvaluationId).toMatch(/^polevl-/);
      const ok = await createDelegateToken(database.store, guarded, { name: "dt-good", spaceId: below.id });
      expect(ok.policyEvaluationId).toMatch(/^polevl-/);
      const rotated = await rotateDelegateToken(database.store, guarded, ok.delegateToken.id);
      expect(rotated.policyEvaluationId).toMatch(/^polevl-/);
      expect(
        await rejection(
          updateDelegateToken(database.store, guarded, rotated.delegateToken.id, { name: "nope" }),
        ),
      ).toMatchObject({ code: "policy_denied" });
      // Outside the governed subtree the policy does not apply.
      const free = await createDelegateToken(database.store, guarded, { name: "anything" });
      expect(free.policyEvaluationId).toBeNull();
    });
  });
}
