// Builtins: the registry of every builtin function the evaluator can call, by full dotted name.
// Each namespace lives in its own file and exports a list of definitions; add new lists here.

import type { BuiltinDefinition } from "./builtin.js";
import { AGGREGATE_BUILTINS } from "./aggregates.js";
import { ARRAY_BUILTINS } from "./arrays.js";
import { BITS_BUILTINS } from "./bits.js";
import { CAST_BUILTINS } from "./casts.js";
import { COMPARISON_BUILTINS } from "./comparison.js";
import { ENCODING_BUILTINS } from "./encoding.js";
import { GRAPH_BUILTINS } from "./graph.js";
import { GRAPHQL_BUILTINS } from "./graphql.js";
import { JSON_DOCUMENT_BUILTINS } from "./json-document.js";
import { NUMBER_BUILTINS } from "./numbers.js";
import { OBJECT_BUILTINS } from "./objects.js";
import { SEMVER_BUILTINS } from "./semver.js";
import { SET_BUILTINS } from "./sets.js";
import { STRING_BUILTINS } from "./strings.js";
import { TEMPLATE_STRING_BUILTINS } from "./template-string.js";
import { TYPE_BUILTINS } from "./types.js";
import { UNIT_BUILTINS } from "./units.js";
import { UUID_BUILTINS } from "./uuid.js";
import { CRYPTO_BUILTINS } from "./crypto.js";
import { GLOB_BUILTINS } from "./glob.js";
import { JWT_BUILTINS } from "./jwt.js";
import { NET_BUILTINS } from "./net.js";
import { NETWORK_BUILTINS } from "./network.js";
import { PROVIDERS_AWS_BUILTINS } from "./providers-aws.js";
import { RAND_BUILTINS } from "./rand.js";
import { REGEX_BUILTINS } from "./regex.js";
import { REGO_METADATA_BUILTINS } from "./rego-metadata.js";
import { REGO_PARSE_MODULE_BUILTINS } from "./rego-parse-module.js";
import { TIME_BUILTINS } from "./time.js";
import { URI_BUILTINS } from "./uri.js";

const ALL: readonly (readonly BuiltinDefinition[])[] = [
  // Namespace lists are added here, one import per file.
  AGGREGATE_BUILTINS,
  ARRAY_BUILTINS,
  BITS_BUILTINS,
  CAST_BUILTINS,
  COMPARISON_BUILTINS,
  ENCODING_BUILTINS,
  GRAPH_BUILTINS,
  GRAPHQL_BUILTINS,
  JSON_DOCUMENT_BUILTINS,
  NUMBER_BUILTINS,
  OBJECT_BUILTINS,
  SEMVER_BUILTINS,
  SET_BUILTINS,
  STRING_BUILTINS,
  TEMPLATE_STRING_BUILTINS,
  TYPE_BUILTINS,
  UNIT_BUILTINS,
  UUID_BUILTINS,
  REGEX_BUILTINS,
  GLOB_BUILTINS,
  TIME_BUILTINS,
  NET_BUILTINS,
  CRYPTO_BUILTINS,
  JWT_BUILTINS,
  RAND_BUILTINS,
  NETWORK_BUILTINS,
  PROVIDERS_AWS_BUILTINS,
  URI_BUILTINS,
  REGO_METADATA_BUILTINS,
  REGO_PARSE_MODULE_BUILTINS,
];

/** Every builtin, by its full name (`count`, `io.jwt.decode`, ...). */
export const BUILTINS: ReadonlyMap<string, BuiltinDefinition> = new Map(
  ALL.flat().map((b) => [b.name, b] as const),
);
