// End-to-end: governance across two Keygate instances on one PostgreSQL database. A policy set
// created through one instance is enforced by the other on its next save and its next request
// (compiled policy sets are rebuilt on the change notification, LISTEN/NOTIFY).
import type { AddressInfo } from "node:net";
import { bootstrapOrganization, buildApp, createTestDatabase, type TestDatabase } from "@keygate/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seed000Policies, seed000Source } from "../packages/server/src/domain/governance/seed-policies.js";
import { api } from "./support/api-session.js";

/** Polls `check` until it returns true (the notification crosses instances asynchronously). */
async function eventually(check: () => Promise<boolean>, attempts = 100): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

describe.skipIf(seed000Policies() === undefined)("governance on two instances (postgres)", () => {
  let db: TestDatabase;
  const apps: FastifyInstance[] = [];
  const urls: string[] = [];
  let token: string;
  let keyId: string;

  beforeAll(async () => {
    db = await createTestDatabase("postgres");
    token = (await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" })).tokenValue;
    for (const store of [db.store, await db.openAnother()]) {
      const app = await buildApp({ store, authFailureLimit: 1000, trustProxy: true });
      await app.listen({ port: 0, host: "127.0.0.1" });
      apps.push(app);
      urls.push(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
    }
    const sa = await api(urls[0]!, token, "POST", "/organizations/acme/service-accounts", {
      data: { type: "service-accounts", attributes: { name: "deployer" } },
    });
    const key = await api(urls[0]!, token, "POST", `/service-accounts/${sa.body.data.id}/api-keys`, {
      data: { type: "api-keys", attributes: { name: "ci" } },
    });
    keyId = key.body.data.id;
  }, 60_000);

  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.dispose();
  });

  async function governFrom(url: string, name: string, source: string, entityTypes: string[]): Promise<void> {
    const policy = await api(url, token, "POST", "/organizations/acme/policies", {
      data: { type: "policies", attributes: { name, kind: "opa", "enforcement-level": "mandatory" } },
    });
    const upload = await fetch(`${url}/api/v2/policies/${policy.body.data.id}/upload`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
      body: source,
    });
    expect(upload.status).toBe(200);
    const set = await api(url, token, "POST", "/organizations/acme/policy-sets", {
      data: {
        type: "policy-sets",
        attributes: { name: `set-${name}`, global: true, "entity-types": entityTypes },
        relationships: { policies: { data: [{ id: policy.body.data.id, type: "policies" }] } },
      },
    });
    expect(set.status).toBe(201);
  }

  it("a save policy set up on one instance refuses saves on the other", async () => {
    const create = () =>
      api(urls[1]!, token, "POST", `/api-keys/${keyId}/tokens`, {
        data: { type: "tokens", attributes: { name: "x", "valid-to": "2099-01-01T00:00:00Z" } },
      });
    // Instance B compiles (and caches) the organization's empty policy sets first.
    const before = await create();
    expect(before.status).toBe(201);
    await governFrom(urls[0]!, "valid-to-limit", seed000Source("valid-to-limit"), ["token"]);
    expect(await eventually(async () => (await create()).status === 422)).toBe(true);
  });

  it("a login policy set up on one instance judges requests on the other", async () => {
    const from = (ip: string) =>
      fetch(`${urls[1]}/api/v2/organizations/acme/policies`, {
        headers: { authorization: `Bearer ${token}`, "x-forwarded-for": ip },
      }).then((r) => r.status);
    expect(await from("203.0.113.9")).toBe(200);
    await governFrom(
      urls[0]!,
      "blocklist",
      'package blocklist\n\ndeny[msg] {\n  input.request.remote_ip == "203.0.113.9"\n  msg := "blocked"\n}\n',
      ["login"],
    );
    expect(await eventually(async () => (await from("203.0.113.9")) === 403)).toBe(true);
    expect(await from("203.0.113.10")).toBe(200);
  });
});
