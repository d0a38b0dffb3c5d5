import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { createApiKey } from "../api-keys/api-key.js";
import type { MutationContext } from "../audit/actor.js";
import {
  createDelegateToken,
  getDelegateToken,
  revokeDelegateToken,
} from "../delegate-tokens/delegate-token.js";
import { registerDelegate, unregisterDelegate } from "../delegates/delegate.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { createServiceAccount, deleteServiceAccount } from "../principals/service-account.js";
import { createToken, revokeToken } from "../tokens/token.js";
import { createSpace, deleteSpace, getSpace } from "./space.js";

for (const dialect of DIALECTS) {
  describe(`deleting a space (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" } };
    });
    afterEach(() => database.dispose());

    it("is refused with a conflict while it holds live tokens, then allowed once they and their account are gone", async () => {
      const space = await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "prod" });
      const sa = await createServiceAccount(database.store, ctx, { spaceId: space.id, name: "bot" });
      const key = await createApiKey(database.store, ctx, {
        principalId: sa.serviceAccount.id,
        type: "SERVICE",
        name: "k",
      });
      const token = await createToken(database.store, ctx, { apiKeyId: key.apiKey.id, name: "t" });
      await expect(deleteSpace(database.store, ctx, space.id)).rejects.toThrow(
        new RegExp(
          `still holds live tokens \\(e\\.g\\. ${token.token.id} of service account ${sa.serviceAccount.id}\\)`,
        ),
      );
      await revokeToken(database.store, ctx, token.token.id);
      // No live token now, but the account still lives there.
      await expect(deleteSpace(database.store, ctx, space.id)).rejects.toThrow(
        /still holds service accounts/,
      );
      await deleteServiceAccount(database.store, ctx, sa.serviceAccount.id);
      await deleteSpace(database.store, ctx, space.id);
      await expect(getSpace(database.store, ctx.organizationId, space.id)).rejects.toMatchObject({
        code: "not_found",
      });
    });

    it("is refused while it holds a live delegate token or a connected delegate; revoked ones go with it", async () => {
      const space = await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "edge" });
      const issued = await createDelegateToken(database.store, ctx, { spaceId: space.id, name: "agents" });
      await expect(deleteSpace(database.store, ctx, space.id)).rejects.toMatchObject({
        code: "conflict",
        message: expect.stringMatching(`still holds live delegate tokens \\(e\\.g\\. ${issued.delegateToken.id}\\)`),
      });
      const token = await getDelegateToken(database.store, ctx.organizationId, issued.delegateToken.id);
      const delegate = await registerDelegate(
        database.store,
        token,
        { name: "agent-1", host: "h", version: "1" },
        { instanceId: "i-1", remoteAddress: null },
      );
      await revokeDelegateToken(database.store, ctx, issued.delegateToken.id);
      // Revoked, but a connection is still on record (the hub closes it; until then it is refused).
      await expect(deleteSpace(database.store, ctx, space.id)).rejects.toThrow(
        new RegExp(`still has connected delegates \\(e\\.g\\. ${delegate.id}\\)`),
      );
      await unregisterDelegate(database.store, delegate, "closed");
      await deleteSpace(database.store, ctx, space.id);
      await expect(
        getDelegateToken(database.store, ctx.organizationId, issued.delegateToken.id),
      ).rejects.toMatchObject({
        code: "not_found",
      });
    });
  });
}
