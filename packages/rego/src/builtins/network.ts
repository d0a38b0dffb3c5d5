// Builtins: network and runtime access (`http.send`, `net.lookup_ip_addr`, `opa.runtime`).
//
// The engine itself never touches the network: `http.send` goes through the host's
// `capabilities.httpSend` when the host provides one and is refused otherwise.

import { RegoObject, typeName, type Value } from "../value/value.js";
import { type BuiltinDefinition, BuiltinError, operandError, type TypeSpec } from "./builtin.js";

const S: TypeSpec = { type: "string" };
const ANY: TypeSpec = { type: "any" };

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
