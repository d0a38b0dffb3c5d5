// Domain layer, login policies: the input of a login policy, seed 003's `input.session` (login
// name, principal kind, teams, ...) and `input.request` (`remote_ip`, `timestamp_ns`, ...), built
// from who is calling with what and from where. Never holds a secret.
import type { Store } from "../../store/store.js";
import { type ApiKey, getApiKey } from "../api-keys/api-key.js";
import { DomainError } from "../domain-error.js";
import { getPrincipal, type Principal } from "../principals/principal.js";
import { listTeamsOfPrincipal } from "../teams/team-membership.js";
import { getToken } from "../tokens/token.js";

/** Who is logging in: the principal, its teams, and the API key and token it authenticated with. */
export interface LoginSubject {
  readonly organizationId: string;
  readonly principal: Principal;
  readonly teams: readonly {
    readonly id: string;
    readonly name: string;
    readonly externalId: string | null;
  }[];
  readonly apiKey: ApiKey | null;
  readonly token: { readonly id: string; readonly name: string } | null;
}

/** The request being authorized: the caller's address and the time (the clock tests control). */
export interface LoginRequest {
  /** The client address as seen by the server (after trusted proxies). */
  readonly remoteIp: string;
  /** Epoch nanoseconds; default now. */
  readonly timestampNs?: bigint;
  readonly method?: string;
  readonly path?: string;
}

/** Which credential the request came with. */
export interface LoginCredential {
  readonly organizationId: string;
  readonly principalId: string;
  /** The token used, when the request came with one (its key is looked up from it). */
  readonly tokenId?: string;
  /** The API key, when known without a token. */
  readonly apiKeyId?: string;
}

/** Loads the subject of a credential (principal, teams, API key, token). */
export async function loadLoginSubject(store: Store, credential: LoginCredential): Promise<LoginSubject> {
  const { organizationId } = credential;
  const principal = await getPrincipal(store, organizationId, credential.principalId);
  const token =
    credential.tokenId === undefined ? null : await getToken(store, organizationId, credential.tokenId);
  const apiKeyId = token?.apiKeyId ?? credential.apiKeyId;
  const apiKey = apiKeyId === undefined ? null : await getApiKey(store, organizationId, apiKeyId);
  if (apiKey && apiKey.principalId !== principal.id) {
    throw new DomainError("invalid", `API key ${apiKey.id} does not belong to principal ${principal.id}`);
  }
  const teams = await listTeamsOfPrincipal(store, organizationId, principal.id);
  return {
    organizationId,
    principal,
    teams: teams.map((t) => ({ id: t.id, name: t.name, externalId: t.externalId })),
    apiKey,
    token: token ? { id: token.id, name: token.name } : null,
  };
}

/** The current time in epoch nanoseconds. */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * The login policy input: `session.login` is the API key's name when the caller used a key (as in
 * seed 003, `input.session.login == "ci-cd-production"`), else the principal's name.
 */
export function buildLoginInput(
  subject: LoginSubject,
  request: LoginRequest,
  timestampNs: bigint = request.timestampNs ?? nowNs(),
): Record<string, unknown> {
  const session = sessionAt(subject, request.remoteIp);
  const req: Record<string, unknown> = { remote_ip: request.remoteIp, timestamp_ns: timestampNs };
  if (request.method !== undefined) req.method = request.method;
  if (request.path !== undefined) req.path = request.path;
  return { session, request: req };
}

/** A subject's `input.session` without the address, and the last one made with an address. */
interface SessionsOf {
  readonly base: Readonly<Record<string, unknown>>;
  lastIp: string | undefined;
  last: Readonly<Record<string, unknown>> | undefined;
}

const sessions = new WeakMap<LoginSubject, SessionsOf>();

/**
 * `input.session` for a subject calling from `ip`: the same frozen object again while its calls
 * keep coming from one address (a caller's usual case), so a governed request copies nothing.
 */
function sessionAt(subject: LoginSubject, ip: string): Readonly<Record<string, unknown>> {
  let of = sessions.get(subject);
  if (of === undefined) {
    of = { base: sessionOf(subject), lastIp: undefined, last: undefined };
    sessions.set(subject, of);
  }
  if (of.last !== undefined && of.lastIp === ip) return of.last;
  // Built with an assignment, not a spread: on Node 20 a spread followed by a key it lacks costs
  // about a microsecond (V8 leaves its fast clone).
  const session: Record<string, unknown> = Object.assign({}, of.base);
  session.creator_ip = ip;
  of.last = Object.freeze(session);
  of.lastIp = ip;
  return of.last;
}

/** The request-independent part of `input.session` (made once per cached subject, by sessionAt). */
function sessionOf(subject: LoginSubject): Readonly<Record<string, unknown>> {
  const { principal, apiKey, token } = subject;
  return {
    login: apiKey?.name ?? principal.name,
    name: principal.displayName,
    kind: principal.kind,
    member: !principal.disabled,
    teams: subject.teams.map((t) => t.name),
    principal: {
      identifier: principal.id,
      name: principal.name,
      kind: principal.kind,
      // The space a service account lives in (users live in none): it says which sets apply.
      space: principal.kind === "service-account" ? principal.spaceId : null,
    },
    apiKey: apiKey ? { identifier: apiKey.id, name: apiKey.name, apiKeyType: apiKey.type } : null,
    token: token ? { identifier: token.id, name: token.name } : null,
  };
}

export { loginInputFromJson, loginInputToJson } from "./login-input-json.js";
