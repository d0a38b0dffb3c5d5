// End-to-end: a real `keygate serve` behind a trusted proxy (`--trust-proxy`) sees each
// client's own address: the failed-authentication limit counts per client, refuses only failures
// (a valid token from a limited address is served), and audit events record the client's address.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";

describe("behind a trusted proxy", () => {
  let location: StoreLocation;
  let server: KeygateServer;
  let admin: string;

  beforeAll(async () => {
    location = await freshStore("sqlite");
    const init = await runKeygate(["init", "--org", "acme", "--json", ...location.args], location.env);
    expect(init.code, init.stderr).toBe(0);
    admin = JSON.parse(init.stdout).adminToken;
    // The flag (KEYGATE_TRUST_PROXY is its environment form).
    server = await startKeygate([...location.args, "--trust-proxy", "127.0.0.1"], {
      ...location.env,
      KEYGATE_AUTH_FAILURE_LIMIT: "3",
    });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await location?.dispose();
  });

  const details = (token: string, client: string) =>
    fetch(`${server.url}/api/v2/account/details`, {
      headers: { authorization: `Bearer ${token}`, "x-forwarded-for": client },
    });

  it("limits failed attempts per client, and serves valid tokens from a limited client", async () => {
    const noisy: number[] = [];
    for (let i = 0; i < 5; i++) noisy.push((await details("kgs_nope", "198.51.100.1")).status);
    expect(noisy).toEqual([401, 401, 401, 429, 429]);
    // A neighbour behind the same address, with a valid token, is served.
    expect((await details(admin, "198.51.100.1")).status).toBe(200);
    // Another client behind the same proxy has its own count.
    expect((await details("kgs_nope", "198.51.100.2")).status).toBe(401);
  });

  it("records the client's address in audit events", async () => {
    const created = await fetch(`${server.url}/api/v2/organizations/acme/spaces`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${admin}`,
        "content-type": "application/vnd.api+json",
        "x-forwarded-for": "203.0.113.7",
      },
      body: JSON.stringify({ data: { type: "spaces", attributes: { name: "behind-proxy" } } }),
    });
    expect(created.status).toBe(201);
    const events = await fetch(
      `${server.url}/api/v2/organizations/acme/audit-events?filter[action]=space.create`,
      {
        headers: { authorization: `Bearer ${admin}` },
      },
    );
    const body = await events.json();
    expect(body.data[0]?.attributes["actor-ip"]).toBe("203.0.113.7");
  });
});

describe("a hop count as the trusted proxy", () => {
  it("is refused at startup, naming the setting and what to give instead (exit 2)", async () => {
    const location = await freshStore("sqlite");
    try {
      // It would believe whatever connects: a client reaching Keygate directly picks its own address.
      const run = await runKeygate(["serve", ...location.args, "--port", "0"], {
        ...location.env,
        KEYGATE_TRUST_PROXY: "1",
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /KEYGATE_TRUST_PROXY: a hop count \(1\) is not accepted.*addresses or CIDR ranges/,
      );
    } finally {
      await location.dispose();
    }
  }, 30_000);
});
