// Domain layer, login policies: which part of the request a login policy can see. A policy that
// reads only `input.session` and `input.request.remote_ip`, and calls no builtin whose result
// changes with time or chance, decides the same for the same caller and address: its decision can
// be reused until the policies, the caller or the roles change. Decided conservatively from the
// text: anything else (the clock, a whole-`input` alias, a computed key) means "evaluate every time".

// Builtin namespaces whose results depend on the clock, chance or the network.
const UNSTABLE_BUILTINS = /\b(?:time|rand|uuid|http|opa|trace|print|net\s*\.\s*lookup_ip_addr)\b/;
// `input` followed by anything but `.session...` or `.request.remote_ip` (e.g. `input.request`,
// `input[`, `x := input`, `with input as`).
const INPUT_USE = /(?<![\w.])input\b(?!\s*\.\s*session\b)(?!\s*\.\s*request\s*\.\s*remote_ip\b)/;

/** The source with comments and string literals blanked out (so words inside them do not count). */
function codeOnly(source: string): string {
  let out = "";
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === "#") {
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    if (c === '"') {
      out += '""';
      i++;
      while (i < source.length && source[i] !== '"' && source[i] !== "\n") i += source[i] === "\\" ? 2 : 1;
      i++;
      continue;
    }
    if (c === "`") {
      out += '""';
      i++;
      while (i < source.length && source[i] !== "`") i++;
      i++;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/**
 * True when the policy reads nothing of the request but the caller's session and address and calls
 * no time-, chance- or network-dependent builtin: its decision is a function of (session, address).
 */
export function dependsOnlyOnSessionAndAddress(source: string): boolean {
  const code = codeOnly(source);
  return !UNSTABLE_BUILTINS.test(code) && !INPUT_USE.test(code);
}
