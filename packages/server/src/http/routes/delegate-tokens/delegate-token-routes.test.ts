// HTTP API tests, delegate tokens and delegates, on every dialect through the real app: the
// default token, create (value once), show, list per space, rename, rotate, revoke, delete (409
// until revoked), permissions and tenant isolation, and a real delegate connection on the
// listening app, listed and then disconnected by revocation.
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createApiKey } from "../../../domain/api-keys/api-key.js";
import type { MutationContext } from "../../../domain/audit/actor.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../../../domain/organizations/organization-bootstrap.js";
import { createServiceAccount } from "../../../domain/principals/service-account.js";
import { createRoleBinding } from "../../../domain/role-bindings/role-binding.js";
import { createSpace, type Space } from "../../../domain/spaces/space.js";
import { createToken } from "../../../domain/tokens/token.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../../store/test-store.js";
import { buildApp } from "../../app.js";
import { DELEGATE_CLOSE_CODES, DELEGATE_CONNECT_PATH } from "../../delegates/delegate-protocol.js";

const JSON_API = "application/vnd.api+json";

for (const dialect of DIALECTS) {
  describe(`delegate token routes (${dialect})`, () => {
    let db: TestDatabase;
    let app: FastifyInstance;
    let acme: BootstrappedOrganization;
    let admin: string;
    let otherAdmin: string;
    let viewer: string;
    let build: Space;

    async function call(
      method: "GET" | "POST" | "PATCH" | "DELETE",
      url: string,
      token: string,
      body?: unknown,
    ) {
      const response = await app.inject({
        method,
        url: `/api/v2${url}`,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { "content-type": JSON_API } : {}),
        },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });
      return {
        status: response.statusCode,
        // biome-ignore lint/suspicious/noExplicitAny: tests read JSON documents freely
        body: (response.body === "" ? undefined : response.json()) as any,
        headers: response.headers,
      };
    }

    const create = (name: string, spaceId?: string, token = admin) =>
      call("POST", "/organizations/acme/delegate-tokens", token, {
        data: {
          type: "delegate-tokens",
          attributes: { name },
          ...(spaceId ? { relationships: { space: { data: { type: "spaces", id: spaceId } } } } : {}),
        },
      });

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      acme = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" });
      const globex = await bootstrapOrganization(db.store, { organizationName: "globex", adminName: "gina" });
      admin = acme.tokenValue;
      otherAdmin = globex.tokenValue;
      const ctx: MutationContext = {
        organizationId: acme.organization.id,
        actor: { principalId: acme.admin.id, via: "api" },
      };
      build = await createSpace(db.store, ctx, { parentId: acme.rootSpace.id, name: "build" });
      const sa = await createServiceAccount(db.store, ctx, { spaceId: build.id, name: "watcher" });
      await createRoleBinding(db.store, ctx, {
        subject: { kind: "principal", principalId: sa.serviceAccount.id },
        roleId: "role-viewer",
        spaceId: acme.rootSpace.id,
      });
      const key = await createApiKey(db.store, ctx, {
        principalId: sa.serviceAccount.id,
        type: "SERVICE",
        name: "k",
      });
      viewer = (await createToken(db.store, ctx, { apiKeyId: key.apiKey.id, name: "t" })).value;
      app = await buildApp({ store: db.store, authFailureLimit: 1000 });
    });

    afterAll(async () => {
      await app?.close();
      await db?.dispose();
    });

    it("lists the organization's default delegate token", async () => {
      const list = await call("GET", "/organizations/acme/delegate-tokens?filter[status]=active", admin);
      expect(list.status).toBe(200);
      const defaults = list.body.data.filter(
        (t: { attributes: { default: boolean } }) => t.attributes.default,
      );
      expect(defaults).toHaveLength(1);
      expect(defaults[0].attributes).toMatchObject({ name: "default", status: "active" });
      expect(defaults[0].relationships.space.data.id).toBe(acme.rootSpace.id);
      expect(defaults[0].attributes.token).toBeUndefined();
    });

    it("creates, shows, lists per space, renames, rotates, revokes and deletes", async () => {
      const created = await create("ci", build.id);
      expect(created.status).toBe(201);
      expect(created.headers["cache-control"]).toBe("no-store");
      const value: string = created.body.data.attributes.token;
      expect(value).toMatch(/^kgd_/);
      const id: string = created.body.data.id;
      const shown = await call("GET", `/delegate-tokens/${id}`, admin);
      expect(shown.status).toBe(200);
      expect(shown.body.data.attributes.token).toBeUndefined();
      expect(JSON.stringify(shown.body)).not.toContain(value);
      const inBuild = await call(
        "GET",
        `/organizations/acme/delegate-tokens?filter[space]=${build.id}`,
        admin,
      );
      expect(inBuild.body.data.map((t: { id: string }) => t.id)).toEqual([id]);
      const renamed = await call("PATCH", `/delegate-tokens/${id}`, admin, {
        data: { type: "delegate-tokens", attributes: { name: "ci-main", description: "build farm" } },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.data.attributes).toMatchObject({ name: "ci-main", description: "build farm" });
      const rotated = await call("POST", `/delegate-tokens/${id}/actions/rotate`, admin);
      expect(rotated.status).toBe(201);
      expect(rotated.body.data.attributes.token).toMatch(/^kgd_/);
      expect(rotated.body.data.attributes.token).not.toBe(value);
      expect(rotated.body.included[0]).toMatchObject({ id, attributes: { status: "rotated" } });
      expect(rotated.body.data.relationships["rotated-from"].data.id).toBe(id);
      const refused = await call("DELETE", `/delegate-tokens/${id}`, admin);
      expect(refused.status).toBe(409);
      expect(refused.body.errors[0].detail).toMatch(/revoke it first/);
      const revoked = await call("POST", `/delegate-tokens/${id}/actions/revoke`, admin);
      expect(revoked.status).toBe(200);
      expect(revoked.body.data.attributes.status).toBe("revoked");
      expect((await call("POST", `/delegate-tokens/${id}/actions/rotate`, admin)).status).toBe(409);
      expect((await call("DELETE", `/delegate-tokens/${id}`, admin)).status).toBe(204);
      expect((await call("GET", `/delegate-tokens/${id}`, admin)).status).toBe(404);
      const audit = await call("GET", `/organizations/acme/audit-events?filter[resource-id]=${id}`, admin);
      expect(audit.status).toBe(200);
      expect(audit.body.data.map((e: { attributes: { action: string } }) => e.attributes.action)).toEqual([
        "delegate-token.delete",
        "delegate-token.revoke",
        "delegate-token.rotate",
        "delegate-token.update",
        "delegate-token.create",
      ]);
      expect(JSON.stringify(audit.body)).not.toContain(value);
    });

    it("checks input, permissions and tenants", async () => {
      const unknownSpace = await create("x", "spc-nope");
      expect(unknownSpace.status).toBe(422);
      expect(unknownSpace.body.errors[0].source.pointer).toBe("/data/relationships/space/data/id");
      const blank = await create("   ");
      expect(blank.status).toBe(422);
      expect((await create("dup")).status).toBe(201);
      expect((await create("dup")).status).toBe(409);
      const mine = await create("private");
      expect((await call("GET", `/delegate-tokens/${mine.body.data.id}`, otherAdmin)).status).toBe(404);
      expect((await call("GET", "/organizations/acme/delegate-tokens", otherAdmin)).status).toBe(404);
      expect((await call("GET", `/delegate-tokens/${mine.body.data.id}`, viewer)).status).toBe(200);
      expect((await call("GET", "/organizations/acme/delegates", viewer)).status).toBe(200);
      const forbidden = await create("not-allowed", build.id, viewer);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.errors[0].detail).toMatch(/delegate-tokens.write/);
      expect(
        (await call("POST", `/delegate-tokens/${mine.body.data.id}/actions/revoke`, viewer)).status,
      ).toBe(403);
    });

    it("lists a delegate connected to the listening app, then disconnects it on revocation", async () => {
      await app.listen({ port: 0, host: "127.0.0.1" });
      const { port } = app.server.address() as AddressInfo;
      const created = await create("live", build.id);
      const socket = new WebSocket(
        `ws://127.0.0.1:${port}${DELEGATE_CONNECT_PATH}?name=agent-1&host=h1&version=9`,
        {
          headers: { authorization: `Bearer ${created.body.data.attributes.token}` },
        },
      );
      const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
      await new Promise((resolve) => socket.once("message", resolve));
      const perToken = await call("GET", `/delegate-tokens/${created.body.data.id}/delegates`, admin);
      expect(perToken.status).toBe(200);
      expect(perToken.body.data).toHaveLength(1);
      expect(perToken.body.data[0].attributes).toMatchObject({ name: "agent-1", host: "h1", version: "9" });
      const delegateId: string = perToken.body.data[0].id;
      const perSpace = await call("GET", `/organizations/acme/delegates?filter[space]=${build.id}`, admin);
      expect(perSpace.body.data.map((d: { id: string }) => d.id)).toEqual([delegateId]);
      expect(
        (await call("GET", `/delegates/${delegateId}`, admin)).body.data.relationships["delegate-token"].data
          .id,
      ).toBe(created.body.data.id);
      await call("POST", `/delegate-tokens/${created.body.data.id}/actions/revoke`, admin);
      expect(await closed).toBe(DELEGATE_CLOSE_CODES.tokenRevoked);
      expect(
        (await call("GET", `/delegate-tokens/${created.body.data.id}/delegates`, admin)).body.data,
      ).toEqual([]);
      expect((await call("GET", `/delegates/${delegateId}`, admin)).status).toBe(404);
    });
  });
}
