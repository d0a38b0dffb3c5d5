// HTTP API, infrastructure: the response serializer of every route: Fastify's own compiler
// (fast-json-stringify), given one root schema id for every route's schemas.
//
// Why: fast-json-stringify files each schema it compiles under its root id in a fresh object, and
// Fastify's default gives every schema an id of its own (`__fjs_root_417`): hundreds of property
// names no other object has, each a transition from V8's empty-object shape (1,221 after building
// the routes, 43 at start; 392 with one root id here and ajv without its name-recording passes,
// request-validation.ts). This was measured at 0.85x CPU per authenticated read, and taken then for
// the cause of `process.nextTick`'s cost; that cost turned out to be its tick objects' shapes dying
// between GCs (tick-object-shape.ts), which also fell in those processes. With that fixed, what the
// fewer transitions still save is within this machine's noise (fresh processes alternating with and
// without both: 27.5 vs 28.4 µs median); they are kept as the smaller heap state.
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
