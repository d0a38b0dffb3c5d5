// Builtins: network and runtime access (`http.send`, `net.lookup_ip_addr`, `opa.runtime`).
//
// The engine itself never touches the network: `http.send` goes through the host's
// `capabilities.httpSend` when the host provides one and is refused otherwise.

import { RegoObject, typeName, type Value } from "../value/value.js";
import { type BuiltinDefinition, BuiltinError, operandError, type TypeSpec } from "./builtin.js";

const S: TypeSpec = { type: "string" };
const ANY: TypeSpec = { type: "any" };

// The request keys OPA's http.send accepts, and those it requires.
const REQUEST_KEYS = new Set([
  "method",
  "url",
  "body",
  "enable_redirect",
  "force_json_decode",
  "force_yaml_decode",
  "headers",
  "raw_body",
  "tls_use_system_certs",
  "tls_ca_cert",
  "tls_ca_cert_file",
  "tls_ca_cert_env_variable",
  "tls_client_cert",
  "tls_client_cert_file",
  "tls_client_cert_env_variable",
  "tls_client_key",
  "tls_client_key_file",
  "tls_client_key_env_variable",
  "tls_insecure_skip_verify",
  "tls_server_name",
  "timeout",
  "cache",
  "force_cache",
  "force_cache_duration_seconds",
  "raise_error",
  "caching_mode",
  "max_retry_attempts",
  "cache_ignored_headers",
]);
const REQUIRED_KEYS = ["method", "url"];

/** Refuses requests with unknown or missing parameters, as OPA does, before any network policy. */
function validateRequest(request: RegoObject): void {
  const invalid = request.keys().filter((k) => typeof k !== "string" || !REQUEST_KEYS.has(k));
  if (invalid.length > 0) {
    throw new BuiltinError(
      "type",
      `invalid request parameters(s): {${invalid.map((k) => JSON.stringify(k)).join(", ")}}`,
    );
  }
  const missing = REQUIRED_KEYS.filter((k) => !request.has(k));
  if (missing.length > 0) {
    throw new BuiltinError(
      "type",
      `missing required request parameters(s): {${missing.map((k) => JSON.stringify(k)).join(", ")}}`,
    );
  }
}

/** `http.send`, `net.lookup_ip_addr` and `opa.runtime`. */
export const NETWORK_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: "http.send",
    arity: 1,
    nondeterministic: true,
    decl: {
      args: [{ type: "object", dynamic: { key: S, value: ANY } }],
      result: { type: "object", dynamic: { key: ANY, value: ANY } },
    },
    impl: (args, ctx) => {
      const request = args[0] as Value;
      if (!(request instanceof RegoObject)) throw operandError(1, "object", typeName(request));
      validateRequest(request);
      const send = ctx.capabilities.httpSend;
      if (!send) {
        throw new BuiltinError(
          "builtin",
          "network access is disabled in this engine: the host must provide capabilities.httpSend to allow http.send",
        );
      }
      return send(request);
    },
  },
  {
    name: "net.lookup_ip_addr",
    arity: 1,
    nondeterministic: true,
    decl: { args: [S], result: { type: "set", of: S } },
    impl: (args) => {
      const name = args[0] as Value;
      if (typeof name !== "string") throw operandError(1, "string", typeName(name));
      throw new BuiltinError(
        "builtin",
        `network access is disabled in this engine: cannot resolve "${name}" (DNS lookups are not available to policies)`,
      );
    },
  },
  {
    name: "opa.runtime",
    arity: 0,
    nondeterministic: true,
    decl: { args: [], result: { type: "object", dynamic: { key: S, value: ANY } } },
    // OPA returns an empty object when no runtime information is configured; we never expose
    // the process environment to policies.
    impl: () => new RegoObject(),
  },
];
