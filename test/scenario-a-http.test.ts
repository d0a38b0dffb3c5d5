// End-to-end: scenario A (service accounts and their tokens) through the HTTP API of a real
// `keygate serve` process, on SQLite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./support/api-session.js";
import { type InitialisedKeygate, startInitialisedKeygate } from "./support/initialised-keygate.js";
import type { KeygateServer } from "./support/keygate-process.js";
import { waitFor } from "./support/wait-for.js";

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`scenario A over HTTP on ${dialect}`, () => {
    let keygate: InitialisedKeygate;
    let server: KeygateServer;
    let admin: string;
    const call = (token: string, method: string, path: string, body?: unknown) =>
      api(server.url, token, method, path, body);

    beforeAll(async () => {
      keygate = await startInitialisedKeygate(dialect);
      [server] = keygate.servers as [KeygateServer];
      admin = keygate.admin;
    }, 60_000);

    afterAll(async () => {
      await keygate?.stop();
    });

    it("creates a service account with a role, a key and a token that authenticates as it", async () => {
      const space = await call(admin, "POST", "/organizations/acme/spaces", {
        data: { type: "spaces", attributes: { name: "payments" } },
      });
      expect(space.status).toBe(201);
      const spaceId = space.body.data.id;
      const role = await call(admin, "POST", "/organizations/acme/roles", {
        data: {
          type: "roles",
          attributes: {
            name: "deployer",
            permissions: ["spaces.read", "service-accounts.read", "artefacts.write"],
          },
        },
      });
      expect(role.status).toBe(201);
      const sa = await call(admin, "POST", "/organizations/acme/service-accounts", {
        data: {
          type: "service-accounts",
          attributes: { name: "ci-bot" },
          relationships: { space: { data: { id: spaceId, type: "spaces" } } },
        },
      });
      expect(sa.status).toBe(201);
      const saId = sa.body.data.id;
      const binding = await call(admin, "POST", "/organizations/acme/role-bindings", {
        data: {
          type: "role-bindings",
          relationships: {
            role: { data: { id: "deployer", type: "roles" } },
            subject: { data: { id: saId, type: "service-accounts" } },
            space: { data: { id: spaceId, type: "spaces" } },
          },
        },
      });
      expect(binding.status).toBe(201);
      const key = await call(admin, "POST", `/service-accounts/${saId}/api-keys`, {
        data: { type: "api-keys", attributes: { name: "ci" } },
      });
      expect(key.status).toBe(201);
      expect(key.body.data.attributes["api-key-type"]).toBe("SERVICE");
      const validTo = new Date(Date.now() + 30 * 86_400_000).toISOString();
      const token = await call(admin, "POST", `/api-keys/${key.body.data.id}/tokens`, {
        data: {
          type: "tokens",
          attributes: { name: "pipeline", description: "GitHub Actions", "valid-to": validTo },
        },
      });
      expect(token.status).toBe(201);
      const secret: string = token.body.data.attributes.token;
      expect(secret.startsWith("kgs_")).toBe(true);

      // A.3: it authenticates as the service account and holds exactly the account's roles.
      const me = await call(secret, "GET", "/account/details");
      expect(me.status).toBe(200);
      expect(me.body.data).toMatchObject({ id: saId, type: "service-accounts" });
      const can = await call(secret, "GET", "/account/effective-access");
      const payments = can.body.data.attributes.spaces.find(
        (s: { "space-id": string }) => s["space-id"] === spaceId,
      );
      expect(payments.roles.map((r: { "role-name": string }) => r["role-name"])).toEqual(["deployer"]);
      expect((await call(secret, "GET", `/service-accounts/${saId}`)).status).toBe(200);
      expect((await call(secret, "GET", "/organizations/acme/users")).status).toBe(403);

      // A.7: listing shows name, created-by, created-at, last-used-at, expiry, status; never the secret.
      // last-used-at is flushed in batches (about once a second), off the request path.
      const list = await waitFor("the token's last-used-at to be recorded", async () => {
        const response = await call(admin, "GET", `/api-keys/${key.body.data.id}/tokens`);
        expect(response.status).toBe(200);
        return response.body.data[0].attributes["last-used-at"] === null ? undefined : response;
      });
      const listed = list.body.data[0];
      expect(listed.attributes).toMatchObject({ name: "pipeline", status: "active", "valid-to": validTo });
      expect(listed.attributes["last-used-at"]).not.toBeNull();
      expect(listed.relationships["created-by"].data.id).toMatch(/^usr-/);
      expect(JSON.stringify(list.body)).not.toContain(secret.slice(17, 60));
      expect(JSON.stringify((await call(admin, "GET", `/tokens/${token.body.data.id}`)).body)).not.toContain(
        secret.slice(17, 60),
      );

      // A.4: rotation with a grace period; both work during the grace; zero grace stops at once.
      const rotated = await call(admin, "POST", `/tokens/${token.body.data.id}/actions/rotate`, {
        data: { type: "tokens", attributes: { "grace-period-seconds": 600 } },
      });
      expect(rotated.status).toBe(201);
      const next: string = rotated.body.data.attributes.token;
      expect(rotated.body.included[0].attributes["scheduled-expire-time"]).not.toBeNull();
      expect((await call(secret, "GET", "/account/details")).status).toBe(200);
      expect((await call(next, "GET", "/account/details")).status).toBe(200);
      const immediate = await call(admin, "POST", `/tokens/${rotated.body.data.id}/actions/rotate`, {
        data: { type: "tokens", attributes: { "grace-period-seconds": 0 } },
      });
      expect(immediate.status).toBe(201);
      expect((await call(next, "GET", "/account/details")).status).toBe(401);

      // A.5: revoke: refused at once; only then can it be deleted.
      const latest = immediate.body.data.id;
      const latestSecret: string = immediate.body.data.attributes.token;
      expect((await call(latestSecret, "GET", "/account/details")).status).toBe(200);
      expect((await call(admin, "DELETE", `/tokens/${latest}`)).status).toBe(409);
      expect((await call(admin, "POST", `/tokens/${latest}/actions/revoke`)).status).toBe(200);
      const refused = await call(latestSecret, "GET", "/account/details");
      expect(refused.status).toBe(401);
      expect(refused.body.errors[0].detail).toMatch(/revoked/);
      expect((await call(admin, "DELETE", `/tokens/${latest}`)).status).toBe(204);
      expect((await call(admin, "GET", `/tokens/${latest}`)).status).toBe(404);
    });

    // A.6 from the admin's side; the next test checks it for a user who is not an owner.
    it("issues the admin a personal access token that carries exactly the admin's roles, live, and no personal key for another user (A.6)", async () => {
      const effectiveAccess = async (token: string) => {
        const response = await call(token, "GET", "/account/effective-access");
        expect(response.status).toBe(200);
        return response.body.data.attributes;
      };
      const rolesIn = (
        access: { spaces: { "space-id": string; roles: { "role-name": string }[] }[] },
        space: string,
      ) =>
        (access.spaces.find((s) => s["space-id"] === space)?.roles ?? []).map((r) => r["role-name"]).sort();
      const root = (await call(admin, "GET", "/organizations/acme")).body.data.relationships["root-space"]
        .data.id;
      const me = await call(admin, "GET", "/account/details");
      expect(me.body.data.type).toBe("users");

      const key = await call(admin, "POST", "/account/api-keys", {
        data: { type: "api-keys", attributes: { name: "laptop" } },
      });
      expect(key.status).toBe(201);
      expect(key.body.data.attributes["api-key-type"]).toBe("USER");
      expect(key.body.data.relationships.principal.data.id).toBe(me.body.data.id);
      const pat = await call(admin, "POST", `/api-keys/${key.body.data.id}/tokens`, {
        data: { type: "tokens", attributes: { name: "cli" } },
      });
      expect(pat.status).toBe(201);
      const secret: string = pat.body.data.attributes.token;
      expect(secret.startsWith("kgu_")).toBe(true);

      // The token is the admin: same principal, and the same effective access as the admin's own token.
      expect((await call(secret, "GET", "/account/details")).body.data.id).toBe(me.body.data.id);
      expect(await effectiveAccess(secret)).toEqual(await effectiveAccess(admin));
      expect(rolesIn(await effectiveAccess(secret), root)).toEqual(["admin"]);

      // It follows the user's roles as they change (not a copy made at issue time): a binding given to
      // the admin shows on the token, and is gone from it once the binding is deleted.
      const space = await call(admin, "POST", "/organizations/acme/spaces", {
        data: { type: "spaces", attributes: { name: "a6-extra" } },
      });
      expect(space.status).toBe(201);
      const extra = space.body.data.id;
      const before = rolesIn(await effectiveAccess(secret), extra);
      expect(before).not.toContain("viewer");
      const binding = await call(admin, "POST", "/organizations/acme/role-bindings", {
        data: {
          type: "role-bindings",
          relationships: {
            role: { data: { id: "viewer", type: "roles" } },
            subject: { data: { id: me.body.data.id, type: "users" } },
            space: { data: { id: extra, type: "spaces" } },
          },
        },
      });
      expect(binding.status, JSON.stringify(binding.body)).toBe(201);
      expect(rolesIn(await effectiveAccess(secret), extra)).toEqual([...before, "viewer"].sort());
      expect(await effectiveAccess(secret)).toEqual(await effectiveAccess(admin));
      expect((await call(admin, "DELETE", `/role-bindings/${binding.body.data.id}`)).status).toBe(204);
      expect(rolesIn(await effectiveAccess(secret), extra)).toEqual(before);

      // An admin cannot give another user a personal key: not through the service-account route, not
      // by naming the user in the body of its own; the user ends up with no key at all.
      const user = await call(admin, "POST", "/organizations/acme/users", {
        data: { type: "users", attributes: { name: "vic" } },
      });
      expect(user.status).toBe(201);
      const vic: string = user.body.data.id;
      const viaServiceAccount = await call(admin, "POST", `/service-accounts/${vic}/api-keys`, {
        data: { type: "api-keys", attributes: { name: "for-vic" } },
      });
      expect(viaServiceAccount.status).toBe(404);
      const viaAccount = await call(admin, "POST", "/account/api-keys", {
        data: {
          type: "api-keys",
          attributes: { name: "for-vic" },
          relationships: { principal: { data: { id: vic, type: "users" } } },
        },
      });
      // Today the unknown relationship is ignored and the key is the caller's; a refusal would do too.
      if (viaAccount.status === 201) {
        expect(viaAccount.body.data.relationships.principal.data.id).toBe(me.body.data.id);
      } else {
        expect(viaAccount.status, JSON.stringify(viaAccount.body)).toBe(400);
      }
      const keysOfVic = await call(admin, "GET", `/organizations/acme/api-keys?filter[principal]=${vic}`);
      expect(keysOfVic.status).toBe(200);
      expect(keysOfVic.body.data).toEqual([]);
    });

    it("personal access tokens never exceed the user's permissions (A.6, a user who is not an owner)", async () => {
      const root = (await call(admin, "GET", "/organizations/acme")).body.data.relationships["root-space"]
        .data.id;
      const space = async (name: string, parent = root) => {
        const made = await call(admin, "POST", "/organizations/acme/spaces", {
          data: {
            type: "spaces",
            attributes: { name },
            relationships: { parent: { data: { id: parent, type: "spaces" } } },
          },
        });
        expect(made.status, JSON.stringify(made.body)).toBe(201);
        return made.body.data.id as string;
      };
      const team = await space("a6-team");
      const child = await space("a6-team-child", team);
      const other = await space("a6-other");
      const role = await call(admin, "POST", "/organizations/acme/roles", {
        data: {
          type: "roles",
          attributes: {
            name: "a6-lead",
            permissions: [
              "spaces.read",
              "service-accounts.read",
              "service-accounts.write",
              "role-bindings.read",
              "role-bindings.write",
            ],
          },
        },
      });
      expect(role.status).toBe(201);
      const user = await call(admin, "POST", "/organizations/acme/users", {
        data: { type: "users", attributes: { name: "nora" } },
      });
      const nora: string = user.body.data.id;
      const bind = async (roleId: string, spaceId: string, subject = nora) => {
        const bound = await call(admin, "POST", "/organizations/acme/role-bindings", {
          data: {
            type: "role-bindings",
            relationships: {
              role: { data: { id: roleId, type: "roles" } },
              subject: { data: { id: subject, type: "users" } },
              space: { data: { id: spaceId, type: "spaces" } },
            },
          },
        });
        expect(bound.status, JSON.stringify(bound.body)).toBe(201);
        return bound.body.data.id as string;
      };
      const leadBinding = await bind("a6-lead", team);

      // Nora gets her credential the only way a person who is not the bootstrap admin can: an
      // invitation, accepted through the API (no credential but the link's secret).
      const invitation = await call(admin, "POST", "/organizations/acme/invitations", {
        data: { type: "invitations", relationships: { user: { data: { type: "users", id: nora } } } },
      });
      expect(invitation.status, JSON.stringify(invitation.body)).toBe(201);
      const accepted = await fetch(`${server.url}/api/v2/invitation-acceptances`, {
        method: "POST",
        headers: { "content-type": "application/vnd.api+json" },
        body: JSON.stringify({
          data: {
            type: "invitation-acceptances",
            attributes: { secret: invitation.body.data.attributes.secret, "token-description": "laptop" },
          },
        }),
      });
      expect(accepted.status).toBe(201);
      const pat: string = (await accepted.json()).data.attributes.secret;
      expect(pat.startsWith("kgu_")).toBe(true);
      expect((await call(pat, "GET", "/account/details")).body.data.id).toBe(nora);

      const access = async (token: string) => {
        const response = await call(token, "GET", "/account/effective-access");
        expect(response.status).toBe(200);
        return (
          response.body.data.attributes.spaces as { "space-id": string; roles: { "role-name": string }[] }[]
        )
          .filter((s) => s.roles.length > 0)
          .map(
            (s) =>
              `${s["space-id"]}:${s.roles
                .map((r) => r["role-name"])
                .sort()
                .join(",")}`,
          )
          .sort();
      };
      const newServiceAccount = (token: string, spaceId: string, name: string) =>
        call(token, "POST", "/organizations/acme/service-accounts", {
          data: {
            type: "service-accounts",
            attributes: { name },
            relationships: { space: { data: { id: spaceId, type: "spaces" } } },
          },
        });
      const bindSelf = (token: string, roleId: string, spaceId: string) =>
        call(token, "POST", "/organizations/acme/role-bindings", {
          data: {
            type: "role-bindings",
            relationships: {
              role: { data: { id: roleId, type: "roles" } },
              subject: { data: { id: nora, type: "users" } },
              space: { data: { id: spaceId, type: "spaces" } },
            },
          },
        });

      // Exactly her binding: a6-lead in a6-team (and, by inheritance, its child), nothing else.
      expect(await access(pat)).toEqual([`${team}:a6-lead`, `${child}:a6-lead`].sort());
      expect((await newServiceAccount(pat, team, "nora-bot")).status).toBe(201);
      expect((await newServiceAccount(pat, child, "nora-child-bot")).status).toBe(201);
      expect((await call(pat, "GET", `/spaces/${team}`)).status).toBe(200);
      // ... and nothing her bindings do not give.
      expect([403, 404]).toContain((await newServiceAccount(pat, other, "elsewhere")).status);
      expect([403, 404]).toContain((await newServiceAccount(pat, root, "at-root")).status);
      expect((await call(pat, "GET", "/organizations/acme/users")).status).toBe(403);
      expect((await call(pat, "GET", "/organizations/acme/audit-events")).status).toBe(403);

      // It cannot mint itself more: not a stronger role where she may bind, not a role of its own,
      // not an invitation (a fresh credential) for herself, not a token on an admin's key.
      const escalate = await bindSelf(pat, "admin", team);
      expect(escalate.status).toBe(403);
      expect(escalate.body.errors[0].detail).toMatch(/would grant permissions you do not hold/);
      expect((await bindSelf(pat, "viewer", team)).status).toBe(403);
      expect((await bindSelf(pat, "a6-lead", other)).status).toBe(403);
      const ownRole = await call(pat, "POST", "/organizations/acme/roles", {
        data: { type: "roles", attributes: { name: "nora-all", permissions: ["users.write"] } },
      });
      expect(ownRole.status).toBe(403);
      const selfInvite = await call(pat, "POST", "/organizations/acme/invitations", {
        data: { type: "invitations", relationships: { user: { data: { type: "users", id: nora } } } },
      });
      expect(selfInvite.status).toBe(403);
      const adminKeys = await call(admin, "GET", "/account/api-keys");
      const adminKey = adminKeys.body.data[0]?.id;
      expect(adminKey).toBeTruthy();
      expect([403, 404]).toContain(
        (
          await call(pat, "POST", `/api-keys/${adminKey}/tokens`, {
            data: { type: "tokens", attributes: { name: "x" } },
          })
        ).status,
      );
      // Her own second token (on her own personal key) carries exactly the same, no more.
      const keys = await call(pat, "GET", "/account/api-keys");
      expect(keys.body.data).toHaveLength(1);
      const second = await call(pat, "POST", `/api-keys/${keys.body.data[0].id}/tokens`, {
        data: { type: "tokens", attributes: { name: "ci" } },
      });
      expect(second.status, JSON.stringify(second.body)).toBe(201);
      const pat2: string = second.body.data.attributes.token;
      expect(await access(pat2)).toEqual(await access(pat));
      expect((await bindSelf(pat2, "admin", team)).status).toBe(403);
      // Nothing above changed her bindings.
      const bindings = await call(admin, "GET", "/organizations/acme/role-bindings?page[size]=100");
      const hers = bindings.body.data.filter(
        (b: { relationships: { subject: { data: { id: string } } } }) =>
          b.relationships.subject.data.id === nora,
      );
      expect(hers.map((b: { id: string }) => b.id)).toEqual([leadBinding]);

      // Narrowing her binding narrows the live tokens, within the cache staleness bound (5 s by default).
      await bind("viewer", team);
      expect((await call(admin, "DELETE", `/role-bindings/${leadBinding}`)).status).toBe(204);
      for (const token of [pat, pat2]) {
        await waitFor(
          "the narrowed binding to reach the token",
          async () =>
            (await newServiceAccount(token, team, `late-${token.slice(4, 10)}`)).status === 403
              ? true
              : undefined,
          { timeoutMs: 5_000 + 2_000 },
        );
        expect(await access(token)).toEqual([`${team}:viewer`, `${child}:viewer`].sort());
        expect((await call(token, "GET", `/spaces/${team}`)).status).toBe(200);
        expect((await bindSelf(token, "viewer", child)).status).toBe(403);
      }
    });

    it("refuses a service-account-only role for a human user (A.8)", async () => {
      const user = await call(admin, "POST", "/organizations/acme/users", {
        data: { type: "users", attributes: { name: "hugo" } },
      });
      const bound = await call(admin, "POST", "/organizations/acme/role-bindings", {
        data: {
          type: "role-bindings",
          relationships: {
            role: { data: { id: "artefact-contributor" } },
            subject: { data: { id: user.body.data.id, type: "users" } },
          },
        },
      });
      expect(bound.status).toBe(422);
      expect(bound.body.errors[0].detail).toMatch(/artefact-contributor/);
    });

    it("records every change in the audit log, filterable, without secrets (F)", async () => {
      const all = await call(admin, "GET", "/organizations/acme/audit-events?page[size]=100");
      expect(all.status).toBe(200);
      const actions = all.body.data.map((e: { attributes: { action: string } }) => e.attributes.action);
      for (const action of [
        "service-account.create",
        "api-key.create",
        "token.create",
        "token.rotate",
        "token.revoke",
        "token.delete",
        "role-binding.create",
      ]) {
        expect(actions).toContain(action);
      }
      const revokes = await call(
        admin,
        "GET",
        "/organizations/acme/audit-events?filter[action]=token.revoke",
      );
      expect(revokes.body.data).toHaveLength(1);
      expect(revokes.body.data[0].attributes["actor-ip"]).toBe("127.0.0.1");
      const future = await call(
        admin,
        "GET",
        `/organizations/acme/audit-events?filter[since]=${Date.now() + 60_000}`,
      );
      expect(future.body.data).toHaveLength(0);
      expect(JSON.stringify(all.body)).not.toMatch(/kg[su]_[0-9A-Za-z]{12}_[0-9A-Za-z]{20}/);
    });
  });
}
