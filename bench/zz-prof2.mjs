import { mkdtempSync } from "node:fs"; import { tmpdir } from "node:os"; import { join } from "node:path";
const s = await import("@keygate/server");
const store = await s.openStore({ dataDir: mkdtempSync(join(tmpdir(), "kgp-")) });
const lines = ["package spacelift", "", "allow { input.session.member }", ""];
for (let i = 0; i < 100; i++) lines.push(`roles["production"]["role-${i}"] {`, `    input.session.login == "key-${i}"`, "}", "");
const tokens = {};
for (const name of ["plain", "governed"]) {
  const org = await s.bootstrapOrganization(store, { organizationName: name, adminName: "admin" });
  const ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "system" } };
  const space = await s.createSpace(store, ctx, { parentId: org.rootSpace.id, name: "production" });
  const { serviceAccount } = await s.createServiceAccount(store, ctx, { spaceId: org.rootSpace.id, name: "bot" });
  await s.createRoleBinding(store, ctx, { subject: { kind: "principal", principalId: serviceAccount.id }, roleId: "viewer", spaceId: org.rootSpace.id });
  const { apiKey } = await s.createApiKey(store, ctx, { principalId: serviceAccount.id, type: "SERVICE", name: "key-42" });
  tokens[name] = (await s.createToken(store, ctx, { apiKeyId: apiKey.id, name: "b" })).value;
  if (name === "governed") {
    await s.createRole(store, ctx, { name: "role-42", permissions: ["spaces.read"] });
    const p = await s.createPolicy(store, ctx, { name: "login-100" });
    await s.uploadPolicySource(store, ctx, p.id, lines.join("\n"));
    await s.createPolicySet(store, ctx, { name: "login", global: true, entityTypes: ["login"], policyIds: [p.id] });
  }
}
const auth = new s.Authenticator(store, { failureLimit: 1e9 });
async function bench(name, token) {
  const h = `Bearer ${token}`;
  for (let i = 0; i < 3000; i++) await auth.authenticate(h, "127.0.0.1");
  const N = 30000; const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await auth.authenticate(h, "127.0.0.1");
  console.log(name, (Number(process.hrtime.bigint() - t) / N / 1000).toFixed(2), "us/authenticate");
}
for (let r = 0; r < 2; r++) { if (!process.env.ONLY) await bench("plain", tokens.plain); await bench("governed", tokens.governed); }
if (process.argv.includes("--prof")) { const { Session } = await import("node:inspector/promises"); }
await auth.close(); await store.close();
