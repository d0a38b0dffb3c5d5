// HTTP API, infrastructure: the response serializer of every route: Fastify's own compiler
// (fast-json-stringify), given one root schema id for every route's schemas.
//
// Why: fast-json-stringify files each schema it compiles under its root id in a fresh object, and
// Fastify's default gives every schema an id of its own (`__fjs_root_417`). Every object that gets
// a property name no object had before as its first property adds a transition to V8's empty-object
// shape, and that shape is the one Node's own per-request objects start from (the tick objects of
// `process.nextTick`, say). Measured on `keygate serve`: compiling the routes' schemas left 1,221
// transitions there (43 at start); with that many, a bare Fastify route in the same process cost
// 21-25 µs of CPU per request against 15-18 µs in a process of its own, and `nextTick` alone 4 µs
// more. One root id here and ajv without its name-recording passes (request-validation.ts) leave
// 392, and the authenticated read costs 15% less CPU. A full garbage collection would drop the dead
// ones too, but none may come for as long as the server serves reads.
import { SerializerSelector } from "@fastify/fast-json-stringify-compiler";
import type { FastifyInstance } from "fastify";

/** The root id every response schema is compiled under (each compilation resolves its own refs). */
const ROOT_SCHEMA_ID = "keygate-response";

/** Installs the response serializer compiler (call before routes are added). */
export function installResponseSerializer(app: FastifyInstance): void {
  // As Fastify's default: no shared schemas (this app adds none), no options.
  const compile = SerializerSelector()();
  app.setSerializerCompiler(({ method, url, httpStatus, schema }) =>
    compile({
      method,
      url,
      httpStatus: httpStatus ?? "default",
      schema: { ...(schema as object), $id: ROOT_SCHEMA_ID },
    }),
  );
}
