// HTTP API, representations: tokens (`tokens`) as JSON:API resources, and their request bodies.
// The token text appears only in the create and rotate responses (`attributes.token`).
import { type Static, Type } from "@sinclair/typebox";
import type { Token } from "../../domain/tokens/token.js";
import { isoTime, toOne } from "../jsonapi/json-api-document.js";
import { Nullable, resourceSchema, TimeInput, ToOneRelationship } from "../jsonapi/json-api-schemas.js";

const TokenAttributes = {
  name: Type.String(),
  description: Type.String(),
  tags: Type.Record(Type.String(), Type.String()),
  status: Type.Union([
    Type.Literal("active"),
    Type.Literal("rotated"),
    Type.Literal("expired"),
    Type.Literal("revoked"),
  ]),
  "public-id": Type.String(),
  "valid-from": Type.String(),
  "valid-to": Nullable(Type.String()),
  "scheduled-expire-time": Nullable(Type.String()),
  "revoked-at": Nullable(Type.String()),
  "last-used-at": Nullable(Type.String()),
  "created-at": Type.String(),
  "updated-at": Type.String(),
};

const TokenRelationships = Type.Object({
  "api-key": ToOneRelationship,
  principal: ToOneRelationship,
  "created-by": ToOneRelationship,
  "rotated-from": ToOneRelationship,
  "rotated-to": ToOneRelationship,
});

/** A token resource (never with its secret). */
export const TokenResource = resourceSchema("tokens", Type.Object(TokenAttributes), TokenRelationships);

/** A newly issued token resource: `attributes.token` holds the text, shown this once. */
export const IssuedTokenResource = resourceSchema(
  "tokens",
  Type.Object({
    ...TokenAttributes,
    token: Type.String({ description: "The token text; shown only in this response" }),
  }),
  TokenRelationships,
);

/** Body of `POST /api-keys/:id/tokens`. */
export const CreateTokenBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("tokens"),
    attributes: Type.Object({
      name: Type.String({ minLength: 1 }),
      description: Type.Optional(Type.String()),
      tags: Type.Optional(Type.Record(Type.String(), Type.String())),
      "valid-from": Type.Optional(TimeInput),
      "valid-to": Type.Optional(Nullable(TimeInput)),
    }),
  }),
});

/** Body of `PATCH /tokens/:id`. */
export const UpdateTokenBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("tokens"),
    attributes: Type.Object({
      name: Type.Optional(Type.String()),
      description: Type.Optional(Type.String()),
      tags: Type.Optional(Type.Record(Type.String(), Type.String())),
      "valid-to": Type.Optional(Nullable(TimeInput)),
    }),
  }),
});

/** Body of `POST /tokens/:id/actions/rotate` (optional: no grace period by default). */
export const RotateTokenBody = Type.Object({
  data: Type.Optional(
    Type.Object({
      type: Type.Optional(Type.Literal("tokens")),
      attributes: Type.Object({
        "grace-period-seconds": Type.Optional(
          Type.Integer({ minimum: 0, description: "How long the old token keeps working" }),
        ),
        "valid-to": Type.Optional(Nullable(TimeInput)),
      }),
    }),
  ),
});

/** Renders a token (without its secret). */
export function renderToken(token: Token): Static<typeof TokenResource> {
  return {
    id: token.id,
    type: "tokens",
    attributes: {
      name: token.name,
      description: token.description,
      tags: { ...token.tags },
      status: token.status,
      "public-id": token.publicId,
      "valid-from": isoTime(token.validFrom) ?? "",
      "valid-to": isoTime(token.validTo),
      "scheduled-expire-time": isoTime(token.scheduledExpireTime),
      "revoked-at": isoTime(token.revokedAt),
      "last-used-at": isoTime(token.lastUsedAt),
      "created-at": isoTime(token.createdAt) ?? "",
      "updated-at": isoTime(token.updatedAt) ?? "",
    },
    relationships: {
      "api-key": toOne("api-keys", token.apiKeyId),
      principal: toOne("principals", token.principalId),
      "created-by": toOne("principals", token.createdBy),
      "rotated-from": toOne("tokens", token.rotatedFromId),
      "rotated-to": toOne("tokens", token.rotatedToId),
    },
    links: { self: `/api/v2/tokens/${token.id}` },
  };
}

/** Renders a newly issued token with its text. */
export function renderIssuedToken(token: Token, value: string): Static<typeof IssuedTokenResource> {
  const resource = renderToken(token);
  return { ...resource, attributes: { ...resource.attributes, token: value } };
}
