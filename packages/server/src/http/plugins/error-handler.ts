// HTTP API, infrastructure: the one error handler. Maps DomainError codes to statuses in one
// place, turns schema validation failures into 422 (body) or 400 (query, path) naming the field,
// gives Fastify's own errors (bad URL, unparseable or empty JSON, unsupported media type, body too
// large, unknown route or method, malformed HTTP) a detail saying what to fix, and hides the
// internals of 5xx errors. Every error is a JSON:API error document.
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { recordAuditEvent } from "../../domain/audit/audit-event.js";
import { DomainError, type DomainErrorCode } from "../../domain/domain-error.js";
import { JSON_API_MEDIA_TYPE } from "../jsonapi/json-api-schemas.js";
import { RequestError } from "../jsonapi/request-error.js";

const STATUS: Readonly<Record<DomainErrorCode, number>> = {
  invalid: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  policy_denied: 422,
};

const TITLES: Readonly<Record<number, string>> = {
  400: "bad request",
  401: "unauthorized",
  403: "forbidden",
  404: "not found",
  405: "method not allowed",
  408: "request timeout",
  409: "conflict",
  413: "payload too large",
  414: "URI too long",
  415: "unsupported media type",
  422: "invalid attribute",
  429: "too many requests",
  431: "request header fields too large",
  500: "internal server error",
  503: "service unavailable",
};

/** One JSON:API error object. */
export interface ErrorObjectValue {
  status: string;
  code?: string;
  title: string;
  detail: string;
  source?: { pointer?: string; parameter?: string; header?: string };
  meta?: Record<string, unknown>;
}

const QUERY_FIELDS: Readonly<Record<string, string>> = { pageNumber: "page[number]", pageSize: "page[size]" };

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The JSON pointer (or query parameter) of a domain field name such as `validTo` or `spaceId`. */
export function sourceOfField(field: string | undefined): ErrorObjectValue["source"] {
  if (field === undefined) return undefined;
  if (field.startsWith("/")) return { pointer: field };
  const parameter = QUERY_FIELDS[field];
  if (parameter !== undefined) return { parameter };
  // `filter[kind]`, `page[size]`, `search[name]`: query parameters by their JSON:API names.
  if (/^[a-z][a-z-]*\[[^\]]*\]$/.test(field)) return { parameter: field };
  if (field.endsWith("Id") && field.length > 2)
    return { pointer: `/data/relationships/${kebab(field.slice(0, -2))}/data/id` };
  return { pointer: `/data/attributes/${kebab(field)}` };
}

/** Sends a JSON:API error document with these error objects. */
export function sendErrors(reply: FastifyReply, status: number, errors: ErrorObjectValue[]): FastifyReply {
  return reply.code(status).type(JSON_API_MEDIA_TYPE).send({ errors });
}

function errorObject(
  status: number,
  detail: string,
  extra: Partial<ErrorObjectValue> = {},
): ErrorObjectValue {
  return { status: String(status), title: TITLES[status] ?? "error", detail, ...extra };
}

function domainErrorResponse(reply: FastifyReply, error: DomainError): FastifyReply {
  const source = sourceOfField(error.field);
  // A query parameter that breaks a rule is a bad request (400), a body field a 422.
  const status = error.code === "invalid" && source?.parameter !== undefined ? 400 : STATUS[error.code];
  if (error.code === "unauthenticated") reply.header("www-authenticate", 'Bearer realm="keygate"');
  if (error.code === "rate_limited" || error.code === "unavailable") {
    const retry = error.details?.retryAfterSeconds;
    if (typeof retry === "number") reply.header("retry-after", String(retry));
  }
  if (error.code === "policy_denied") {
    const messages = Array.isArray(error.details?.messages)
      ? (error.details.messages as unknown[]).filter((m): m is string => typeof m === "string")
      : [];
    const meta = { ...(error.details ?? {}) };
    const list = messages.length > 0 ? messages : [error.message];
    return sendErrors(
      reply,
      status,
      list.map((detail) => errorObject(status, detail, { title: "policy denied", meta })),
    );
  }
  return sendErrors(reply, status, [errorObject(status, error.message, source ? { source } : {})]);
}

/** Details for Fastify's own request errors, by code; the rest keep Fastify's message. */
function frameworkDetail(error: FastifyError, request: FastifyRequest): string {
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return "the request body is not valid JSON; send a JSON:API document";
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return "the request body is empty; send a JSON:API document";
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return `Content-Type ${JSON.stringify(request.headers["content-type"] ?? "")} is not accepted here; send ${JSON_API_MEDIA_TYPE}`;
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return "the request body is larger than this endpoint accepts";
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return "the Content-Length header does not match the body";
    case "FST_ERR_BAD_URL":
      return `the URL ${JSON.stringify(request.url)} is not valid: a %-escape does not decode to UTF-8 text`;
    default:
      return error.message;
  }
}

/** Answers an error Fastify raises before routing (`frameworkErrors`: a URL that does not decode). */
export function sendFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status =
    typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500
      ? error.statusCode
      : 400;
  void sendErrors(reply, status, [errorObject(status, frameworkDetail(error, request))]);
}

const CLIENT_ERRORS: Readonly<Record<string, { status: number; detail: string }>> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    detail: "the request's headers (with the URL) are larger than the server accepts",
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: "the request was not received in time" },
  HPE_URI_TOO_LONG: { status: 414, detail: "the request URL is longer than the server accepts" },
};

