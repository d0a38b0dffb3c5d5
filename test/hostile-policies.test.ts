// End-to-end (issue 11, part 1, service side): one organization's hostile policies must never stop
// the server or stall the others. A hostile organization admin attaches a save policy that runs
// for ever, and fires 64 concurrent token saves and policy simulations (a huge set comprehension)
// at a real `keygate serve`; a monitor hits /healthz and another organization's authenticated
// route every 10 ms, and that other organization saves tokens one after another, judged by a
// policy of its own on the same workers: every one must be evaluated and saved (fairness between
// tenants). The longest monitor wait is printed and must stay under 1 s (the 100 ms goal is the
// bench's); every hostile request gets a clear 4xx or 503 (JSON:API errors, Retry-After), never a
// 500 or a dropped connection, and the server is alive afterwards.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./support/api-session.js";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";

const NESTED_GENERATORS = [
  "package hostile",
  "",
  'deny contains "never decided" if {',
  "  some i in numbers.range(1, 100000)",
  "  some j in numbers.range(1, 100000)",
  "  i == j + 100001",
  "}",
  "",
].join("\n");

const HUGE_SET = [
  "package draft",
  "",
  'deny contains "never decided" if {',
  "  s := {[i, j] | some i in numbers.range(1, 100000); some j in numbers.range(1, 100000)}",
  "  count(s) > 0",
  "}",
  "",
].join("\n");

const HOSTILE_REQUESTS = 64;
const MONITOR_EVERY_MS = 10;

