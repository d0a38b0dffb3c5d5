// HTTP API, JSON:API: the attributes an update may carry. The body validator drops properties the
// schema does not name (removeAdditional), so a PATCH with a misspelt or immutable attribute would
// answer 200 and change nothing; this hook refuses such a body first, with a 422 naming each one.
import type { preValidationHookHandler } from "fastify";
import { RequestError } from "./request-error.js";

/** The attributes a resource's update accepts, and the ones that exist but cannot change (with why). */
export interface AttributeRules {
  readonly type: string;
  readonly allowed: readonly string[];
  readonly immutable: Readonly<Record<string, string>>;
}

/** The first attribute of `attributes` the rules refuse, as a 422 RequestError naming it; undefined when all are allowed. */
export function refusedAttributeError(attributes: unknown, rules: AttributeRules): RequestError | undefined {
  if (typeof attributes !== "object" || attributes === null || Array.isArray(attributes)) return undefined;
  for (const name of Object.keys(attributes)) {
    if (rules.allowed.includes(name)) continue;
    const pointer = `/data/attributes/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    const why = rules.immutable[name];
    const message =
      why !== undefined
        ? `${pointer}: ${JSON.stringify(name)} cannot be changed after creation (${why})`
        : `${pointer}: ${JSON.stringify(name)} is not an attribute of ${rules.type} that can be updated; allowed: ${rules.allowed.join(", ")}`;
    return new RequestError(422, message, { pointer });
  }
  return undefined;
}

/** A preValidation hook refusing an update body whose `data.attributes` holds an attribute outside the rules. */
export function attributeGuard(rules: AttributeRules): preValidationHookHandler {
  return (request, _reply, done) => {
    const body = request.body as { data?: { attributes?: unknown } } | undefined;
    const data = typeof body === "object" && body !== null ? body.data : undefined;
    done(typeof data === "object" && data !== null ? refusedAttributeError(data.attributes, rules) : undefined);
  };
}
