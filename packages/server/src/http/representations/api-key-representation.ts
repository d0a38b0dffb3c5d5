// HTTP API, representations: API keys (`api-keys`) as JSON:API resources, and their request bodies.
import { type Static, Type } from "@sinclair/typebox";
import type { ApiKey } from "../../domain/api-keys/api-key.js";
import { isoTime, toOne } from "../jsonapi/json-api-document.js";
import { resourceSchema, ToOneRelationship } from "../jsonapi/json-api-schemas.js";

/** An API key resource. */
export const ApiKeyResource = resourceSchema(
  "api-keys",
  Type.Object({
    name: Type.String(),
    description: Type.String(),
    "api-key-type": Type.Union([Type.Literal("USER"), Type.Literal("SERVICE")]),
    tags: Type.Record(Type.String(), Type.String()),
    "created-at": Type.String(),
    "updated-at": Type.String(),
  }),
  Type.Object({ principal: ToOneRelationship, "created-by": ToOneRelationship }),
);

/** Body of `POST /service-accounts/:id/api-keys` and `POST /account/api-keys`. */
export const CreateApiKeyBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("api-keys"),
    attributes: Type.Object({
      name: Type.String({ minLength: 1 }),
      description: Type.Optional(Type.String()),
      tags: Type.Optional(Type.Record(Type.String(), Type.String())),
    }),
  }),
});

/** Body of `PATCH /api-keys/:id`. */
export const UpdateApiKeyBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("api-keys"),
    attributes: Type.Object({
      name: Type.Optional(Type.String()),
      description: Type.Optional(Type.String()),
      tags: Type.Optional(Type.Record(Type.String(), Type.String(), { description: "Replaces every tag" })),
    }),
  }),
});

/** The tag filter of key and token lists: `filter[tag]=KEY=VALUE`, repeatable; a row must hold every one. */
export const TagFilterQuery = Type.Object({
  "filter[tag]": Type.Optional(
    Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 50 })], {
      description: "KEY=VALUE (split at the first =); repeat for more tags, all of which must match",
    }),
  ),
});

/** Renders an API key. */
export function renderApiKey(key: ApiKey): Static<typeof ApiKeyResource> {
  return {
    id: key.id,
    type: "api-keys",
    attributes: {
      name: key.name,
      description: key.description,
      "api-key-type": key.type,
      tags: { ...key.tags },
      "created-at": isoTime(key.createdAt) ?? "",
      "updated-at": isoTime(key.updatedAt) ?? "",
    },
    relationships: {
      principal: toOne(key.type === "USER" ? "users" : "service-accounts", key.principalId),
      "created-by": toOne("principals", key.createdBy),
    },
    links: { self: `/api/v2/api-keys/${key.id}` },
  };
}
