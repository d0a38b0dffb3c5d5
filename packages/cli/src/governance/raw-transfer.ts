// CLI, governance commands: the two policy endpoints that are not JSON:API (HCP Terraform's
// upload takes application/octet-stream; download returns the Rego text as it was uploaded).
import { CliError, type CliIo } from "../client/cli-io.js";

/** The server and token the command talks to (as `connect` reads them). */
function endpoint(values: { server?: string | undefined }, io: CliIo): { server: string; token: string } {
  const server = values.server ?? io.env.KEYGATE_SERVER ?? "http://127.0.0.1:8080";
  const token = io.env.KEYGATE_TOKEN;
  if (!token)
    throw new CliError(
      "KEYGATE_TOKEN is not set: export the token to use (e.g. the admin token from keygate init)",
      2,
    );
  return { server: server.replace(/\/+$/, ""), token };
}

async function send(
  values: { server?: string | undefined },
  io: CliIo,
  method: "PUT" | "GET",
  path: string,
  body?: string,
): Promise<string> {
  const { server, token } = endpoint(values, io);
  let response: Response;
  try {
    response = await fetch(`${server}/api/v2${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        "user-agent": "keygate-cli/0.1",
        ...(body !== undefined ? { "content-type": "application/octet-stream" } : {}),
      },
      ...(body !== undefined ? { body } : {}),
    });
  } catch (error) {
    const cause =
      error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new CliError(`cannot reach the Keygate server at ${server}: ${cause}`);
  }
  const text = await response.text();
  if (!response.ok) {
    let details: string[] = [];
    try {
      const errors = (JSON.parse(text) as { errors?: { detail?: string }[] }).errors ?? [];
      details = errors.map((e) => e.detail ?? "error");
    } catch {
      details = [text || response.statusText];
    }
    throw new CliError(`error ${response.status}: ${details.join("; ")}`);
  }
  return text;
}

/** Uploads Rego text to a policy (`PUT /policies/:id/upload`); returns the server's warnings (`meta.warnings`). */
export async function uploadPolicyText(
  values: { server?: string | undefined },
  io: CliIo,
  policyId: string,
  text: string,
): Promise<string[]> {
  const answer = await send(values, io, "PUT", `/policies/${encodeURIComponent(policyId)}/upload`, text);
  if (answer === "") return [];
  try {
    const warnings = (JSON.parse(answer) as { meta?: { warnings?: unknown } }).meta?.warnings;
    return Array.isArray(warnings) ? warnings.filter((w): w is string => typeof w === "string") : [];
  } catch {
    return [];
  }
}

/** Downloads a policy's Rego text (`GET /policies/:id/download`). */
export function downloadPolicyText(
  values: { server?: string | undefined },
  io: CliIo,
  policyId: string,
): Promise<string> {
  return send(values, io, "GET", `/policies/${encodeURIComponent(policyId)}/download`);
}
