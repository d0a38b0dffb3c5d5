// End-to-end: issue 11 part 2 through real `keygate serve` processes and the real CLI. A broken
// login policy cannot be put in effect over recent samples (422 naming the sample); one that breaks
// for a caller refuses that caller (fail closed, audited); owners keep the policy repair endpoints
// (audited break-glass) and nothing else; `allow` admits only whom it admits; `keygate admin
// recover` issues a new owner token on the host; `serve` binds its port before making the first
// organization, so a busy port creates nothing.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, api } from "./support/api-session.js";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";

/** Listens on a free port of 127.0.0.1 and returns the server holding it. */
function occupyPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") return reject(new Error("no port"));
      resolve({ server, port: address.port });
    });
  });
}

/** The admin token `serve` printed on first start. */
function bootstrapToken(output: string): string {
  const match = /admin token \(shown only this once\): (\S+)/.exec(output);
  if (!match?.[1]) throw new Error(`no admin token in:\n${output}`);
  return match[1];
}

/** Uploads a policy into a new login policy set (global); returns the responses and the set id. */
async function attachLoginPolicy(
  url: string,
  token: string,
  org: string,
  name: string,
  source: string,
): Promise<{ set: ApiResponse; policyId: string }> {
  const policy = await api(url, token, "POST", `/organizations/${org}/policies`, {
    data: { type: "policies", attributes: { name, kind: "opa", "enforcement-level": "mandatory" } },
  });
  expect(policy.status, JSON.stringify(policy.body)).toBe(200);
  const policyId: string = policy.body.data.id;
  const upload = await fetch(`${url}/api/v2/policies/${policyId}/upload`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    body: source,
  });
  expect(upload.status, await upload.text()).toBe(200);
  const set = await api(url, token, "POST", `/organizations/${org}/policy-sets`, {
    data: {
      type: "policy-sets",
      attributes: { name: `login-${name}`, global: true, "entity-types": ["login"] },
      relationships: { policies: { data: [{ id: policyId, type: "policies" }] } },
    },
  });
  return { set, policyId };
}

/** A service account with one API key named `login` and a token for it; returns the token. */
async function serviceToken(url: string, admin: string, org: string, login: string): Promise<string> {
  const sa = await api(url, admin, "POST", `/organizations/${org}/service-accounts`, {
    data: { type: "service-accounts", attributes: { name: `${login}-sa` } },
  });
  expect(sa.status, JSON.stringify(sa.body)).toBe(201);
  const key = await api(url, admin, "POST", `/service-accounts/${sa.body.data.id}/api-keys`, {
    data: { type: "api-keys", attributes: { name: login } },
  });
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  const token = await api(url, admin, "POST", `/api-keys/${key.body.data.id}/tokens`, {
    data: { type: "tokens", attributes: { name: `${login}-token` } },
  });
  expect(token.status, JSON.stringify(token.body)).toBe(201);
  return token.body.data.attributes.token as string;
}

async function auditActions(url: string, token: string, org: string, action: string): Promise<ApiResponse> {
  return api(url, token, "GET", `/organizations/${org}/audit-events?filter[action]=${action}`);
}