interface Outcome {
  readonly kind: "save" | "simulation";
  readonly status: number;
  readonly body: unknown;
  readonly retryAfter: string | null;
}

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`hostile policies on ${dialect}: the server stays up and other tenants are served`, () => {
    let location: StoreLocation;
    let server: KeygateServer;
    let hostile: string;
    let neighbour: string;

    beforeAll(async () => {
      location = await freshStore(dialect);
      const a = await runKeygate(["init", "--org", "acme", "--json", ...location.args], location.env);
      const g = await runKeygate(["init", "--org", "globex", "--json", ...location.args], location.env);
      expect(a.code, a.stderr).toBe(0);
      expect(g.code, g.stderr).toBe(0);
      hostile = JSON.parse(a.stdout).adminToken;
      neighbour = JSON.parse(g.stdout).adminToken;
      server = await startKeygate(location.args, {
        ...location.env,
        KEYGATE_LOG_LEVEL: "warn",
        // One worker and a short limit: the attack lasts seconds, not a minute, on a shared 2-core CI box.
        KEYGATE_POLICY_WORKERS: "1",
        KEYGATE_POLICY_TIMEOUT_MS: "300",
        KEYGATE_POLICY_MEMORY_MB: "128",
        KEYGATE_POLICY_QUEUE: "16",
      });
    });
    afterAll(async () => {
      await server?.stop();
      await location?.dispose();
    });

    it("64 concurrent hostile saves and simulations: clear errors, a responsive monitor, a live server", async () => {
      const call = (method: string, path: string, body?: unknown) =>
        api(server.url, hostile, method, path, body);
      const sa = await call("POST", "/organizations/acme/service-accounts", {
        data: { type: "service-accounts", attributes: { name: "deployer" } },
      });
      expect(sa.status, JSON.stringify(sa.body)).toBe(201);
      const key = await call("POST", `/service-accounts/${sa.body.data.id}/api-keys`, {
        data: { type: "api-keys", attributes: { name: "ci" } },
      });
      expect(key.status, JSON.stringify(key.body)).toBe(201);
      const keyId: string = key.body.data.id;
      // Samples for the simulations, saved before the hostile policy is attached.
      for (const name of ["first", "second"]) {
        const token = await call("POST", `/api-keys/${keyId}/tokens`, {
          data: { type: "tokens", attributes: { name } },
        });
        expect(token.status, JSON.stringify(token.body)).toBe(201);
      }
      const policy = await call("POST", "/organizations/acme/policies", {
        data: {
          type: "policies",
          attributes: { name: "hostile", kind: "opa", "enforcement-level": "mandatory" },
        },
      });
      expect(policy.status, JSON.stringify(policy.body)).toBe(200);
      const upload = await fetch(`${server.url}/api/v2/policies/${policy.body.data.id}/upload`, {
        method: "PUT",
        headers: { authorization: `Bearer ${hostile}`, "content-type": "application/octet-stream" },
        body: NESTED_GENERATORS,
      });
      expect(upload.status, await upload.text()).toBe(200);
      const set = await call("POST", "/organizations/acme/policy-sets", {
        data: {
          type: "policy-sets",
          attributes: { name: "hostile", global: true, "entity-types": ["token"], events: ["onSave"] },
          relationships: { policies: { data: [{ id: policy.body.data.id, type: "policies" }] } },
        },
      });
      expect(set.status, JSON.stringify(set.body)).toBe(201);

      // The neighbour's tokens are judged by a policy of its own: its saves need the same workers.
      const near = (method: string, path: string, body?: unknown) =>
        api(server.url, neighbour, method, path, body);
      const nearSa = await near("POST", "/organizations/globex/service-accounts", {
        data: { type: "service-accounts", attributes: { name: "deployer" } },
      });
      expect(nearSa.status, JSON.stringify(nearSa.body)).toBe(201);
      const nearKey = await near("POST", `/service-accounts/${nearSa.body.data.id}/api-keys`, {
        data: { type: "api-keys", attributes: { name: "ci" } },
      });
      expect(nearKey.status, JSON.stringify(nearKey.body)).toBe(201);
      const nearPolicy = await near("POST", "/organizations/globex/policies", {
        data: {
          type: "policies",
          attributes: { name: "names", kind: "opa", "enforcement-level": "mandatory" },
        },
      });
      expect(nearPolicy.status, JSON.stringify(nearPolicy.body)).toBe(200);
      const nearUpload = await fetch(`${server.url}/api/v2/policies/${nearPolicy.body.data.id}/upload`, {
        method: "PUT",
        headers: { authorization: `Bearer ${neighbour}`, "content-type": "application/octet-stream" },
        body: 'package names\n\ndeny contains "reserved" if startswith(input.token.name, "reserved-")\n',
      });
      expect(nearUpload.status, await nearUpload.text()).toBe(200);
      const nearSet = await near("POST", "/organizations/globex/policy-sets", {
        data: {
          type: "policy-sets",
          attributes: { name: "names", global: true, "entity-types": ["token"], events: ["onSave"] },
          relationships: { policies: { data: [{ id: nearPolicy.body.data.id, type: "policies" }] } },
        },
      });
      expect(nearSet.status, JSON.stringify(nearSet.body)).toBe(201);

      // The neighbour was served before the attack (its token is known to the server).
      for (let i = 0; i < 5; i++) {
        expect((await api(server.url, neighbour, "GET", "/organizations/globex/spaces")).status).toBe(200);
      }
      // The monitor: /healthz and the neighbour's authenticated route, one every 10 ms.
      const waits: number[] = [];
      const monitorFailures: string[] = [];
      let monitoring = true;
      const t0 = performance.now();
      const monitor = (async () => {
        for (let tick = 0; monitoring; tick++) {
          const started = performance.now();
          try {
            if (tick % 2 === 0) {
              const health = await fetch(`${server.url}/healthz`);
              await health.text();
              if (health.status !== 200) monitorFailures.push(`/healthz answered ${health.status}`);
            } else {
              const spaces = await api(server.url, neighbour, "GET", "/organizations/globex/spaces");
              if (spaces.status !== 200) monitorFailures.push(`globex spaces answered ${spaces.status}`);
            }
          } catch (error) {
            monitorFailures.push(`monitor request failed: ${String(error)}`);
          }
          const waited = performance.now() - started;
          waits.push(waited);
          if (waited > 200)
            console.log(
              `slow monitor tick ${tick} at ${(started - t0).toFixed(0)} ms: ${waited.toFixed(0)} ms`,
            );
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, MONITOR_EVERY_MS - waited)));
        }
      })();

      // The neighbour saves tokens one after another during the attack: each is evaluated (the
      // hostile tenant's flood fills the queue, but a tenant with fewer waiting takes a place).
      const neighbourSaves: number[] = [];
      const saver = (async () => {
        for (let i = 0; monitoring; i++) {
          const saved = await near("POST", `/api-keys/${nearKey.body.data.id}/tokens`, {
            data: { type: "tokens", attributes: { name: `during-${i}` } },
          });
          neighbourSaves.push(saved.status);
        }
      })();

      const fire = async (i: number): Promise<Outcome> => {
        const kind = i % 2 === 0 ? "save" : "simulation";
        const response =
          kind === "save"
            ? await fetch(`${server.url}/api/v2/api-keys/${keyId}/tokens`, {
                method: "POST",
                headers: { authorization: `Bearer ${hostile}`, "content-type": "application/vnd.api+json" },
                body: JSON.stringify({ data: { type: "tokens", attributes: { name: `hostile-${i}` } } }),
              })
            : await fetch(`${server.url}/api/v2/organizations/acme/policy-simulations`, {
                method: "POST",
                headers: { authorization: `Bearer ${hostile}`, "content-type": "application/vnd.api+json" },
                body: JSON.stringify({
                  data: {
                    type: "policy-simulations",
                    attributes: { "entity-type": "token", source: HUGE_SET },
                  },
                }),
              });
        return {
          kind,
          status: response.status,
          body: await response.json(),
          retryAfter: response.headers.get("retry-after"),
        };
      };
      const started = performance.now();
      const outcomes = await Promise.all(Array.from({ length: HOSTILE_REQUESTS }, (_, i) => fire(i)));
      const hostileMs = performance.now() - started;
      monitoring = false;
      await monitor;
      await saver;

      const longest = Math.max(...waits);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      const loopDelay = Number(/^keygate_event_loop_delay_max_seconds (\S+)$/m.exec(metrics)?.[1]) * 1000;
      const byStatus = new Map<string, number>();
      for (const o of outcomes)
        byStatus.set(`${o.kind} ${o.status}`, (byStatus.get(`${o.kind} ${o.status}`) ?? 0) + 1);
      console.log(
        `[${dialect}] ${HOSTILE_REQUESTS} hostile requests in ${hostileMs.toFixed(0)} ms ` +
          `(${[...byStatus].map(([k, n]) => `${k}: ${n}`).join(", ")}); monitor: ${waits.length} requests, ` +
          `longest wait ${longest.toFixed(1)} ms; the server's longest event loop delay ${loopDelay.toFixed(1)} ms`,
      );

      expect(monitorFailures).toEqual([]);
      console.log(`[${dialect}] the neighbour's saves during the attack: ${JSON.stringify(neighbourSaves)}`);
      expect(neighbourSaves.length).toBeGreaterThan(0);
      expect(neighbourSaves.every((status) => status === 201)).toBe(true);
      for (const o of outcomes) {
        expect([422, 503], JSON.stringify(o)).toContain(o.status);
        const errors = (o.body as { errors?: { status: string; detail: string }[] }).errors ?? [];
        expect(errors.length, JSON.stringify(o)).toBeGreaterThan(0);
        if (o.status === 503) {
          expect(Number(o.retryAfter)).toBeGreaterThanOrEqual(1);
          expect(errors[0]?.detail).toMatch(/policy evaluations (are )?waiting/);
        } else if (o.kind === "save") {
          expect(errors[0]?.detail).toMatch(
            /could not be evaluated: the evaluation ran past its time limit of 300 ms/,
          );
        } else {
          expect(errors[0]?.detail).toMatch(/simulation could not be evaluated.*(time limit|out of memory)/);
        }
      }
      // Evaluated (and stopped), not only refused.
      expect(outcomes.some((o) => o.status === 422)).toBe(true);
      expect(longest).toBeLessThan(1000);
      expect(loopDelay).toBeLessThan(1000);

      // Alive afterwards, for everyone.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await api(server.url, neighbour, "GET", "/organizations/globex/spaces")).status).toBe(200);
      expect((await call("GET", `/api-keys/${keyId}/tokens`)).status).toBe(200);
      expect(server.output()).not.toMatch(/Fatal|FATAL/);
    }, 120_000);
  });
}
