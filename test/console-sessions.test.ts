// End-to-end: the console's sign-in (invitations, sessions, the cookie and its CSRF token) through
// real `keygate serve` processes, on SQLite and PostgreSQL; on PostgreSQL also across two instances.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./support/api-session.js";
import { type InitialisedKeygate, startInitialisedKeygate } from "./support/initialised-keygate.js";
import type { KeygateServer } from "./support/keygate-process.js";
import { waitFor } from "./support/wait-for.js";

const JSON_API = "application/vnd.api+json";

/** A request with the session cookie (and, when given, the CSRF header); no Authorization header. */
async function withCookie(
  server: string,
  cookie: string,
  method: string,
  path: string,
  options: { csrf?: string; body?: unknown } = {},
) {
  const response = await fetch(`${server}/api/v2${path}`, {
    method,
    headers: {
      cookie,
      ...(options.csrf !== undefined ? { "x-csrf-token": options.csrf } : {}),
      ...(options.body !== undefined ? { "content-type": JSON_API } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === "" ? undefined : JSON.parse(text),
  };
}

/** POST with no credential at all. */
async function anonymous(server: string, path: string, body: unknown) {
  const response = await fetch(`${server}/api/v2${path}`, {
    method: "POST",
    headers: { "content-type": JSON_API },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === "" ? undefined : JSON.parse(text),
  };
}

const signIn = (server: string, token: string) =>
  anonymous(server, "/sessions", { data: { type: "sessions", attributes: { token } } });

const accept = (server: string, secret: string, extra: Record<string, unknown> = {}) =>
  anonymous(server, "/invitation-acceptances", {
    data: { type: "invitation-acceptances", attributes: { secret, "token-description": "laptop", ...extra } },
  });

const preview = (server: string, secret: string) =>
  anonymous(server, "/invitation-previews", {
    data: { type: "invitation-previews", attributes: { secret } },
  });

/** `keygate_session=<value>` from a Set-Cookie header. */
function cookieOf(setCookie: string | null): string {
  const match = /^(keygate_session=[^;]*)/.exec(setCookie ?? "");
  if (!match?.[1]) throw new Error(`no session cookie in ${setCookie}`);
  return match[1];
}

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`console sign-in on ${dialect}`, () => {
    let keygate: InitialisedKeygate;
    let server: KeygateServer;
    let admin: string;
    const call = (token: string, method: string, path: string, body?: unknown) =>
      api(server.url, token, method, path, body);

    const newUser = async (name: string, role = "viewer") => {
      const user = await call(admin, "POST", "/organizations/acme/users", {
        data: { type: "users", attributes: { name } },
      });
      expect(user.status).toBe(201);
      const root = (await call(admin, "GET", "/organizations/acme")).body.data.relationships["root-space"]
        .data.id;
      const binding = await call(admin, "POST", "/organizations/acme/role-bindings", {
        data: {
          type: "role-bindings",
          relationships: {
            role: { data: { id: role, type: "roles" } },
            subject: { data: { id: user.body.data.id, type: "users" } },
            space: { data: { id: root, type: "spaces" } },
          },
        },
      });
      expect(binding.status).toBe(201);
      return user.body.data.id as string;
    };

    const invite = async (userId: string, token = admin, attributes: Record<string, unknown> = {}) =>
      call(token, "POST", "/organizations/acme/invitations", {
        data: {
          type: "invitations",
          attributes,
          relationships: { user: { data: { type: "users", id: userId } } },
        },
      });

    beforeAll(async () => {
      keygate = await startInitialisedKeygate(dialect);
      [server] = keygate.servers as [KeygateServer];
      admin = keygate.admin;
    }, 60_000);

    afterAll(async () => {
      await keygate?.stop();
    });

    it("invites a user, previews and accepts the link once, and the token minted is the user's", async () => {
      const userId = await newUser("vera");
      const created = await invite(userId, admin, { "expires-in-hours": 2 });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const attributes = created.body.data.attributes;
      expect(attributes.status).toBe("pending");
      expect(attributes.secret).toMatch(/^kgi_[0-9A-Za-z]{43}$/);
      expect(attributes.url).toBe(`${server.url}/invite#${attributes.secret}`);
      const lifetime = Date.parse(attributes["expires-at"]) - Date.parse(attributes["created-at"]);
      expect(lifetime).toBe(2 * 3600 * 1000);
      const secret: string = attributes.secret;
      const id: string = created.body.data.id;

      // Never shown again: not on the item, not in the list.
      const shown = await call(admin, "GET", `/invitations/${id}`);
      expect(shown.status).toBe(200);
      expect(JSON.stringify(shown.body)).not.toContain(secret.slice(4));
      const listed = await call(admin, "GET", "/organizations/acme/invitations?filter[status]=pending");
      expect(listed.body.data.map((i: { id: string }) => i.id)).toContain(id);
      expect(JSON.stringify(listed.body)).not.toContain(secret.slice(4));
      expect(listed.body.meta.pagination["total-count"]).toBeGreaterThanOrEqual(1);

      const seen = await preview(server.url, secret);
      expect(seen.status).toBe(200);
      expect(seen.body.data).toMatchObject({
        type: "invitation-previews",
        attributes: { "user-name": "vera", organization: "acme", "expires-at": attributes["expires-at"] },
      });

      const accepted = await accept(server.url, secret);
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
      const token: string = accepted.body.data.attributes.secret;
      expect(token).toMatch(/^kgu_/);
      expect(accepted.body.data.attributes.token).toBe(token);
      expect(accepted.body.data.attributes.description).toBe("laptop");
      const me = await call(token, "GET", "/account/details");
      expect(me.status).toBe(200);
      expect(me.body.data.id).toBe(userId);

      // Single use; the invitation now says accepted and names the token.
      expect((await accept(server.url, secret)).status).toBe(404);
      expect((await preview(server.url, secret)).status).toBe(404);
      const after = await call(admin, "GET", `/invitations/${id}`);
      expect(after.body.data.attributes.status).toBe("accepted");
      expect(after.body.data.relationships.token.data.id).toBe(accepted.body.data.id);
      // Accepted invitations cannot be revoked (revoke the token instead).
      expect((await call(admin, "POST", `/invitations/${id}/actions/revoke`)).status).toBe(409);

      const audit = await call(admin, "GET", `/organizations/acme/audit-events?filter[resource-id]=${id}`);
      const actions = audit.body.data.map((e: { attributes: { action: string } }) => e.attributes.action);
      expect(actions).toEqual(expect.arrayContaining(["invitation.created", "invitation.accepted"]));
    });

    it("revokes invitations: by the action, and by inviting the same user again", async () => {
      const userId = await newUser("rex");
      const first = await invite(userId);
      const second = await invite(userId);
      expect(second.status).toBe(201);
      // One pending invitation per user: the first was revoked by the second.
      const firstNow = await call(admin, "GET", `/invitations/${first.body.data.id}`);
      expect(firstNow.body.data.attributes.status).toBe("revoked");
      expect((await preview(server.url, first.body.data.attributes.secret)).status).toBe(404);
      expect((await accept(server.url, first.body.data.attributes.secret)).status).toBe(404);

      const revoked = await call(admin, "POST", `/invitations/${second.body.data.id}/actions/revoke`);
      expect(revoked.status).toBe(200);
      expect(revoked.body.data.attributes.status).toBe("revoked");
      expect((await accept(server.url, second.body.data.attributes.secret)).status).toBe(404);
      const audit = await call(
        admin,
        "GET",
        `/organizations/acme/audit-events?filter[action]=invitation.revoked&filter[resource-id]=${second.body.data.id}`,
      );
      expect(audit.body.data).toHaveLength(1);
    });

    it("refuses bad invitation input with pointers, and an inviter who may do less than the invitee", async () => {
      const userId = await newUser("ivy");
      const tooLong = await invite(userId, admin, { "expires-in-hours": 721 });
      expect(tooLong.status).toBe(422);
      expect(tooLong.body.errors[0].source.pointer).toBe("/data/attributes/expires-in-hours");
      const unknown = await invite("usr-doesnotexist00000");
      expect(unknown.status).toBe(422);
      expect(unknown.body.errors[0].source.pointer).toBe("/data/relationships/user/data/id");
      const garbage = await preview(server.url, "kgi_nope");
      expect(garbage.status).toBe(404);
      expect(garbage.body.errors[0].source.pointer).toBe("/data/attributes/secret");

      // A user manager (users.write) who is not an admin cannot invite an admin: the invitation's
      // holder would get the admin's powers.
      const managerRole = await call(admin, "POST", "/organizations/acme/roles", {
        data: {
          type: "roles",
          attributes: { name: "user-manager", permissions: ["users.read", "users.write"] },
        },
      });
      expect(managerRole.status).toBe(201);
      const managerId = await newUser("mona", "user-manager");
      const managerInvite = await invite(managerId);
      const managerToken: string = (await accept(server.url, managerInvite.body.data.attributes.secret)).body
        .data.attributes.secret;
      const adminUser = (await call(admin, "GET", "/account/details")).body.data.id;
      const refused = await invite(adminUser, managerToken);
      expect(refused.status).toBe(403);
      expect(refused.body.errors[0].detail).toMatch(/may do more than you/);
      // ... but can invite a plain viewer? No: a viewer reads everything, which the manager cannot.
      const viewerInvite = await invite(userId, managerToken);
      expect(viewerInvite.status).toBe(403);
      // A user with no bindings at all can be invited by the manager.
      const blank = await call(admin, "POST", "/organizations/acme/users", {
        data: { type: "users", attributes: { name: "bea" } },
      });
      expect((await invite(blank.body.data.id, managerToken)).status).toBe(201);
    });

    it("judges the token an acceptance mints by the token save policies; a refusal leaves the invitation open", async () => {
      const userId = await newUser("gil");
      const created = await invite(userId);
      const secret: string = created.body.data.attributes.secret;
      const policy = await call(admin, "POST", "/organizations/acme/policies", {
        data: {
          type: "policies",
          attributes: { name: "no-personal", kind: "opa", "enforcement-level": "mandatory" },
        },
      });
      expect(policy.status, JSON.stringify(policy.body)).toBe(200);
      const upload = await fetch(`${server.url}/api/v2/policies/${policy.body.data.id}/upload`, {
        method: "PUT",
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/octet-stream" },
        body: 'package nopersonal\nimport rego.v1\ndeny contains "personal tokens are issued by IT" if input.token.name == "personal token"\n',
      });
      expect(upload.status, await upload.text()).toBe(200);
      const set = await call(admin, "POST", "/organizations/acme/policy-sets", {
        data: {
          type: "policy-sets",
          attributes: { name: "tokens", global: true, "entity-types": ["token"], events: ["onSave"] },
          relationships: { policies: { data: [{ id: policy.body.data.id, type: "policies" }] } },
        },
      });
      expect(set.status, JSON.stringify(set.body)).toBe(201);
      const refused = await accept(server.url, secret);
      expect(refused.status, JSON.stringify(refused.body)).toBe(422);
      expect(refused.body.errors[0].detail).toBe("personal tokens are issued by IT");
      // Nothing was written: the invitation is still open, and the user has no key.
      expect((await preview(server.url, secret)).status).toBe(200);
      expect(
        (await call(admin, "GET", `/invitations/${created.body.data.id}`)).body.data.attributes.status,
      ).toBe("pending");
      const keys = await call(admin, "GET", `/organizations/acme/api-keys?filter[principal]=${userId}`);
      expect(keys.body.data).toEqual([]);
      // The refused attempt is audited (denied, with the policy evaluation), on the invitation.
      const denied = await call(
        admin,
        "GET",
        `/organizations/acme/audit-events?filter[outcome]=denied&filter[resource-id]=${created.body.data.id}`,
      );
      expect(denied.body.data.map((e: { attributes: { action: string } }) => e.attributes.action)).toEqual([
        "invitation.accepted",
      ]);
      expect((await call(admin, "DELETE", `/policy-sets/${set.body.data.id}`)).status).toBe(204);
      const accepted = await accept(server.url, secret);
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    });

    it("signs in with a personal token: cookie, CSRF on writes, sign-out ends the session", async () => {
      const userId = await newUser("sam", "admin");
      const token: string = (await accept(server.url, (await invite(userId)).body.data.attributes.secret))
        .body.data.attributes.secret;
      const signed = await signIn(server.url, token);
      expect(signed.status, JSON.stringify(signed.body)).toBe(201);
      const setCookie = signed.headers.get("set-cookie") ?? "";
      expect(setCookie).toMatch(
        /^keygate_session=[0-9A-Za-z]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict$/,
      );
      expect(setCookie).not.toContain("Secure"); // plain HTTP here
      const cookie = cookieOf(setCookie);
      const session = signed.body.data;
      expect(session.type).toBe("sessions");
      expect(session.relationships.user.data).toEqual({ type: "users", id: userId });
      expect(session.relationships.organization.data).toEqual({ type: "organizations", id: "acme" });
      expect(JSON.stringify(signed.body)).not.toContain(cookie.slice("keygate_session=".length));
      const csrf: string = session.attributes["csrf-token"];

      const current = await withCookie(server.url, cookie, "GET", "/sessions/current");
      expect(current.status).toBe(200);
      expect(current.body.data.id).toBe(session.id);
      expect(current.body.data.attributes["csrf-token"]).toBe(csrf);
      expect((await withCookie(server.url, cookie, "GET", "/account/details")).body.data.id).toBe(userId);

      // Writes by cookie need the CSRF header; bearer writes never do.
      const body = { data: { type: "users", attributes: { name: "from-console" } } };
      const noCsrf = await withCookie(server.url, cookie, "POST", "/organizations/acme/users", { body });
      expect(noCsrf.status).toBe(403);
      expect(noCsrf.body.errors[0].code).toBe("csrf_token_invalid");
      const wrong = await withCookie(server.url, cookie, "POST", "/organizations/acme/users", {
        body,
        csrf: `${csrf.slice(0, -1)}x`,
      });
      expect(wrong.body.errors[0].code).toBe("csrf_token_invalid");
      const made = await withCookie(server.url, cookie, "POST", "/organizations/acme/users", { body, csrf });
      expect(made.status).toBe(201);
      expect(
        (
          await call(admin, "POST", "/organizations/acme/users", {
            data: { type: "users", attributes: { name: "b2" } },
          })
        ).status,
      ).toBe(201);
      // A bearer token wins over a cookie: no CSRF asked.
      const both = await fetch(`${server.url}/api/v2/organizations/acme/users`, {
        method: "POST",
        headers: { authorization: `Bearer ${admin}`, cookie, "content-type": JSON_API },
        body: JSON.stringify({ data: { type: "users", attributes: { name: "b3" } } }),
      });
      expect(both.status).toBe(201);

      // Sign-out needs the CSRF header too; then the cookie is cleared and dead.
      expect((await withCookie(server.url, cookie, "DELETE", "/sessions/current")).status).toBe(403);
      const out = await withCookie(server.url, cookie, "DELETE", "/sessions/current", { csrf });
      expect(out.status).toBe(204);
      expect(out.headers.get("set-cookie")).toMatch(/^keygate_session=; Max-Age=0;/);
      expect((await withCookie(server.url, cookie, "GET", "/sessions/current")).status).toBe(401);
      expect((await withCookie(server.url, cookie, "GET", "/account/details")).status).toBe(401);
      // The token itself still works.
      expect((await call(token, "GET", "/account/details")).status).toBe(200);

      const audit = await call(
        admin,
        "GET",
        `/organizations/acme/audit-events?filter[resource-id]=${session.id}`,
      );
      const actions = audit.body.data
        .map((e: { attributes: { action: string } }) => e.attributes.action)
        .sort();
      expect(actions).toEqual(["session.created", "session.ended"]);
    });

    it("ends sessions with their token or user, and refuses service-account, delegate and bad tokens", async () => {
      const userId = await newUser("tom");
      const token: string = (await accept(server.url, (await invite(userId)).body.data.attributes.secret))
        .body.data.attributes.secret;
      const tokenId = (await call(token, "GET", "/account/details")) && (await signIn(server.url, token));
      const cookie = cookieOf(tokenId.headers.get("set-cookie"));
      expect((await withCookie(server.url, cookie, "GET", "/sessions/current")).status).toBe(200);
      // Revoking the token ends the session.
      const listed = await call(admin, "GET", `/organizations/acme/tokens?filter[principal]=${userId}`);
      const boundToken = listed.body.data[0].id;
      expect((await call(admin, "POST", `/tokens/${boundToken}/actions/revoke`)).status).toBe(200);
      expect((await withCookie(server.url, cookie, "GET", "/sessions/current")).status).toBe(401);

      // Disabling the user ends the session.
      const second = await invite(userId);
      const token2: string = (await accept(server.url, second.body.data.attributes.secret)).body.data
        .attributes.secret;
      const cookie2 = cookieOf((await signIn(server.url, token2)).headers.get("set-cookie"));
      expect((await withCookie(server.url, cookie2, "GET", "/account/details")).status).toBe(200);
      expect(
        (
          await call(admin, "PATCH", `/users/${userId}`, {
            data: { type: "users", attributes: { disabled: true } },
          })
        ).status,
      ).toBe(200);
      expect((await withCookie(server.url, cookie2, "GET", "/account/details")).status).toBe(401);
      expect((await signIn(server.url, token2)).status).toBe(401);

      // Sessions are for people.
      const sa = await call(admin, "POST", "/organizations/acme/service-accounts", {
        data: { type: "service-accounts", attributes: { name: "robot" } },
      });
      const key = await call(admin, "POST", `/service-accounts/${sa.body.data.id}/api-keys`, {
        data: { type: "api-keys", attributes: { name: "k" } },
      });
      const saToken = await call(admin, "POST", `/api-keys/${key.body.data.id}/tokens`, {
        data: { type: "tokens", attributes: { name: "t" } },
      });
      expect((await signIn(server.url, saToken.body.data.attributes.token)).status).toBe(403);
      const delegate = await call(admin, "GET", "/organizations/acme/delegate-tokens");
      expect(delegate.status).toBe(200);
      expect((await signIn(server.url, `kgd_${"a".repeat(12)}_${"b".repeat(49)}`)).status).toBe(403);
      const bad = await signIn(server.url, "kgu_not-a-token");
      expect(bad.status).toBe(401);
      expect(
        (await withCookie(server.url, `keygate_session=${"z".repeat(43)}`, "GET", "/sessions/current"))
          .status,
      ).toBe(401);
      // Bearer requests have no session document.
      expect((await call(admin, "GET", "/sessions/current")).status).toBe(401);
    });
  });
}

describe("console sessions across two instances on PostgreSQL", () => {
  let keygate: InitialisedKeygate;
  let a: KeygateServer;
  let b: KeygateServer;
  let admin: string;

  beforeAll(async () => {
    keygate = await startInitialisedKeygate("postgres", { instances: 2 });
    [a, b] = keygate.servers as [KeygateServer, KeygateServer];
    admin = keygate.admin;
  }, 60_000);

  afterAll(async () => {
    await keygate?.stop();
  });

  it("a session made on one instance works on the other, and signing out or revoking its token ends it on both", async () => {
    const user = await api(a.url, admin, "POST", "/organizations/acme/users", {
      data: { type: "users", attributes: { name: "nina" } },
    });
    const invitation = await api(a.url, admin, "POST", "/organizations/acme/invitations", {
      data: {
        type: "invitations",
        relationships: { user: { data: { type: "users", id: user.body.data.id } } },
      },
    });
    // Accepted on the other instance.
    const token: string = (await accept(b.url, invitation.body.data.attributes.secret)).body.data.attributes
      .secret;

    const first = await signIn(a.url, token);
    const cookie = cookieOf(first.headers.get("set-cookie"));
    const csrf: string = first.body.data.attributes["csrf-token"];
    expect((await withCookie(b.url, cookie, "GET", "/sessions/current")).status).toBe(200);
    expect((await withCookie(b.url, cookie, "DELETE", "/sessions/current", { csrf })).status).toBe(204);
    // Ended on B: at once on A too (sessions are read from the database, never cached).
    expect((await withCookie(a.url, cookie, "GET", "/account/details")).status).toBe(401);

    const second = await signIn(b.url, token);
    const cookie2 = cookieOf(second.headers.get("set-cookie"));
    expect((await withCookie(a.url, cookie2, "GET", "/account/details")).status).toBe(200);
    const tokens = await api(
      a.url,
      admin,
      "GET",
      `/organizations/acme/tokens?filter[principal]=${user.body.data.id}`,
    );
    expect((await api(b.url, admin, "POST", `/tokens/${tokens.body.data[0].id}/actions/revoke`)).status).toBe(
      200,
    );
    // The revocation is announced to every instance before B answers; A's cache drops the token.
    expect((await withCookie(a.url, cookie2, "GET", "/account/details")).status).toBe(401);
    await waitFor("both instances to refuse the session", async () => {
      const [ra, rb] = await Promise.all([
        withCookie(a.url, cookie2, "GET", "/sessions/current"),
        withCookie(b.url, cookie2, "GET", "/sessions/current"),
      ]);
      return ra.status === 401 && rb.status === 401 ? true : undefined;
    });
  });
});
