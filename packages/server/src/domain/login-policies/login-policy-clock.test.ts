import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import { resolveEffectiveAccess } from "../access/effective-access.js";
import { createApiKey } from "../api-keys/api-key.js";
import type { MutationContext } from "../audit/actor.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { createPolicy } from "../policies/policy.js";
import { uploadPolicySource } from "../policies/policy-source.js";
import { compilePolicyFor } from "../policy-evaluations/compiled-policy-sets.js";
import { createPolicySet } from "../policy-sets/policy-set.js";
import { createServiceAccount } from "../principals/service-account.js";
import { createRole } from "../roles/role.js";
import { createSpace } from "../spaces/space.js";
import { loginPoliciesOf } from "./login-policies.js";
import { loginPolicyReuse } from "./login-policy-inputs.js";

const policy = (body: string) => `package login\n\n${body}\n`;

/** True when the policy compiles and its decision holds for one second (see login-policy-inputs.ts). */
function dependsOnClockBySecond(source: string): boolean {
  const compiled = compilePolicyFor("login", {
    policyId: "p",
    policyName: "p",
    enforcementLevel: "mandatory",
    query: null,
    source,
  });
  return compiled.ok && loginPolicyReuse(compiled) === "per-second";
}

describe("login policies decided per second", () => {
  it("accepts policies that read the clock only as the civil time of the request", () => {
    expect(
      dependsOnClockBySecond(policy(`allow { time.clock([input.request.timestamp_ns, "UTC"])[0] >= 9 }`)),
    ).toBe(true);
    expect(
      dependsOnClockBySecond(
        policy(`roles["prod"]["deployer"] {
  input.session.login == "ci"
  now := input.request.timestamp_ns
  clock := time.clock([now, "UTC"])
  time.weekday(now) == "Tuesday"
  clock[0] < 4
  net.cidr_contains("10.0.0.0/8", input.request.remote_ip)
}`),
      ),
    ).toBe(true);
  });

  it("refuses anything that could depend on more than the second", () => {
    const refused = [
      `allow { input.request.timestamp_ns > 5 }`,
      `allow { now := input.request.timestamp_ns; now > 5 }`,
      `allow { now := input.request.timestamp_ns; f(now) }\nf(x) { time.clock([x, "UTC"])[0] > 1 }`,
      `allow { time.now_ns() > 5 }`,
      `allow { time.clock([time.now_ns(), "UTC"])[0] > 1 }`,
      `allow { input.request.method == "GET" }`,
      `allow { x := input; x.session.member }`,
      `allow { input.session.member with input.session.member as true }`,
      `allow { rand.intn("k", 2) == 1 }`,
      `allow { count([1 | now := input.request.timestamp_ns; now > 5]) > 0 }`,
      `allow { now := input.request.timestamp_ns; count([1 | now := 5; time.clock([now, "UTC"])[0] > 1]) > 0; now > 5 }`,
      `allow { every x in [1] { now := input.request.timestamp_ns; now > x } }`,
      `allow {`,
    ];
    for (const body of refused) expect(dependsOnClockBySecond(policy(body)), body).toBe(false);
    expect(dependsOnClockBySecond(`package login\nimport input.request\nallow { request.x }\n`)).toBe(false);
  });
});

/** Epoch ns of 2026-11-24 (a Tuesday) at hh:mm:ss.ms UTC. */
const at = (hour: number, minute: number, second: number, ms = 0) =>
  BigInt(Date.UTC(2026, 10, 24, hour, minute, second, ms)) * 1_000_000n;

for (const dialect of DIALECTS) {
  describe(`a login policy on the civil time, reused within a second (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    let principalId: string;
    let apiKeyId: string;
    let spaceId: string;

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" } };
      spaceId = (await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "prod" })).id;
      await createRole(database.store, ctx, { name: "deployer", permissions: ["tokens.read"] });
      principalId = (
        await createServiceAccount(database.store, ctx, { spaceId: org.rootSpace.id, name: "ci" })
      ).serviceAccount.id;
      apiKeyId = (await createApiKey(database.store, ctx, { principalId, type: "SERVICE", name: "ci" }))
        .apiKey.id;
      const p = await createPolicy(database.store, ctx, { name: "window" });
      // Granted during the first half of every minute.
      await uploadPolicySource(
        database.store,
        ctx,
        p.id,
        policy(`allow { input.session.member }

roles["prod"]["deployer"] {
  now := input.request.timestamp_ns
  time.clock([now, "UTC"])[2] < 30
}`),
      );
      await createPolicySet(database.store, ctx, {
        name: "login",
        global: true,
        entityTypes: ["login"],
        policyIds: [p.id],
      });
    });
    afterAll(async () => {
      await database.dispose();
    });

    async function granted(timestampNs: bigint): Promise<boolean> {
      const access = await resolveEffectiveAccess(database.store, org.organization.id, principalId);
      const after = await loginPoliciesOf(database.store).apply(
        access,
        { organizationId: org.organization.id, principalId, apiKeyId },
        { remoteIp: "10.1.2.3", timestampNs },
      );
      return after.grants.some((g) => g.spaceId === spaceId && g.roleName === "deployer");
    }

    it("decides exactly at the window's edges, whatever was decided earlier in the same second", async () => {
      expect(await granted(at(3, 15, 29, 100))).toBe(true);
      expect(await granted(at(3, 15, 29, 999))).toBe(true);
      expect(await granted(at(3, 15, 30, 0))).toBe(false);
      expect(await granted(at(3, 15, 30, 500))).toBe(false);
      expect(await granted(at(3, 15, 29, 500))).toBe(true);
      expect(await granted(at(3, 16, 0, 0))).toBe(true);
    });
  });
}
