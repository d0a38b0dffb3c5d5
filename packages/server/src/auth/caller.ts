// Auth: the authenticated caller of a request, as every route sees it.
import type { EffectiveAccess } from "../domain/access/effective-access.js";
import type { ApiKey } from "../domain/api-keys/api-key.js";
import type { Principal } from "../domain/principals/principal.js";
import type { SpaceTree } from "../domain/spaces/space.js";
import type { Token } from "../domain/tokens/token.js";

/** Who is calling (principal, key and token), what they may do, and the organization's space tree. */
export interface Caller {
  readonly organizationId: string;
  readonly principal: Principal;
  readonly apiKey: ApiKey;
  readonly token: Token;
  readonly access: EffectiveAccess;
  readonly spaces: SpaceTree;
  /** The client address. */
  readonly ip: string;
}
