// End-to-end: two Keygate instances on one PostgreSQL database. A token revoked through one is
// refused by the other on its very next request, although the other had it cached; binding
// changes made through one take effect on the other's next request too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./support/api-session.js";
import { type InitialisedKeygate, startInitialisedKeygate } from "./support/initialised-keygate.js";
import type { KeygateServer } from "./support/keygate-process.js";

describe("two instances on one PostgreSQL database", () => {
  let keygate: InitialisedKeygate;
  let first: KeygateServer;
  let second: KeygateServer;
  let admin: string;

  beforeAll(async () => {
    keygate = await startInitialisedKeygate("postgres", { instances: 2 });
    [first, second] = keygate.servers as [KeygateServer, KeygateServer];
    admin = keygate.admin;
  }, 60_000);

  afterAll(async () => {
    await keygate?.stop();
  });

  it("refuses a token on one instance right after it was revoked through the other", async () => {
    const sa = await api(first.url, admin, "POST", "/organizations/acme/service-accounts", {
      data: { type: "service-accounts", attributes: { name: "bot" } },
    });
    const key = await api(first.url, admin, "POST", `/service-accounts/${sa.body.data.id}/api-keys`, {
      data: { type: "api-keys", attributes: { name: "k" } },
    });
    for (let round = 0; round < 5; round++) {
      const created = await api(first.url, admin, "POST", `/api-keys/${key.body.data.id}/tokens`, {
        data: { type: "tokens", attributes: { name: `t${round}` } },
      });
      const token: string = created.body.data.attributes.token;
      // Warm the second instance's cache with the token.
      for (let i = 0; i < 3; i++)
        expect((await api(second.url, token, "GET", "/account/details")).status).toBe(200);
      expect(
        (await api(first.url, admin, "POST", `/tokens/${created.body.data.id}/actions/revoke`)).status,
      ).toBe(200);
      const next = await api(second.url, token, "GET", "/account/details");
      expect(next.status, `round ${round}`).toBe(401);
      expect(next.body.errors[0].detail).toMatch(/revoked/);
    }
  });

  it("applies a role binding made through one instance on the other's next request", async () => {
    const sa = await api(first.url, admin, "POST", "/organizations/acme/service-accounts", {
      data: { type: "service-accounts", attributes: { name: "reader-bot" } },
    });
    const key = await api(first.url, admin, "POST", `/service-accounts/${sa.body.data.id}/api-keys`, {
      data: { type: "api-keys", attributes: { name: "k" } },
    });
    const created = await api(first.url, admin, "POST", `/api-keys/${key.body.data.id}/tokens`, {
      data: { type: "tokens", attributes: { name: "t" } },
    });
    const token: string = created.body.data.attributes.token;
    expect((await api(second.url, token, "GET", "/organizations/acme/spaces")).status).toBe(403);
    const binding = await api(first.url, admin, "POST", "/organizations/acme/role-bindings", {
      data: {
        type: "role-bindings",
        relationships: {
          role: { data: { id: "viewer" } },
          subject: { data: { id: sa.body.data.id, type: "service-accounts" } },
        },
      },
    });
    expect(binding.status).toBe(201);
    expect((await api(second.url, token, "GET", "/organizations/acme/spaces")).status).toBe(200);
    expect((await api(first.url, admin, "DELETE", `/role-bindings/${binding.body.data.id}`)).status).toBe(
      204,
    );
    expect((await api(second.url, token, "GET", "/organizations/acme/spaces")).status).toBe(403);
  });
});
