// End-to-end: token secrets are never at rest. Creates, uses and rotates tokens through a real
// server, then searches the database (SQLite: the file, its WAL and shared memory; PostgreSQL:
// every row of every table) and everything the server logged (at debug level) for the token texts
// and their secret parts: none may appear. Nor may the console's secrets: invitation secrets, the
// token an acceptance mints, session cookies and their CSRF tokens.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./support/api-session.js";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";

/** The secret part of a token text `kg<k>_<public id>_<secret><checksum>`. */
function secretPart(token: string): string {
  return token.slice(4 + 12 + 1, 4 + 12 + 1 + 43);
}

/** Every row of every table of a PostgreSQL database, as text. */
async function postgresDump(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      "SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    const parts: string[] = [];
    for (const { name } of tables.rows) {
      const rows = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`);
      for (const { row } of rows.rows) parts.push(row);
    }
    expect(parts.length).toBeGreaterThan(20);
    return parts.join("\n");
  } finally {
    await client.end();
  }
}

for (const dialect of ["sqlite", "postgres"] as const)
  describe(`token secrets at rest on ${dialect}`, () => {
    let location: StoreLocation;
    let server: KeygateServer;
    let admin: string;
    const secrets: string[] = [];

    beforeAll(async () => {
      location = await freshStore(dialect);
      const init = await runKeygate(["init", "--org", "acme", "--json", ...location.args], location.env);
      expect(init.code, init.stderr).toBe(0);
      admin = JSON.parse(init.stdout).adminToken;
      secrets.push(admin);
      // With the access log on: the lines logged for every request must hold no secret either.
      server = await startKeygate([...location.args, "--log-level", "debug"], {
        ...location.env,
        KEYGATE_ACCESS_LOG: "1",
      });
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      await location?.dispose();
    });

    it("keeps no token text or secret in the database files or the logs", async () => {
      const call = (token: string, method: string, path: string, body?: unknown) =>
        api(server.url, token, method, path, body);
      const sa = await call(admin, "POST", "/organizations/acme/service-accounts", {
        data: { type: "service-accounts", attributes: { name: "bot" } },
      });
      const key = await call(admin, "POST", `/service-accounts/${sa.body.data.id}/api-keys`, {
        data: { type: "api-keys", attributes: { name: "k" } },
      });
      for (let i = 0; i < 5; i++) {
        const created = await call(admin, "POST", `/api-keys/${key.body.data.id}/tokens`, {
          data: { type: "tokens", attributes: { name: `t${i}` } },
        });
        expect(created.status).toBe(201);
        const token: string = created.body.data.attributes.token;
        secrets.push(token);
        expect((await call(token, "GET", "/account/details")).status).toBe(200);
        const rotated = await call(admin, "POST", `/tokens/${created.body.data.id}/actions/rotate`, {
          data: { attributes: { "grace-period-seconds": 60 } },
        });
        secrets.push(rotated.body.data.attributes.token);
        expect((await call(rotated.body.data.attributes.token, "GET", "/account/details")).status).toBe(200);
      }
      const pat = await call(admin, "POST", "/account/api-keys", {
        data: { type: "api-keys", attributes: { name: "mine" } },
      });
      const personal = await call(admin, "POST", `/api-keys/${pat.body.data.id}/tokens`, {
        data: { type: "tokens", attributes: { name: "p" } },
      });
      secrets.push(personal.body.data.attributes.token);
      // A failed authentication with a real-looking token must not be logged either.
      const wrong = `${secrets[1]?.slice(0, 20)}${secrets[1]?.[20] === "A" ? "B" : "A"}${secrets[1]?.slice(21)}`;
      expect((await call(wrong, "GET", "/account/details")).status).toBe(401);
      secrets.push(wrong);
      // The console: an invitation (its secret), accepted (the token it mints), a session (its
      // cookie and CSRF token) used for a write and ended.
      const consoleSecrets: string[] = [];
      const anonymous = async (path: string, body: unknown) =>
        fetch(`${server.url}/api/v2${path}`, {
          method: "POST",
          headers: { "content-type": "application/vnd.api+json" },
          body: JSON.stringify(body),
        });
      const user = await call(admin, "POST", "/organizations/acme/users", {
        data: { type: "users", attributes: { name: "invitee" } },
      });
      const invitation = await call(admin, "POST", "/organizations/acme/invitations", {
        data: {
          type: "invitations",
          relationships: { user: { data: { type: "users", id: user.body.data.id } } },
        },
      });
      const invitationSecret: string = invitation.body.data.attributes.secret;
      consoleSecrets.push(invitationSecret);
      const accepted = await anonymous("/invitation-acceptances", {
        data: { type: "invitation-acceptances", attributes: { secret: invitationSecret } },
      });
      expect(accepted.status).toBe(201);
      const minted: string = (await accepted.json()).data.attributes.secret;
      secrets.push(minted);
      const signedIn = await anonymous("/sessions", {
        data: { type: "sessions", attributes: { token: minted } },
      });
      expect(signedIn.status).toBe(201);
      const cookie = /^keygate_session=([^;]*)/.exec(signedIn.headers.get("set-cookie") ?? "")?.[1] ?? "";
      const csrf: string = (await signedIn.json()).data.attributes["csrf-token"];
      consoleSecrets.push(cookie, csrf);
      const signOut = await fetch(`${server.url}/api/v2/sessions/current`, {
        method: "DELETE",
        headers: { cookie: `keygate_session=${cookie}`, "x-csrf-token": csrf },
      });
      expect(signOut.status).toBe(204);
      // Let the batched last-used-at writes happen, so the WAL holds recent pages too.
      await new Promise((r) => setTimeout(r, 1500));

      const haystacks = [{ name: "server log", text: server.output() }];
      if (location.dataDir !== undefined) {
        const dir = location.dataDir;
        const files = readdirSync(dir).filter((f) => f.startsWith("keygate.sqlite"));
        expect(files).toContain("keygate.sqlite");
        expect(files).toContain("keygate.sqlite-wal");
        for (const f of files)
          haystacks.push({ name: f, text: readFileSync(join(dir, f)).toString("latin1") });
      } else {
        const url = location.env.KEYGATE_DATABASE_URL ?? "";
        haystacks.push({ name: "PostgreSQL tables", text: await postgresDump(url) });
      }
      expect(server.output()).toMatch(/incoming request/);
      expect(secrets.length).toBe(14);
      expect(consoleSecrets.map((x) => x.length)).toEqual([47, 43, 43]);
      // The search does see the tokens: their public ids (not secret) are there.
      const stored = haystacks
        .slice(1)
        .map((h) => h.text)
        .join("\n");
      expect(stored).toContain(secrets[1]?.slice(4, 16));
      // ... and the sessions and invitations tables: the hashes stored there.
      for (const secret of [invitationSecret, cookie]) {
        expect(stored).toContain(createHash("sha256").update(secret).digest("hex"));
      }
      for (const { name, text } of haystacks) {
        for (const token of secrets) {
          expect(text.includes(token), `${name} holds a token text`).toBe(false);
          expect(text.includes(secretPart(token)), `${name} holds a token secret`).toBe(false);
        }
        for (const secret of consoleSecrets) {
          expect(text.includes(secret), `${name} holds an invitation, session or CSRF secret`).toBe(false);
        }
      }
    });
  });
