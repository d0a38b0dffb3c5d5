// HTTP API, representations: delegate tokens (`delegate-tokens`) and connected delegates
// (`delegates`) as JSON:API resources, and the request bodies. The token text appears only in
// the create and rotate responses (`attributes.token`).
import { type Static, Type } from "@sinclair/typebox";
import type { DelegateToken } from "../../../domain/delegate-tokens/delegate-token.js";
import type { Delegate } from "../../../domain/delegates/delegate.js";
import { isoTime, toOne } from "../../jsonapi/json-api-document.js";
import {
  Nullable,
  ResourceIdentifier,
  resourceSchema,
  ToOneRelationship,
} from "../../jsonapi/json-api-schemas.js";

const DelegateTokenAttributes = {
  name: Type.String(),
  description: Type.String(),
  status: Type.Union([Type.Literal("active"), Type.Literal("rotated"), Type.Literal("revoked")]),
  default: Type.Boolean({ description: "True for the organization's default delegate token" }),
  "public-id": Type.String(),
  "revoked-at": Nullable(Type.String()),
  "last-used-at": Nullable(Type.String({ description: "When a delegate last connected with it" })),
  "created-at": Type.String(),
  "updated-at": Type.String(),
};

const DelegateTokenRelationships = Type.Object({
  space: ToOneRelationship,
  "created-by": ToOneRelationship,
  "rotated-from": ToOneRelationship,
  "rotated-to": ToOneRelationship,
});

/** A delegate token resource (never with its secret). */
export const DelegateTokenResource = resourceSchema(
  "delegate-tokens",
  Type.Object(DelegateTokenAttributes),
  DelegateTokenRelationships,
);

/** A newly issued delegate token: `attributes.token` holds the text, shown this once. */
export const IssuedDelegateTokenResource = resourceSchema(
  "delegate-tokens",
  Type.Object({
    ...DelegateTokenAttributes,
    token: Type.String({ description: "The token text; shown only in this response" }),
  }),
  DelegateTokenRelationships,
);

/** A connected delegate resource. */
export const DelegateResource = resourceSchema(
  "delegates",
  Type.Object({
    name: Type.String(),
    host: Type.String(),
    version: Type.String(),
    "remote-address": Nullable(Type.String()),
    "connected-at": Type.String(),
    "last-heartbeat-at": Type.String(),
  }),
  Type.Object({ "delegate-token": ToOneRelationship, space: ToOneRelationship }),
);

/** Body of `POST /organizations/:org/delegate-tokens` (space: default the root space). */
export const CreateDelegateTokenBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("delegate-tokens"),
    attributes: Type.Object({
      name: Type.String({ minLength: 1 }),
      description: Type.Optional(Type.String()),
    }),
    relationships: Type.Optional(
      Type.Object({ space: Type.Optional(Type.Object({ data: ResourceIdentifier })) }),
    ),
  }),
});

/** Body of `PATCH /delegate-tokens/:id`. */
export const UpdateDelegateTokenBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("delegate-tokens"),
    attributes: Type.Object({
      name: Type.Optional(Type.String({ minLength: 1 })),
      description: Type.Optional(Type.String()),
    }),
  }),
});

/** Renders a delegate token (without its secret). */
export function renderDelegateToken(token: DelegateToken): Static<typeof DelegateTokenResource> {
  return {
    id: token.id,
    type: "delegate-tokens",
    attributes: {
      name: token.name,
      description: token.description,
      status: token.status,
      default: token.isDefault,
      "public-id": token.publicId,
      "revoked-at": isoTime(token.revokedAt),
      "last-used-at": isoTime(token.lastUsedAt),
      "created-at": isoTime(token.createdAt) ?? "",
      "updated-at": isoTime(token.updatedAt) ?? "",
    },
    relationships: {
      space: toOne("spaces", token.spaceId),
      "created-by": toOne("principals", token.createdBy),
      "rotated-from": toOne("delegate-tokens", token.rotatedFromId),
      "rotated-to": toOne("delegate-tokens", token.rotatedToId),
    },
    links: { self: `/api/v2/delegate-tokens/${token.id}` },
  };
}

/** Renders a newly issued delegate token with its text. */
export function renderIssuedDelegateToken(
  token: DelegateToken,
  value: string,
): Static<typeof IssuedDelegateTokenResource> {
  const resource = renderDelegateToken(token);
  return { ...resource, attributes: { ...resource.attributes, token: value } };
}

/** Renders a connected delegate. */
export function renderDelegate(delegate: Delegate): Static<typeof DelegateResource> {
  return {
    id: delegate.id,
    type: "delegates",
    attributes: {
      name: delegate.name,
      host: delegate.host,
      version: delegate.version,
      "remote-address": delegate.remoteAddress,
      "connected-at": isoTime(delegate.connectedAt) ?? "",
      "last-heartbeat-at": isoTime(delegate.lastHeartbeatAt) ?? "",
    },
    relationships: {
      "delegate-token": toOne("delegate-tokens", delegate.delegateTokenId),
      space: toOne("spaces", delegate.spaceId),
    },
    links: { self: `/api/v2/delegates/${delegate.id}` },
  };
}
