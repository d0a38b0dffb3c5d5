// HTTP API, routes: the live status of an organization's delegates as server-sent events
// (text/event-stream), with a bearer token or the console's session cookie. The stream starts with
// a `delegate.connected` for each delegate connected now, then sends `delegate.connected`,
// `delegate.heartbeat` and `delegate.disconnected` as they happen (data: the delegate's JSON:API
// resource object), and a comment ping every ping interval, when it also checks its caller again:
// a revoked token, an ended session or a lost permission ends the stream. Bounded per organization
// (429 past the bound); a client that does not read is cut off rather than buffered for.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Caller } from "../../auth/caller.js";
import { requirePermission } from "../../auth/permission-check.js";
import { callerOrganization } from "../../auth/resource-scope.js";
import { DomainError } from "../../domain/domain-error.js";
import {
  type DelegateEvent,
  DelegateWatcher,
  resolveDelegateEventSettings,
} from "../delegates/delegate-event-stream.js";
import { resolveDelegateSettings } from "../delegates/delegate-settings.js";
import { ERROR_RESPONSES, OrgParams } from "../jsonapi/json-api-schemas.js";
import { callerOf } from "../plugins/keygate-services.js";
import { authenticateBySession } from "../plugins/session-cookie.js";
import { renderDelegate } from "./delegate-tokens/delegate-token-representation.js";

const EventQuery = Type.Object({
  "filter[space]": Type.Optional(
    Type.String({ maxLength: 200, description: "Only the delegates of this space (its tokens' space)" }),
  ),
});

/** Bytes a stream may hold unsent before the client is taken to be gone. */
const MAX_UNSENT_BYTES = 1024 * 1024;

/** The permission the stream needs, where: at the root, or in the filtered space. */
function authorize(caller: Caller, spaceId: string | undefined): void {
  if (spaceId !== undefined && !caller.spaces.spaces.has(spaceId)) {
    throw new DomainError("invalid", `space ${spaceId} does not exist in this organization`, {
      field: "filter[space]",
    });
  }
  requirePermission(caller, "delegate-tokens.read", spaceId);
}

/** The request's caller, authenticated again with the credential it came with. */
function reauthenticate(app: FastifyInstance, request: FastifyRequest): Promise<Caller> {
  const session = request.consoleSession;
  if (session !== null) return authenticateBySession(app, request, session.secret);
  return app.keygate.authenticator.authenticate(request.headers.authorization, request.ip, undefined, {
    method: request.method,
    url: request.url,
  });
}

/** Registers the delegate event stream. */
export async function delegateEventRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.keygate;
  const settings = resolveDelegateEventSettings(process.env);
  const { heartbeatTimeoutMs } = resolveDelegateSettings(process.env);
  const watcher = new DelegateWatcher(
    store,
    settings,
    () => Date.now() - heartbeatTimeoutMs,
    (message, error) => app.log.error({ err: error }, message),
  );
  const open = new Set<() => void>();
  app.addHook("preClose", async () => {
    for (const end of [...open]) end();
    watcher.close();
  });

  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof EventQuery> }>(
    "/organizations/:org/delegates/events",
    {
      schema: {
        summary:
          "Live delegate status (server-sent events): delegate.connected, delegate.heartbeat, delegate.disconnected",
        tags: ["delegates"],
        params: OrgParams,
        querystring: EventQuery,
        response: {
          200: {
            description: "A text/event-stream; each event's data is the delegate's JSON:API resource object",
            content: { "text/event-stream": { schema: Type.String() } },
          },
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      const spaceId = request.query["filter[space]"];
      authorize(caller, spaceId);
      const raw = reply.raw;
      let ended = false;
      const pending: DelegateEvent[] = [];
      let write: (event: DelegateEvent) => void = (event) => {
        pending.push(event);
      };
      const subscription = await watcher.subscribe(caller.organizationId, (event) => {
        if (spaceId === undefined || event.delegate.spaceId === spaceId) write(event);
      });
      if ("refused" in subscription) {
        throw new DomainError(
          "rate_limited",
          `this organization already holds ${subscription.limit} delegate event streams on this instance; close one or try again later`,
          { details: { retryAfterSeconds: 5 } },
        );
      }
      reply.hijack();
      raw.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      let ping: NodeJS.Timeout | undefined;
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(ping);
        subscription.unsubscribe();
        open.delete(end);
        raw.end();
      };
      open.add(end);
      const send = (text: string) => {
        if (ended) return;
        raw.write(text);
        if (raw.writableLength > MAX_UNSENT_BYTES) {
          request.log.warn("a delegate event stream's client stopped reading; ending the stream");
          end();
        }
      };
      write = (event) =>
        send(`event: ${event.kind}\ndata: ${JSON.stringify(renderDelegate(event.delegate))}\n\n`);
      request.raw.on("close", end);
      raw.on("error", end);
      send("retry: 3000\n\n");
      for (const delegate of subscription.current) {
        if (spaceId === undefined || delegate.spaceId === spaceId)
          write({ kind: "delegate.connected", delegate });
      }
      for (const event of pending.splice(0)) write(event);
      ping = setInterval(() => {
        reauthenticate(app, request)
          .then(
            (again) => {
              authorize(again, spaceId);
              send(": ping\n\n");
            },
            () => end(),
          )
          .catch(() => end());
      }, settings.pingMs);
      ping.unref();
    },
  );
}
