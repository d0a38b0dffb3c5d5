import { request as httpRequest, Agent } from "node:http";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { installResponseBatching } from "./response-batching.js";

let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A listening app with the batching and the routes `routes` adds; its base URL. */
async function listening(routes: (app: FastifyInstance) => void): Promise<string> {
  app = Fastify({ logger: false });
  installResponseBatching(app);
  routes(app);
  await app.listen({ port: 0, host: "127.0.0.1" });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** GET `url` over `agent`: status and body, or the error the connection ended with. */
function get(url: string, agent: Agent): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", (e) => resolve({ error: e.message }));
    });
    req.on("error", (e) => resolve({ error: e.message }));
    req.end();
  });
}

describe("response batching", () => {
  it("writes a finished response in the check phase of its turn, not at once", async () => {
    const marks: string[] = [];
    const base = await listening((a) =>
      a.get("/now", (_request, reply) => {
        const end = reply.raw.end.bind(reply.raw);
        reply.raw.end = ((...args: Parameters<typeof end>) => {
          marks.push("written");
          return end(...args);
        }) as typeof reply.raw.end;
        setImmediate(() => marks.push("check phase"));
        reply.send("done");
        marks.push("sent");
        return reply;
      }),
    );
    const agent = new Agent({ keepAlive: true });
    expect(await get(`${base}/now`, agent)).toEqual({ status: 200, body: "done" });
    agent.destroy();
    expect(marks).toEqual(["sent", "check phase", "written"]);
  });

  it("answers many requests on few connections, each with its own body", async () => {
    const base = await listening((a) =>
      a.get<{ Params: { n: string } }>("/echo/:n", async (request) => {
        // Half answer at once, half after a turn: both kinds share the batches.
        if (Number(request.params.n) % 2 === 1) await new Promise((r) => setImmediate(r));
        return `reply ${request.params.n}`;
      }),
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, n) => get(`${base}/echo/${n}`, agent)));
    agent.destroy();
    expect(answers).toEqual(Array.from({ length: 200 }, (_, n) => ({ status: 200, body: `reply ${n}` })));
  });

  it("a response that cannot be written ends its own connection and holds up none of the others", async () => {
    const base = await listening((a) => {
      // A header value with a line break: Node refuses it when the head is written.
      a.get("/broken", (_request, reply) => reply.header("x-broken", "a\r\nb").send("never"));
      a.get("/fine", (_request, reply) => reply.send("fine"));
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const answers = await Promise.all([
      get(`${base}/fine`, agent),
      get(`${base}/broken`, agent),
      get(`${base}/fine`, agent),
    ]);
    expect(answers[0]).toEqual({ status: 200, body: "fine" });
    expect(answers[2]).toEqual({ status: 200, body: "fine" });
    // Its connection is closed with nothing written.
    expect(answers[1]).toHaveProperty("error");
    // The server still answers.
    expect(await get(`${base}/fine`, agent)).toEqual({ status: 200, body: "fine" });
    agent.destroy();
  });
});
