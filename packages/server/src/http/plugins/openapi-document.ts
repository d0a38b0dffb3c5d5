// HTTP API, infrastructure: the OpenAPI 3.1 document, generated from the TypeBox schemas of
// every route as it is registered, served at /api/v2/openapi.json.
import type { FastifyInstance, RouteOptions } from "fastify";
import { JSON_API_MEDIA_TYPE } from "../jsonapi/json-api-schemas.js";
import { isConsolePublic, SESSION_COOKIE } from "./session-cookie.js";

// A bearer token, or the console's session cookie (with X-CSRF-Token on unsafe methods).
const CREDENTIALS: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

type JsonSchema = Record<string, unknown>;

interface Operation {
  summary?: string;
  tags?: string[];
  parameters: JsonSchema[];
  requestBody?: JsonSchema;
  responses: Record<string, JsonSchema>;
  security?: Record<string, string[]>[];
}

function plain(schema: unknown): JsonSchema {
  // Drops TypeBox's symbol keys and undefined values.
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

function parametersOf(schema: unknown, where: "path" | "query"): JsonSchema[] {
  const object = schema as { properties?: Record<string, unknown>; required?: string[] } | undefined;
  if (!object?.properties) return [];
  return Object.entries(object.properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === "path" || (object.required ?? []).includes(name),
    schema: plain(property),
  }));
}

/** Collects routes and renders them as an OpenAPI document. */
export class OpenApiCollector {
  private readonly paths: Record<string, Record<string, Operation>> = {};

  /** Adds a route (call from an onRoute hook). */
  add(route: RouteOptions): void {
    const url = route.url ?? "";
    if (!url.startsWith("/api/v2") || url.endsWith("/openapi.json")) return;
    const path = url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== "HEAD");
    const schema = (route.schema ?? {}) as {
      params?: unknown;
      querystring?: unknown;
      body?: unknown;
      response?: Record<string, unknown>;
      summary?: string;
      tags?: string[];
    };
    const responses: Record<string, JsonSchema> = {};
    for (const [status, body] of Object.entries(schema.response ?? {})) {
      // A response given by media type (Fastify's `content` form, e.g. text/event-stream) as it is.
      const byMediaType = body as { description?: string; content?: Record<string, { schema: unknown }> };
      if (typeof byMediaType.content === "object" && byMediaType.content !== null) {
        responses[status.toUpperCase()] = {
          description: byMediaType.description ?? "Success",
          content: Object.fromEntries(
            Object.entries(byMediaType.content).map(([type, media]) => [
              type,
              { schema: plain(media.schema) },
            ]),
          ),
        };
        continue;
      }
      responses[status.toUpperCase()] =
        status === "204"
          ? { description: "No content" }
          : {
              description: status.startsWith("2") ? "Success" : "Error",
              content: { [JSON_API_MEDIA_TYPE]: { schema: plain(body) } },
            };
    }
    const operation: Operation = {
      ...(schema.summary ? { summary: schema.summary } : {}),
      ...(schema.tags ? { tags: schema.tags } : {}),
      parameters: [...parametersOf(schema.params, "path"), ...parametersOf(schema.querystring, "query")],
      ...(schema.body
        ? {
            requestBody: {
              required: true,
              content: { [JSON_API_MEDIA_TYPE]: { schema: plain(schema.body) } },
            },
          }
        : {}),
      responses,
    };
    const item = this.paths[path] ?? {};
    for (const method of methods) {
      // Signing in and the invitation endpoints take no credential (they take a secret in the body).
      item[method.toLowerCase()] = {
        ...operation,
        security: isConsolePublic(method, url) ? [] : CREDENTIALS,
      };
    }
    this.paths[path] = item;
  }

  /** The OpenAPI document. */
  document(): JsonSchema {
    return {
      openapi: "3.1.0",
      info: {
        title: "Keygate API",
        version: "2",
        description:
          "Machine identities and API-token governance. JSON:API documents; bearer tokens, or the console's session cookie.",
      },
      servers: [{ url: "/" }],
      components: {
        securitySchemes: {
          bearer: {
            type: "http",
            scheme: "bearer",
            description: "A Keygate token: Authorization: Bearer <token>",
          },
          session: {
            type: "apiKey",
            in: "cookie",
            name: SESSION_COOKIE,
            description:
              "The web console's session (POST /api/v2/sessions); POST, PATCH, PUT and DELETE also send X-CSRF-Token",
          },
        },
      },
      paths: this.paths,
    };
  }
}

/** Starts collecting routes on the app; returns the collector. */
export function collectOpenApi(app: FastifyInstance): OpenApiCollector {
  const collector = new OpenApiCollector();
  app.addHook("onRoute", (route) => collector.add(route));
  return collector;
}
