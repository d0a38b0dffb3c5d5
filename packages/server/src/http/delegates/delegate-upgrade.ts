// HTTP API, delegates: hands the WebSocket upgrades of the HTTP server to the delegate hub, and
// closes the hub's connections before the server stops (so that closing does not wait on them).
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyInstance } from "fastify";
import { DelegateHub } from "./delegate-hub.js";
import { resolveDelegateSettings } from "./delegate-settings.js";

/** Creates this instance's delegate hub (timing from `KEYGATE_DELEGATE_*`) and routes upgrades to it. */
export function installDelegateHub(app: FastifyInstance): DelegateHub {
  const hub = new DelegateHub(app.keygate.store, resolveDelegateSettings(process.env), (message, error) =>
    app.log.error({ err: error }, message),
  );
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (hub.handles(request)) {
      void hub.upgrade(request, socket, head);
    } else if (app.server.listenerCount("upgrade") === 1) {
      // Nobody else takes upgrades: without an answer the client would wait forever.
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    }
  };
  app.server.on("upgrade", onUpgrade);
  app.addHook("preClose", async () => {
    app.server.off("upgrade", onUpgrade);
    await hub.close();
  });
  return hub;
}
