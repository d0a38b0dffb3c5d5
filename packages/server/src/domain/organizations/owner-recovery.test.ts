import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { resolveEffectiveAccess } from "../access/effective-access.js";
import { listAuditEvents } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import { updateUser } from "../principals/user.js";
import { verifyTokenSecret } from "../tokens/token-verification.js";
import { type BootstrappedOrganization, bootstrapOrganization } from "./organization-bootstrap.js";
import { RECOVERY_TOKEN_LIFETIME_MS, recoverOwnerToken } from "./owner-recovery.js";

for (const dialect of DIALECTS) {
  describe(`recoverOwnerToken (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
    });
    afterAll(async () => {
      await database.dispose();
    });

    it("issues a token for the oldest enabled owner, valid a day, audited without the secret", async () => {
      const now = Date.now();
      const recovered = await recoverOwnerToken(database.store, { organization: "acme", now });
      expect(recovered.ownerCreated).toBe(false);
      expect(recovered.owner.id).toBe(org.admin.id);
      expect(recovered.token.validTo).toBe(now + RECOVERY_TOKEN_LIFETIME_MS);
      const verified = await verifyTokenSecret(database.store, recovered.tokenValue);
      expect(verified.principal.id).toBe(org.admin.id);
      const audit = await listAuditEvents(database.store, org.organization.id, {
        action: "organization.recover-owner",
      });
      expect(audit.items).toHaveLength(1);
      expect(audit.items[0]?.actor).toMatchObject({ principalId: null, via: "cli" });
      expect(JSON.stringify(audit.items)).not.toContain(recovered.tokenValue);
    });

    it("creates an owner bound to admin at the root when no enabled one is left", async () => {
      const ctx = {
        organizationId: org.organization.id,
        actor: { principalId: org.admin.id, via: "api" as const },
      };
      await updateUser(database.store, ctx, org.admin.id, { disabled: true });
      const recovered = await recoverOwnerToken(database.store, {
        organization: org.organization.id,
        newAdminName: "rescuer",
      });
      expect(recovered.ownerCreated).toBe(true);
      expect(recovered.owner.name).toBe("rescuer");
      const access = await resolveEffectiveAccess(database.store, org.organization.id, recovered.owner.id);
      expect(access.grants.some((g) => g.roleId === "role-admin" && g.spaceId === org.rootSpace.id)).toBe(
        true,
      );
      expect((await verifyTokenSecret(database.store, recovered.tokenValue)).principal.name).toBe("rescuer");
    });

    it("names an unknown organization", async () => {
      const error = await recoverOwnerToken(database.store, { organization: "nope" }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe("not_found");
    });
  });
}
