// HTTP API, representations: console sessions (`sessions`) as JSON:API resources, and the sign-in
// body. The session's secret never appears in a document: it travels only in the cookie.
import { type Static, Type } from "@sinclair/typebox";
import type { Session } from "../../domain/sessions/session.js";
import { isoTime, toOne } from "../jsonapi/json-api-document.js";
import { resourceSchema, ToOneRelationship } from "../jsonapi/json-api-schemas.js";

/** A session resource: who is signed in, in which organization, and the CSRF token to send on writes. */
export const SessionResource = resourceSchema(
  "sessions",
  Type.Object({
    "csrf-token": Type.String({ description: "Send it as X-CSRF-Token on POST, PATCH, PUT and DELETE" }),
    "created-at": Type.String(),
    "expires-at": Type.String(),
  }),
  Type.Object({ user: ToOneRelationship, organization: ToOneRelationship }),
);

/** Body of `POST /sessions`: a user's personal token, exchanged for the session cookie. */
export const CreateSessionBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("sessions"),
    attributes: Type.Object({
      token: Type.String({
        minLength: 1,
        maxLength: 200,
        description: "A personal (kgu_) token of the user",
      }),
    }),
  }),
});

/** Renders a session with its CSRF token; `organizationName` is the organization's id in the API. */
export function renderSession(
  session: Session,
  csrfToken: string,
  organizationName: string,
): Static<typeof SessionResource> {
  return {
    id: session.id,
    type: "sessions",
    attributes: {
      "csrf-token": csrfToken,
      "created-at": isoTime(session.createdAt) ?? "",
      "expires-at": isoTime(session.expiresAt) ?? "",
    },
    relationships: {
      user: toOne("users", session.principalId),
      organization: toOne("organizations", organizationName),
    },
    links: { self: "/api/v2/sessions/current" },
  };
}
