// End-to-end: `keygate serve` stops on SIGTERM even while connections stay open: a live event
// stream, and a client whose request is still in flight and stalls. Requests in flight get
// a grace period; what is still open after it is cut, and the process exits 0.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";

describe("keygate serve on SIGTERM", () => {
  let location: StoreLocation;
  let server: KeygateServer | undefined;
  let admin: string;

  beforeAll(async () => {
    location = await freshStore("sqlite");
    const init = await runKeygate(["init", "--org", "acme", "--json", ...location.args], location.env);
    expect(init.code, init.stderr).toBe(0);
    admin = JSON.parse(init.stdout).adminToken;
    server = await startKeygate([...location.args], location.env);
  }, 60_000);

  afterAll(async () => {
    await server?.kill();
    await location?.dispose();
  });

  it("exits 0 within its grace period, cutting an event stream and a stalled request", async () => {
    const url = new URL(server?.url ?? "");
    // An event stream that stays open for as long as the server lets it.
    const stream = await fetch(`${server?.url}/api/v2/organizations/acme/delegates/events`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(stream.status).toBe(200);
    // A client whose request is still in flight: it sent the headers and part of its body, and
    // stalls (a slow or stuck uploader; the server's request timeout would wait minutes for it).
    const stalled = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => stalled.once("connect", () => resolve()));
    stalled.write(
      "POST /api/v2/organizations/acme/service-accounts HTTP/1.1\r\n" +
        `Host: ${url.host}\r\nAuthorization: Bearer ${admin}\r\n` +
        "Content-Type: application/vnd.api+json\r\nContent-Length: 200\r\n\r\n" +
        '{"data":{"type":',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));

    const stopped = server?.stop();
    // A liveness bound, not a timing assertion: without the cut the stop never ends.
    const outcome = await Promise.race([
      stopped?.then(() => "exited"),
      new Promise((resolve) => setTimeout(() => resolve("still running"), 40_000)),
    ]);
    expect(outcome).toBe("exited");
    expect(server?.exitCode()).toBe(0);
    stalled.destroy();
    server = undefined;
  }, 60_000);
});
