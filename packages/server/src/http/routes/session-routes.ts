// HTTP API, routes: console sessions. A user signs in with one of their personal tokens and gets
// the session cookie (HttpOnly, SameSite=Strict, Secure over TLS); the session document carries the
// CSRF token the console sends on writes; signing out ends the session on every instance.

import type { Static } from "@sinclair/typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { DomainError } from "../../domain/domain-error.js";
import { getOrganization } from "../../domain/organizations/organization.js";
import { createSession, endSession } from "../../domain/sessions/session.js";
import { csrfTokenOf } from "../../domain/sessions/session-secret.js";
import { tokenExpiresAt } from "../../domain/tokens/token-status.js";
import { ERROR_RESPONSES, singleDocument } from "../jsonapi/json-api-schemas.js";
import { callerOf, mutationContextOf } from "../plugins/keygate-services.js";
import {
  cameOverTls,
  clearedSessionCookie,
  type RequestSession,
  sessionCookie,
} from "../plugins/session-cookie.js";
import {
  CreateSessionBody,
  renderSession,
  SessionResource,
} from "../representations/session-representation.js";

function currentSession(request: FastifyRequest): RequestSession {
  if (request.consoleSession === null) {
    throw new DomainError(
      "unauthenticated",
      "this endpoint is the console's session: send the keygate_session cookie (bearer tokens have no session)",
      { details: { reason: "no-session" } },
    );
  }
  return request.consoleSession;
}

/** Registers the session routes. */
export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const { store, authenticator } = app.keygate;
  const tags = ["sessions"];

  app.post<{ Body: Static<typeof CreateSessionBody> }>(
    "/sessions",
    {
      schema: {
        summary:
          "Sign in to the console with a personal token (no Authorization header): sets the keygate_session cookie",
        tags,
        body: CreateSessionBody,
        response: { 201: singleDocument(SessionResource), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const token = request.body.data.attributes.token.trim();
      if (token.startsWith("kgd_")) {
        throw new DomainError(
          "forbidden",
          "a delegate token cannot sign in: sessions are for people; sign in with a personal (kgu_) token",
          { field: "/data/attributes/token" },
        );
      }
      // Checked as a bearer token is (failures count in the failed-authentication limit), with the
      // organization's login policies.
      const caller = await authenticator.authenticate(`Bearer ${token}`, request.ip, undefined, {
        method: request.method,
        url: request.url,
      });
      if (caller.principal.kind !== "user" || caller.apiKey.type !== "USER") {
        throw new DomainError(
          "forbidden",
          "a service account's token cannot sign in: sessions are for people; sign in with a personal (kgu_) token",
          { field: "/data/attributes/token" },
        );
      }
      request.caller = caller;
      const created = await createSession(store, mutationContextOf(request), {
        principalId: caller.principal.id,
        tokenId: caller.token.id,
        tokenExpiresAt: tokenExpiresAt(caller.token),
        ip: request.ip,
      });
      const org = await getOrganization(store, caller.organizationId);
      reply.header("cache-control", "no-store");
      reply.header(
        "set-cookie",
        sessionCookie(created.secret, created.session.expiresAt, cameOverTls(request)),
      );
      return reply
        .code(201)
        .send({ data: renderSession(created.session, csrfTokenOf(created.secret), org.name) });
    },
  );

  app.get(
    "/sessions/current",
    {
      schema: {
        summary: "The console's session (cookie): who is signed in, the organization, the CSRF token",
        tags,
        response: { 200: singleDocument(SessionResource), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { session, secret } = currentSession(request);
      const org = await getOrganization(store, callerOf(request).organizationId);
      reply.header("cache-control", "no-store");
      return { data: renderSession(session, csrfTokenOf(secret), org.name) };
    },
  );

  app.delete(
    "/sessions/current",
    {
      schema: {
        summary: "Sign out: ends the session on every instance and clears the cookie (needs X-CSRF-Token)",
        tags,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { session } = currentSession(request);
      await endSession(store, mutationContextOf(request), session.id);
      reply.header("set-cookie", clearedSessionCookie(cameOverTls(request)));
      return reply.code(204).send();
    },
  );
}
