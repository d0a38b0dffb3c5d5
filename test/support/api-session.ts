// End-to-end tests, support: a tiny JSON:API client for a running server with one token.

/** The status and parsed body of a response. */
export interface ApiResponse {
  readonly status: number;
  /** The parsed JSON document, read freely by tests. */
  readonly body: ReturnType<typeof JSON.parse>;
}

/** Sends a request with the bearer token; parses the JSON body (undefined when empty). */
export async function api(
  server: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse> {
  const response = await fetch(`${server}/api/v2${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { "content-type": "application/vnd.api+json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
}
