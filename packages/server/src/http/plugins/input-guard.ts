// HTTP API, infrastructure: one hook in front of every route's validation refuses input no store can
// keep (a NUL character: PostgreSQL refuses it, SQLite would keep it) and bodies nested deeper than
// any document needs: a path parameter answers 404 (no resource has such an id), a query parameter
// 400, a body 422 with the JSON pointer of the value; a header-derived value (the credential, the
// client address) 400, checked before authentication reads them.
import type { FastifyInstance, preValidationHookHandler } from "fastify";
import {
  findUnstorableInput,
  hasNulCharacter,
  MAX_INPUT_DEPTH,
  type UnstorableInput,
} from "../../domain/validation/storable-input.js";
import { RequestError } from "../jsonapi/request-error.js";

function bodyError(found: UnstorableInput): RequestError {
  const pointer = found.pointer === "" ? "/" : found.pointer;
  switch (found.kind) {
    case "nul_character":
      return new RequestError(
        422,
        `${pointer} ${found.inKey ? "is a key that contains" : "contains"} a NUL character (\\u0000), which no field accepts`,
        { pointer },
      );
    case "too_deep":
      return new RequestError(
        422,
        `${pointer} is nested deeper than ${MAX_INPUT_DEPTH} levels of arrays and objects`,
        { pointer },
      );
  }
}

function pathError(params: unknown): RequestError | undefined {
  if (typeof params !== "object" || params === null) return undefined;
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === "string" && hasNulCharacter(value)) {
      return new RequestError(
        404,
        `no resource has an id containing a NUL character (path parameter :${name})`,
      );
    }
  }
  return undefined;
}

function queryError(query: unknown): RequestError | undefined {
  if (typeof query !== "object" || query === null) return undefined;
  for (const [name, value] of Object.entries(query)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (hasNulCharacter(name) || values.some((v) => typeof v === "string" && hasNulCharacter(v))) {
      return new RequestError(400, `query parameter ${JSON.stringify(name)} contains a NUL character (%00)`, {
        parameter: name,
      });
    }
  }
  return undefined;
}

function rawBodyError(body: unknown): RequestError | undefined {
  const nul = typeof body === "string" ? hasNulCharacter(body) : Buffer.isBuffer(body) && body.includes(0);
  return nul ? new RequestError(422, "the request body contains a NUL byte", { pointer: "/" }) : undefined;
}

/** The first problem of this request's path parameters, query and body; undefined when none. */
export function unstorableInputError(
  params: unknown,
  query: unknown,
  body: unknown,
): RequestError | undefined {
  const inPath = pathError(params);
  if (inPath) return inPath;
  const inQuery = queryError(query);
  if (inQuery) return inQuery;
  if (typeof body === "string" || Buffer.isBuffer(body)) return rawBodyError(body);
  const found = findUnstorableInput(body);
  return found === undefined ? undefined : bodyError(found);
}

/**
 * The first header-derived value of the request that holds a NUL (the credential, or the client
 * address taken from X-Forwarded-For behind a trusted proxy); undefined when none. HTTP parsers
 * refuse such headers already; requests built in process are not parsed.
 */
export function unstorableHeaderError(
  authorization: string | undefined,
  ip: string,
): RequestError | undefined {
  if (authorization !== undefined && hasNulCharacter(authorization)) {
    return new RequestError(400, "the Authorization header contains a NUL character", {
      header: "Authorization",
    });
  }
  if (hasNulCharacter(ip)) {
    return new RequestError(400, "the client address (X-Forwarded-For) contains a NUL character", {
      header: "X-Forwarded-For",
    });
  }
  return undefined;
}

/**
 * Installs the guard on every route (call before routes are added). The header-derived values are
 * checked by the /api/v2 scope's authentication hook, their one reader (unstorableHeaderError): a
 * hook of its own would cost every request a hook call.
 */
export function installInputGuard(app: FastifyInstance): void {
  const guard: preValidationHookHandler = (request, _reply, done) => {
    // Path parameters and query values are decoded from the URL: without a `%` (or a raw NUL,
    // which only requests built in process can carry) none can hold a NUL, and most requests have
    // no body: then there is nothing to look at.
    const url = request.url;
    if (request.body === undefined && !url.includes("%") && !url.includes("\0")) return done();
    done(unstorableInputError(request.params, request.query, request.body));
  };
  app.addHook("preValidation", guard);
}
