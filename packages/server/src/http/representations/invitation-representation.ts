// HTTP API, representations: invitations (`invitations`), their previews and acceptances, as
// JSON:API resources and bodies. The secret (and the URL holding it) appears only in the creation
// response.
import { type Static, Type } from "@sinclair/typebox";
import {
  DEFAULT_INVITATION_HOURS,
  INVITATION_STATUSES,
  type Invitation,
  MAX_INVITATION_HOURS,
} from "../../domain/invitations/invitation.js";
import type { Token } from "../../domain/tokens/token.js";
import { isoTime, toOne } from "../jsonapi/json-api-document.js";
import {
  Nullable,
  ResourceIdentifier,
  resourceSchema,
  TimeInput,
  ToOneRelationship,
} from "../jsonapi/json-api-schemas.js";
import { IssuedTokenResource, renderIssuedToken } from "./token-representation.js";

/** An invitation status, as a schema. */
export const InvitationStatusSchema = Type.Union(INVITATION_STATUSES.map((s) => Type.Literal(s)));

const InvitationAttributes = {
  status: InvitationStatusSchema,
  "created-at": Type.String(),
  "expires-at": Type.String(),
  "revoked-at": Nullable(Type.String()),
  "accepted-at": Nullable(Type.String()),
};

const InvitationRelationships = Type.Object({
  user: ToOneRelationship,
  "created-by": ToOneRelationship,
  token: ToOneRelationship,
});

/** An invitation resource (never with its secret). */
export const InvitationResource = resourceSchema(
  "invitations",
  Type.Object(InvitationAttributes),
  InvitationRelationships,
);

/** A new invitation: `secret` and `url` are shown only in this response. */
export const CreatedInvitationResource = resourceSchema(
  "invitations",
  Type.Object({
    ...InvitationAttributes,
    secret: Type.String({ description: "The invitation secret (kgi_...); shown only in this response" }),
    url: Type.String({
      description: "<origin>/invite#<secret>: the fragment keeps the secret out of server logs",
    }),
  }),
  InvitationRelationships,
);

/** Body of `POST /organizations/:org/invitations`. */
export const CreateInvitationBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("invitations"),
    attributes: Type.Optional(
      Type.Object({
        "expires-in-hours": Type.Optional(
          Type.Integer({
            minimum: 1,
            maximum: MAX_INVITATION_HOURS,
            description: `How long the invitation can be accepted (default ${DEFAULT_INVITATION_HOURS})`,
          }),
        ),
      }),
    ),
    relationships: Type.Object({
      user: Type.Object({ data: ResourceIdentifier }),
    }),
  }),
});

/** Body of `POST /invitation-previews`. */
export const InvitationPreviewBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("invitation-previews"),
    attributes: Type.Object({ secret: Type.String({ minLength: 1, maxLength: 200 }) }),
  }),
});

/** What an invitation secret shows before it is accepted. */
export const InvitationPreviewResource = Type.Object(
  {
    id: Type.String(),
    type: Type.Literal("invitation-previews"),
    attributes: Type.Object({
      "user-name": Type.String(),
      organization: Type.String(),
      "expires-at": Type.String(),
    }),
  },
  { title: "invitation-previews" },
);

/** Body of `POST /invitation-acceptances`. */
export const InvitationAcceptanceBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("invitation-acceptances"),
    attributes: Type.Object({
      secret: Type.String({ minLength: 1, maxLength: 200 }),
      "token-description": Type.Optional(Type.String()),
      "token-expires-at": Type.Optional(TimeInput),
    }),
  }),
});

/** Renders an invitation (without its secret). */
export function renderInvitation(invitation: Invitation): Static<typeof InvitationResource> {
  return {
    id: invitation.id,
    type: "invitations",
    attributes: {
      status: invitation.status,
      "created-at": isoTime(invitation.createdAt) ?? "",
      "expires-at": isoTime(invitation.expiresAt) ?? "",
      "revoked-at": isoTime(invitation.revokedAt),
      "accepted-at": isoTime(invitation.acceptedAt),
    },
    relationships: {
      user: toOne("users", invitation.userId),
      "created-by": toOne("principals", invitation.createdBy),
      token: toOne("tokens", invitation.acceptedTokenId),
    },
    links: { self: `/api/v2/invitations/${invitation.id}` },
  };
}

/** Renders a new invitation with its secret and URL, shown this once. */
export function renderCreatedInvitation(
  invitation: Invitation,
  secret: string,
  url: string,
): Static<typeof CreatedInvitationResource> {
  const resource = renderInvitation(invitation);
  return { ...resource, attributes: { ...resource.attributes, secret, url } };
}

/** The token an acceptance mints: an issued token whose text is also `attributes.secret`. */
export const AcceptedTokenResource = Type.Object(
  {
    ...IssuedTokenResource.properties,
    attributes: Type.Object({
      ...IssuedTokenResource.properties.attributes.properties,
      secret: Type.String({
        description: "The personal token's text (as `token`); shown only in this response",
      }),
    }),
  },
  { title: "tokens" },
);

/** Renders the token an acceptance minted, with its text. */
export function renderAcceptedToken(token: Token, value: string): Static<typeof AcceptedTokenResource> {
  const resource = renderIssuedToken(token, value);
  return { ...resource, attributes: { ...resource.attributes, secret: value } };
}