describe("a broken login policy does not lock the organization out (real keygate serve)", () => {
  let dataDir: string;
  let server: KeygateServer | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "keygate-lockout-"));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("binds the port before bootstrapping: a busy port creates nothing, the next start prints the token", async () => {
    const { server: holder, port } = await occupyPort();
    try {
      const refused = await runKeygate(
        ["serve", "--data-dir", dataDir, "--host", "127.0.0.1", "--port", String(port)],
        {
          KEYGATE_LOG_LEVEL: "warn",
        },
      );
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/is in use; no organization was created/);
      expect(refused.stderr).not.toMatch(/admin token/);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
    server = await startKeygate(["--data-dir", dataDir]);
    const admin = bootstrapToken(server.output());
    expect((await api(server.url, admin, "GET", "/account/details")).status).toBe(200);
  });

  it("refuses a login policy erroring on samples, fails closed for the caller it breaks, and keeps the owners' repair path", async () => {
    if (!server) throw new Error("the server of the first test is not running");
    const url = server.url;
    const admin = bootstrapToken(server.output());
    const ci = await serviceToken(url, admin, "default", "ci");
    // The admin's requests so far were kept as login samples (at most one per key per minute).
    await new Promise((resolve) => setTimeout(resolve, 200));

    // Part 2: a policy erroring for every caller is refused, naming the sample it errors on.
    const everyone = await attachLoginPolicy(
      url,
      admin,
      "default",
      "conflict",
      "package conflict\nx = 1 { true }\nx = 2 { true }\nallow { x }",
    );
    expect(everyone.set.status, JSON.stringify(everyone.set.body)).toBe(422);
    const detail: string = everyone.set.body.errors[0].detail;
    expect(detail).toMatch(/eval_conflict_error/);
    expect(detail).toMatch(/recent login sample smp-\S+ \(bootstrap from 127\.0\.0\.1\)/);

    // One erroring only for `ci` (no sample of it yet) goes in; ci is refused (fail closed, audited).
    const forCi = await attachLoginPolicy(
      url,
      admin,
      "default",
      "breaks-for-ci",
      'package breaks_for_ci\nx = 1 { true }\nx = 2 { input.session.login == "ci" }',
    );
    expect(forCi.set.status, JSON.stringify(forCi.set.body)).toBe(201);
    const refused = await api(url, ci, "GET", "/account/details");
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].detail).toMatch(/could not be evaluated/);
    expect((await api(url, admin, "GET", "/account/details")).status).toBe(200);
    const denied = await auditActions(url, admin, "default", "login.denied");
    expect(denied.body.data.length).toBeGreaterThan(0);
    expect(JSON.stringify(denied.body.data[0].attributes)).toMatch(/eval_conflict_error/);
    expect((await api(url, admin, "DELETE", `/policy-sets/${forCi.set.body.data.id}`)).status).toBe(204);
    expect((await api(url, ci, "GET", "/account/details")).status).toBe(200);

    // Part 5: a set holding only `allow` for ci admits ci and no one else (owners' break-glass excepted).
    const onlyCi = await attachLoginPolicy(
      url,
      admin,
      "default",
      "only-ci",
      'package only_ci\nallow { input.session.login == "ci" }',
    );
    expect(onlyCi.set.status, JSON.stringify(onlyCi.set.body)).toBe(201);
    expect((await api(url, ci, "GET", "/account/details")).status).toBe(200);
    const other = await serviceToken(url, admin, "default", "other").catch((e: unknown) => e);
    // The admin is not admitted by that allow: creating a service account is refused...
    expect(String(other)).toMatch(/403/);
    expect((await api(url, admin, "GET", "/organizations/default/tokens")).status).toBe(403);
    // ...but the owner still reaches the policy endpoints, through an audited break-glass.
    expect((await api(url, admin, "GET", `/policy-sets/${onlyCi.set.body.data.id}`)).status).toBe(200);
    const used = await auditActions(url, admin, "default", "login.break-glass");
    expect(used.status).toBe(200);
    expect(used.body.data[0].attributes.details).toMatchObject({ breakGlass: true, why: "not-allowed" });

    // Part 4: the operator issues a new owner token on the host (the first one counts as lost).
    const recovered = await runKeygate([
      "admin",
      "recover",
      "--data-dir",
      dataDir,
      "--org",
      "default",
      "--json",
    ]);
    expect(recovered.code, recovered.stderr).toBe(0);
    const recovery = JSON.parse(recovered.stdout) as { token: string; owner: string; ownerCreated: boolean };
    expect(recovery.owner).toBe("admin");
    expect(recovery.ownerCreated).toBe(false);
    expect((await api(url, recovery.token, "DELETE", `/policy-sets/${onlyCi.set.body.data.id}`)).status).toBe(
      204,
    );
    expect((await api(url, recovery.token, "GET", "/organizations/default/tokens")).status).toBe(200);
    const audit = await auditActions(url, recovery.token, "default", "organization.recover-owner");
    expect(audit.body.data).toHaveLength(1);
    expect(audit.body.data[0].attributes.details).toMatchObject({ ownerName: "admin", ownerCreated: false });
    expect(JSON.stringify(audit.body)).not.toContain(recovery.token);

    const unknown = await runKeygate(["admin", "recover", "--data-dir", dataDir, "--org", "nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/organization nope not found/);
  });
});
