// End-to-end: bad input through a real `keygate serve` on PostgreSQL. Raw HTTP oddities sent over a
// socket (two Authorization headers, a URL that does not decode, an oversized header, malformed
// HTTP, a NUL in the path) and a smaller property-based run of the API fuzz (see api-fuzz.test.ts)
// over real HTTP: never a 5xx, every error a JSON:API error document, and the server still serves.
import { connect } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { answerProblem, FuzzTally, fuzzSeeds, operationsOf, requestsFor } from "./support/request-fuzz.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";

const RUNS = Number(process.env.KEYGATE_FUZZ_HTTP_RUNS) || 2;

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Sends bytes as they are over a new connection and reads the answer until the server closes or it is complete. */
function sendRaw(url: string, request: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer in 10 s to ${JSON.stringify(request.slice(0, 80))}`));
    }, 10_000);
    const finish = () => {
      const text = received.toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      if (split < 0) return false;
      const [statusLine, ...lines] = text.slice(0, split).split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const body = text.slice(split + 4);
      const length = Number(headers["content-length"]);
      if (Number.isFinite(length) && Buffer.byteLength(body) < length) return false;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(statusLine?.split(" ")[1]), headers, body });
      return true;
    };
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
      finish();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      if (!finish()) {
        clearTimeout(timer);
        reject(new Error(`connection closed without an answer: ${received.toString().slice(0, 200)}`));
      }
    });
    socket.write(request, "latin1");
  });
}

describe("bad input through a real server on PostgreSQL", () => {
  let location: StoreLocation;
  let server: KeygateServer;
  let admin: string;

  beforeAll(async () => {
    location = await freshStore("postgres");
    const init = await runKeygate(["init", "--org", "acme", "--json", ...location.args], location.env);
    expect(init.code, init.stderr).toBe(0);
    admin = JSON.parse(init.stdout).adminToken;
    server = await startKeygate(location.args, location.env);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await location?.dispose();
  });

  it("answers raw HTTP oddities with 4xx JSON:API error documents", async () => {
    const host = `Host: ${new URL(server.url).host}\r\n`;
    const auth = `Authorization: Bearer ${admin}\r\n`;
    const cases: { name: string; request: string; status: number }[] = [
      {
        name: "two Authorization headers",
        request: `GET /api/v2/account/details HTTP/1.1\r\n${host}${auth}${auth}Connection: close\r\n\r\n`,
        status: 400,
      },
      {
        name: "a URL that does not decode",
        request: `GET /api/v2/tokens/%E0%A4%A HTTP/1.1\r\n${host}${auth}Connection: close\r\n\r\n`,
        status: 400,
      },
      {
        name: "an encoded NUL in an id",
        request: `GET /api/v2/tokens/tok-%00x HTTP/1.1\r\n${host}${auth}Connection: close\r\n\r\n`,
        status: 404,
      },
      {
        name: "an encoded NUL in a filter",
        request: `GET /api/v2/organizations/acme/audit-events?filter[actor]=%00 HTTP/1.1\r\n${host}${auth}Connection: close\r\n\r\n`,
        status: 400,
      },
      {
        name: "a huge page number",
        request: `GET /api/v2/organizations/acme/spaces?page[number]=1000000000000000000 HTTP/1.1\r\n${host}${auth}Connection: close\r\n\r\n`,
        status: 400,
      },
      {
        name: "an oversized header",
        request: `GET /api/v2/account/details HTTP/1.1\r\n${host}${auth}X-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`,
        status: 431,
      },
      { name: "a request line that is not HTTP", request: "HELLO THERE\r\n\r\n", status: 400 },
      {
        name: "a raw NUL in the path",
        request: `GET /api/v2/tokens/a\u0000b HTTP/1.1\r\n${host}${auth}\r\n`,
        status: 400,
      },
      {
        name: "a header without a colon",
        request: `GET /api/v2/account/details HTTP/1.1\r\n${host}not a header\r\n\r\n`,
        status: 400,
      },
      {
        name: "Content-Length and Transfer-Encoding together",
        request: `POST /api/v2/organizations/acme/spaces HTTP/1.1\r\n${host}${auth}Content-Type: application/vnd.api+json\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
        status: 400,
      },
      {
        name: "unparseable JSON",
        request: `POST /api/v2/organizations/acme/spaces HTTP/1.1\r\n${host}${auth}Content-Type: application/vnd.api+json\r\nContent-Length: 1\r\nConnection: close\r\n\r\n{`,
        status: 400,
      },
      {
        name: "a body that is not UTF-8",
        request: `POST /api/v2/organizations/acme/spaces HTTP/1.1\r\n${host}${auth}Content-Type: application/vnd.api+json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n\u00ff\u00fe`,
        status: 400,
      },
      {
        name: "an unknown method on a known path",
        request: `PUT /api/v2/organizations/acme HTTP/1.1\r\n${host}${auth}Connection: close\r\n\r\n`,
        status: 405,
      },
    ];
    const seen: string[] = [];
    for (const { name, request, status } of cases) {
      const answer = await sendRaw(server.url, request);
      seen.push(`${name}: ${answer.status}`);
      expect(answer.status, name).toBe(status);
      expect(answerProblem(answer.status, answer.headers["content-type"], answer.body), name).toBeUndefined();
    }
    console.log(`raw HTTP oddities on a real server: ${seen.join(", ")}`);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it(
    "answers a property-based run over every operation with no 5xx, every error a JSON:API document",
    async () => {
      const headers = { authorization: `Bearer ${admin}` };
      const document = await (await fetch(`${server.url}/api/v2/openapi.json`, { headers })).json();
      const operations = operationsOf(document);
      const created = await fetch(`${server.url}/api/v2/organizations/acme/service-accounts`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/vnd.api+json" },
        body: JSON.stringify({ data: { type: "service-accounts", attributes: { name: "bot" } } }),
      });
      const context = { ids: ["acme", (await created.json()).data.id], credentials: [`Bearer ${admin}`] };
      const tally = new FuzzTally();
      const seeds = fuzzSeeds();
      for (const [index, operation] of operations.entries()) {
        for (const seed of [seeds.fixed + index, seeds.random + index]) {
          await fc.assert(
            fc.asyncProperty(requestsFor(operation, context), async (request) => {
              const response = await fetch(`${server.url}${request.url}`, {
                method: request.method,
                headers: request.headers,
                // fetch sends no body with GET (the in-process run does).
                ...(request.payload !== undefined && request.method !== "GET"
                  ? { body: request.payload }
                  : {}),
              });
              const problem = tally.record(
                request,
                response.status,
                response.headers.get("content-type") ?? undefined,
                await response.text(),
              );
              if (problem !== undefined) throw new Error(problem);
            }),
            { seed, numRuns: RUNS, endOnFailure: true },
          );
        }
      }
      console.log(
        `API fuzz over HTTP (PostgreSQL, seeds fixed=${seeds.fixed} random=${seeds.random}): ${operations.length} operations, ${tally.summary()}`,
      );
      expect(tally.serverErrors).toBe(0);
      expect(tally.problems).toEqual([]);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect(server.output()).not.toMatch(/"statusCode":5\d\d/);
    },
    Math.max(120_000, RUNS * 60_000),
  );
});
