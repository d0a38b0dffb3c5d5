// Benchmarks, support: the save policies the benches govern their organizations with.

/**
 * The i-th mandatory save policy, in seed 000's style (four shapes, v0 `deny[msg]` with sprintf and
 * v1), none of which denies the benches' tokens.
 */
export function savePolicy(i) {
  const pkg = `bench.save.p${i}`;
  switch (i % 4) {
    case 0:
      return `package ${pkg}\n\ndeny[msg] {\ncontains(input.token.apiKeyType, "USER${i}")\nmsg = sprintf("Token APIKeyType %s contains 'USER${i}'", [input.token.apiKeyType])\n}\n`;
    case 1:
      return `package ${pkg}\n\ndeny[msg] {\ninput.token.validTo > ${4_102_444_800_000 + i}\nmsg = sprintf("ValidTo %v greater than X date", [input.token.validTo])\n}\n`;
    case 2:
      return `package ${pkg}\nimport rego.v1\n\ndeny contains msg if {\n  not regex.match("^[a-z][a-z0-9-]{0,62}$", input.token.name)\n  msg := sprintf("token name %q is not lowercase-dashed (rule ${i})", [input.token.name])\n}\n`;
    default:
      return `package ${pkg}\nimport rego.v1\n\ndeny contains msg if {\n  startswith(input.token.name, "forbidden-${i}-")\n  msg := sprintf("token name %q is reserved", [input.token.name])\n}\n`;
  }
}