/**
 * Answers a request the HTTP parser refused (Fastify's `clientErrorHandler`): a JSON:API error
 * document written to the socket, which is then closed, as Node does.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const known = error.code !== undefined ? CLIENT_ERRORS[error.code] : undefined;
  const status = known?.status ?? 400;
  const detail = known?.detail ?? `the request is not valid HTTP/1.1 (${error.code ?? "unparseable"})`;
  const body = JSON.stringify({ errors: [errorObject(status, detail)] });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Bad Request"}\r\n` +
        `Content-Type: ${JSON_API_MEDIA_TYPE}; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

interface ValidationIssue {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Record<string, unknown>;
}

function validationResponse(reply: FastifyReply, error: FastifyError): FastifyReply {
  const issues = (error.validation ?? []) as unknown as ValidationIssue[];
  const context = error.validationContext ?? "body";
  const status = context === "body" ? 422 : 400;
  // Union-of-literal schemas fail as one `const` issue per branch (then `anyOf`): say what is allowed.
  const allowed = new Map<string, string[]>();
  for (const issue of issues) {
    const values =
      issue.keyword === "const"
        ? [issue.params.allowedValue]
        : issue.keyword === "enum" && Array.isArray(issue.params.allowedValues)
          ? issue.params.allowedValues
          : [];
    if (values.length === 0) continue;
    const list = allowed.get(issue.instancePath) ?? [];
    list.push(...values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))));
    allowed.set(issue.instancePath, list);
  }
  const seen = new Set<string>();
  const errors: ErrorObjectValue[] = [];
  for (const issue of issues) {
    const extra =
      typeof issue.params.missingProperty === "string"
        ? `/${issue.params.missingProperty}`
        : typeof issue.params.additionalProperty === "string"
          ? `/${issue.params.additionalProperty}`
          : "";
    const path = issue.instancePath + extra;
    if (seen.has(path)) continue;
    seen.add(path);
    const what = path === "" ? `the ${context}` : context === "body" ? path : `${path.slice(1)}`;
    const emptyBody = context === "body" && path === "" && reply.request.body === undefined;
    const choices = extra === "" ? allowed.get(issue.instancePath) : undefined;
    const message = emptyBody
      ? "is empty; send a JSON:API document"
      : choices !== undefined && ["const", "enum", "anyOf"].includes(issue.keyword)
        ? choices.length === 1
          ? `must be ${choices[0]}`
          : `must be one of: ${[...new Set(choices)].join(", ")}`
      : issue.keyword === "required"
        ? "is required"
        : issue.keyword === "additionalProperties"
          ? "is not allowed here"
          : (issue.message ?? "is invalid");
    const detail = `${what} ${message}`;
    const source = context === "body" ? { pointer: path === "" ? "/" : path } : { parameter: path.slice(1) };
    errors.push(errorObject(status, detail, { source }));
  }
  if (errors.length === 0) errors.push(errorObject(status, error.message));
  return sendErrors(reply, status, errors);
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Records a change refused for lack of permission (outcome `denied`), so the audit log shows attempts too. */
async function auditRefusedChange(request: FastifyRequest, error: DomainError): Promise<void> {
  const caller = request.caller;
  if (!caller || !MUTATING.has(request.method)) return;
  const route = request.routeOptions.url ?? request.url;
  const params = (request.params ?? {}) as Record<string, unknown>;
  const id = typeof params.id === "string" ? params.id : typeof params.org === "string" ? params.org : "";
  try {
    await recordAuditEvent(request.server.keygate.store, {
      organizationId: caller.organizationId,
      actor: { principalId: caller.principal.id, tokenId: caller.token.id, ip: request.ip, via: "api" },
      action: "request.forbidden",
      resourceType: /^\/api\/v2\/([a-z-]+)/.exec(route)?.[1] ?? "api",
      resourceId: id,
      outcome: "denied",
      details: { method: request.method, route, reason: error.message },
    });
  } catch (failure) {
    request.log.error({ err: failure }, "recording a refused change in the audit log failed");
  }
}

const ROUTE_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;

/** Installs the error handler, and a JSON:API 404 for unknown routes (405 with Allow for a known path). */
export function installErrorHandler(
  app: FastifyInstance,
  /** Called once for each request no route matched (answered 404 or 405, or refused before), before it is answered. */
  onUnmatched?: (request: FastifyRequest, reply: FastifyReply) => void,
): void {
  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    // Refused by a hook (the input guard's 400, say) before the not-found handler could run.
    if (request.is404) onUnmatched?.(request, reply);
    if (error instanceof DomainError) {
      // A refusal answered 404 (the caller may not see the resource) is still a refused change.
      if (error.code === "forbidden" || (error.code === "not_found" && error.details?.lacking !== undefined)) {
        await auditRefusedChange(request, error);
      }
      return domainErrorResponse(reply, error);
    }
    if (error instanceof RequestError) {
      const status = error.statusCode;
      return sendErrors(reply, status, [
        errorObject(status, error.message, {
          ...(error.code !== undefined ? { code: error.code } : {}),
          ...(error.source ? { source: error.source } : {}),
        }),
      ]);
    }
    if (error.validation) return validationResponse(reply, error);
    const status =
      typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 600
        ? error.statusCode
        : 500;
    if (status >= 500) {
      request.log.error({ err: error }, "request failed");
      return sendErrors(reply, 500, [
        errorObject(500, "the server failed to handle this request; it has been logged"),
      ]);
    }
    return sendErrors(reply, status, [errorObject(status, frameworkDetail(error, request))]);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    onUnmatched?.(request, reply);
    const path = request.url.split("?")[0] ?? "";
    const allowed = ROUTE_METHODS.filter(
      (method) => request.server.findRoute({ method, url: path }) !== null,
    );
    if (allowed.length > 0) {
      reply.header("allow", allowed.join(", "));
      return sendErrors(reply, 405, [
        errorObject(405, `${path} does not take ${request.method}; it takes ${allowed.join(", ")}`),
      ]);
    }
    return sendErrors(reply, 404, [errorObject(404, `no route for ${request.method} ${path}`)]);
  });
}
