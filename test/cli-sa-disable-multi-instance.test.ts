// End-to-end: `keygate sa disable` through one instance stops the account's tokens on another
// instance at once (the change announcement reaches every instance before the command returns),
// although the other had them cached; `keygate sa enable` lets them work again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";

describe("sa disable across two instances on one PostgreSQL database", () => {
  let location: StoreLocation;
  let first: KeygateServer;
  let second: KeygateServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    location = await freshStore("postgres");
    const init = await runKeygate(["init", "--org", "acme", "--json"], location.env);
    expect(init.code, init.stderr).toBe(0);
    [first, second] = await Promise.all([startKeygate([], location.env), startKeygate([], location.env)]);
    env = { ...location.env, KEYGATE_SERVER: first.url, KEYGATE_TOKEN: JSON.parse(init.stdout).adminToken };
  }, 60_000);

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await location?.dispose();
  });

  it("refuses the account's tokens on the other instance on its next request, and accepts them once enabled", async () => {
    const kgJson = async (...args: string[]) => {
      const run = await runKeygate([...args, "--json"], env);
      expect(run.code, `keygate ${args.join(" ")}\n${run.stderr}`).toBe(0);
      return JSON.parse(run.stdout);
    };
    const sa = await kgJson("sa", "create", "bot", "--role", "viewer");
    const key = await kgJson("key", "create", "k", "--sa", sa.id);
    const tokens = [
      (await kgJson("token", "create", "a", "--key", key.id)).attributes.token,
      (await kgJson("token", "create", "b", "--key", key.id)).attributes.token,
    ];
    const onSecond = (token: string) =>
      runKeygate(["whoami"], { ...env, KEYGATE_SERVER: second.url, KEYGATE_TOKEN: token });
    for (let round = 0; round < 3; round++) {
      // Warm the second instance's cache with both tokens.
      for (const token of tokens) expect((await onSecond(token)).code).toBe(0);
      expect((await kgJson("sa", "disable", sa.id)).attributes.disabled).toBe(true);
      for (const token of tokens) {
        const refused = await onSecond(token);
        expect(refused.code, `round ${round}`).toBe(1);
        expect(refused.stderr).toMatch(/error 401/);
      }
      expect((await kgJson("sa", "enable", sa.id)).attributes.disabled).toBe(false);
    }
    for (const token of tokens) expect((await onSecond(token)).code).toBe(0);
  }, 120_000);
});
