// HTTP API, JSON:API: the TypeBox schemas shared by every resource: resource objects, documents,
// relationships, error objects, pagination and id parameters.
import { type TObject, type TProperties, type TSchema, Type } from "@sinclair/typebox";
import { MAX_PAGE_NUMBER, MAX_PAGE_SIZE } from "../../domain/pagination/page.js";
import { MAX_EPOCH_MS, RFC3339_EXAMPLE } from "../../domain/validation/rfc3339-time.js";

/** The media type of every JSON:API request and response. */
export const JSON_API_MEDIA_TYPE = "application/vnd.api+json";

/** `{ id, type }`: a pointer to another resource. */
export const ResourceIdentifier = Type.Object({ id: Type.String(), type: Type.String() });

/** A to-one relationship (possibly empty). */
export const ToOneRelationship = Type.Object({ data: Type.Union([ResourceIdentifier, Type.Null()]) });

/** A to-many relationship. */
export const ToManyRelationship = Type.Object({ data: Type.Array(ResourceIdentifier) });

/** `links.self` of a resource. */
export const SelfLinks = Type.Object({ self: Type.String() });

/** A nullable value of a schema. */
export function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

/** A resource object schema of `type` with these attributes and relationships. */
export function resourceSchema<A extends TProperties, R extends TProperties>(
  type: string,
  attributes: TObject<A>,
  relationships: TObject<R>,
) {
  return Type.Object(
    {
      id: Type.String(),
      type: Type.Literal(type),
      attributes,
      relationships,
      links: SelfLinks,
    },
    { title: type },
  );
}

/** Document `meta` with advisory policy warnings and the evaluation id, on saves. */
export const SaveMeta = Type.Object({
  warnings: Type.Array(Type.String()),
  "policy-evaluation-id": Nullable(Type.String()),
});

/** A single-resource document. */
export function singleDocument<T extends TSchema>(resource: T) {
  return Type.Object({ data: resource, meta: Type.Optional(SaveMeta) });
}

/** `meta.pagination` of a list (HCP Terraform's names). */
export const PaginationMeta = Type.Object({
  "current-page": Type.Integer(),
  "page-size": Type.Integer(),
  "prev-page": Nullable(Type.Integer()),
  "next-page": Nullable(Type.Integer()),
  "total-pages": Type.Integer(),
  "total-count": Type.Integer(),
});

/** Links of a list page. */
export const PageLinks = Type.Object({
  self: Type.String(),
  first: Type.String(),
  prev: Nullable(Type.String()),
  next: Nullable(Type.String()),
  last: Type.String(),
});

/** A list document (one page). */
export function listDocument<T extends TSchema>(resource: T) {
  return Type.Object({
    data: Type.Array(resource),
    links: PageLinks,
    meta: Type.Object({ pagination: PaginationMeta }),
  });
}

/** One JSON:API error object. */
export const ErrorObject = Type.Object({
  status: Type.String(),
  code: Type.Optional(
    Type.String({ description: "A stable machine-readable code, e.g. csrf_token_invalid" }),
  ),
  title: Type.String(),
  detail: Type.String(),
  source: Type.Optional(
    Type.Object({
      pointer: Type.Optional(Type.String()),
      parameter: Type.Optional(Type.String()),
      header: Type.Optional(Type.String()),
    }),
  ),
  meta: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

/** A JSON:API error document. */
export const ErrorDocument = Type.Object({ errors: Type.Array(ErrorObject) });

/** The error responses every route may give. */
export const ERROR_RESPONSES = { "4xx": ErrorDocument, "5xx": ErrorDocument } as const;

/** `page[number]` and `page[size]`. */
export const PageQuery = Type.Object({
  "page[number]": Type.Optional(
    Type.Integer({ minimum: 1, maximum: MAX_PAGE_NUMBER, description: "Page number, from 1" }),
  ),
  "page[size]": Type.Optional(
    Type.Integer({
      minimum: 1,
      description: `Items per page (default 20); a larger size than ${MAX_PAGE_SIZE} means ${MAX_PAGE_SIZE}, as in HCP Terraform`,
    }),
  ),
});

/** `:id` path parameter. */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

/** `:org` path parameter: an organization's name or id. */
export const OrgParams = Type.Object({ org: Type.String({ minLength: 1, maxLength: 200 }) });

/** A time given as an RFC 3339 date-time or epoch milliseconds (checked strictly by `epochMsOf`). */
export const TimeInput = Type.Union([
  Type.String({ description: `RFC 3339 date-time, e.g. ${RFC3339_EXAMPLE}` }),
  Type.Integer({ minimum: 0, maximum: MAX_EPOCH_MS, description: "Epoch milliseconds" }),
]);
