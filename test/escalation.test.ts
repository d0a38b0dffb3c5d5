// End-to-end: no principal can grant itself more than it holds (issue 11, part 3), through a real
// `keygate serve` process on SQLite and PostgreSQL: a principal holding only spaces.read and
// role-bindings.read/write in space A cannot bind admin to itself in A, nor admin-in-A to a
// service account of the sibling space; a token manager cannot issue credentials for a more
// privileged service account nor revoke the admin's token. Each refusal is a 403 JSON:API error
// naming the permissions lacked, and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, api } from "./support/api-session.js";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";

const rel = (type: string, id: string) => ({ data: { type, id } });

/** The detail of a 403 JSON:API error (failing the test when the response is anything else). */
function forbiddenDetail(response: ApiResponse): string {
  expect(response.status, JSON.stringify(response.body)).toBe(403);
  expect(response.body.errors).toHaveLength(1);
  expect(response.body.errors[0].status).toBe("403");
  return String(response.body.errors[0].detail);
}

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`escalation through keygate serve on ${dialect}`, () => {
    let location: StoreLocation;
    let server: KeygateServer;
    let admin: string;
    let adminTokenId: string;
    const ids: Record<string, string> = {};
    const tokens: Record<string, string> = {};

    const as = (token: string, method: string, path: string, body?: unknown) =>
      api(server.url, token, method, path, body);

    beforeAll(async () => {
      location = await freshStore(dialect);
      const init = await runKeygate(["init", "--org", "acme", "--json", ...location.args], location.env);
      expect(init.code, init.stderr).toBe(0);
      admin = JSON.parse(init.stdout).adminToken;
      server = await startKeygate(location.args, location.env);
      const call = (method: string, path: string, body?: unknown) => as(admin, method, path, body);
      const created = async (what: string, response: Promise<ApiResponse>) => {
        const r = await response;
        expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(201);
        return r.body.data;
      };
      ids.a = (
        await created(
          "space a",
          call("POST", "/organizations/acme/spaces", { data: { type: "spaces", attributes: { name: "a" } } }),
        )
      ).id;
      ids.b = (
        await created(
          "space b",
          call("POST", "/organizations/acme/spaces", { data: { type: "spaces", attributes: { name: "b" } } }),
        )
      ).id;
      ids.binder = (
        await created(
          "role binder",
          call("POST", "/organizations/acme/roles", {
            data: {
              type: "roles",
              attributes: {
                name: "binder",
                permissions: ["spaces.read", "role-bindings.read", "role-bindings.write"],
              },
            },
          }),
        )
      ).id;
      /** A service account in `space`, bound `role` in `bindIn`, with a key and a token. */
      const serviceAccount = async (name: string, space: string, role?: string, bindIn = space) => {
        const sa = await created(
          name,
          call("POST", "/organizations/acme/service-accounts", {
            data: {
              type: "service-accounts",
              attributes: { name },
              relationships: { space: rel("spaces", space) },
            },
          }),
        );
        if (role !== undefined) {
          await created(
            `${name} binding`,
            call("POST", "/organizations/acme/role-bindings", {
              data: {
                type: "role-bindings",
                relationships: {
                  role: rel("roles", role),
                  subject: rel("service-accounts", sa.id),
                  space: rel("spaces", bindIn),
                },
              },
            }),
          );
        }
        const key = await created(
          `${name} key`,
          call("POST", `/service-accounts/${sa.id}/api-keys`, {
            data: { type: "api-keys", attributes: { name: "key" } },
          }),
        );
        const token = await created(
          `${name} token`,
          call("POST", `/api-keys/${key.id}/tokens`, {
            data: { type: "tokens", attributes: { name: "token" } },
          }),
        );
        ids[name] = sa.id;
        ids[`${name}-key`] = key.id;
        tokens[name] = token.attributes.token;
        expect(tokens[name], `${name} token text`).toMatch(/^kg/);
      };
      await serviceAccount("mallory", ids.a, ids.binder);
      await serviceAccount("sibling", ids.b);
      await serviceAccount(
        "manager",
        ids.a,
        "token-manager",
        (await call("GET", "/organizations/acme/spaces")).body.data.find(
          (s: { relationships: { parent: { data: unknown } } }) => s.relationships.parent.data === null,
        ).id,
      );
      await serviceAccount("deployer", ids.a, "admin");
      const mine = await call("GET", "/organizations/acme/tokens");
      adminTokenId = mine.body.data.find(
        (t: { attributes: { name: string } }) => t.attributes.name !== "token",
      ).id;
    }, 120_000);

    afterAll(async () => {
      await server?.stop();
      await location?.dispose();
    });

    it("refuses binding admin to oneself in A, and admin-in-A to the sibling space's service account", async () => {
      const bind = (subject: string) =>
        as(tokens.mallory ?? "", "POST", "/organizations/acme/role-bindings", {
          data: {
            type: "role-bindings",
            relationships: {
              role: rel("roles", "admin"),
              subject: rel("service-accounts", subject),
              space: rel("spaces", ids.a ?? ""),
            },
          },
        });
      for (const subject of [ids.mallory, ids.sibling]) {
        const detail = forbiddenDetail(await bind(subject ?? ""));
        expect(detail).toMatch(/binding role admin would grant permissions you do not hold: you lack /);
        for (const lacked of ["tokens.create", "api-keys.write", "role-bindings.escalate"])
          expect(detail).toContain(lacked);
      }
      const admins = await as(admin, "GET", `/organizations/acme/role-bindings?filter[space]=${ids.a}`);
      expect(
        admins.body.data.filter(
          (b: { relationships: { role: { data: { id: string } } } }) =>
            b.relationships.role.data.id === "role-admin",
        ),
      ).toHaveLength(1);
    });

    it("refuses a token manager credentials of a more privileged service account, and revoking the admin's token", async () => {
      const manager = tokens.manager ?? "";
      const issue = forbiddenDetail(
        await as(manager, "POST", `/api-keys/${ids["deployer-key"]}/tokens`, {
          data: { type: "tokens", attributes: { name: "stolen" } },
        }),
      );
      expect(issue).toMatch(
        new RegExp(
          `issuing a token for principal ${ids.deployer} is refused: that principal may do more than you`,
        ),
      );
      expect(issue).toContain("role-bindings.write");
      forbiddenDetail(
        await as(manager, "POST", `/service-accounts/${ids.deployer}/api-keys`, {
          data: { type: "api-keys", attributes: { name: "k2" } },
        }),
      );
      const revoke = forbiddenDetail(await as(manager, "POST", `/tokens/${adminTokenId}/actions/revoke`));
      expect(revoke).toMatch(/revoking a token of principal .* is refused/);
      // The admin's token still works; the manager may still manage credentials no more powerful than its own.
      expect((await as(admin, "GET", `/tokens/${adminTokenId}`)).body.data.attributes.status).toBe("active");
      const ok = await as(manager, "POST", `/api-keys/${ids["sibling-key"]}/tokens`, {
        data: { type: "tokens", attributes: { name: "fine" } },
      });
      expect(ok.status, JSON.stringify(ok.body)).toBe(201);
      // Every refusal is in the audit log.
      const audit = await as(admin, "GET", "/organizations/acme/audit-events?filter[outcome]=denied");
      expect(audit.status).toBe(200);
      expect(audit.body.data.length).toBeGreaterThanOrEqual(5);
    });
  });
}
