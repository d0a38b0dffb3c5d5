// Syntax stage, used by the lexer: turns the source text of a Rego string literal into its value.

/**
 * Decodes a double-quoted string literal (quotes included) with JSON's escapes, as OPA does:
 * `\" \\ \/ \b \f \n \r \t \uXXXX`, with surrogate pairs joined and lone surrogates replaced
 * by U+FFFD. Returns undefined when the literal is not valid JSON (a bad escape, or a raw
 * control character in a literal that also holds an escape).
 */
export function decodeStringLiteral(literal: string): string | undefined {
  const inner = literal.slice(1, -1);
  // Like OPA, a literal without escapes is taken verbatim (even with raw control characters).
  if (!inner.includes("\\")) return inner;
  let out = "";
  let i = 0;
  let chunkStart = 0;
  while (i < inner.length) {
    const c = inner.charCodeAt(i);
    if (c < 0x20) return undefined;
    if (c !== 0x5c) {
      i++;
      continue;
    }
    out += inner.slice(chunkStart, i);
    const e = inner[i + 1];
    switch (e) {
      case '"':
      case "\\":
      case "/":
        out += e;
        i += 2;
        break;
      case "b":
        out += "\b";
        i += 2;
        break;
      case "f":
        out += "\f";
        i += 2;
        break;
      case "n":
        out += "\n";
        i += 2;
        break;
      case "r":
        out += "\r";
        i += 2;
        break;
      case "t":
        out += "\t";
        i += 2;
        break;
      case "u": {
        const unit = hex4(inner, i + 2);
        if (unit === undefined) return undefined;
        i += 6;
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const low = inner[i] === "\\" && inner[i + 1] === "u" ? hex4(inner, i + 2) : undefined;
          if (low !== undefined && low >= 0xdc00 && low <= 0xdfff) {
            out += String.fromCharCode(unit, low);
            i += 6;
          } else {
            out += "\uFFFD";
          }
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
          out += "\uFFFD";
        } else {
          out += String.fromCharCode(unit);
        }
        break;
      }
      default:
        return undefined;
    }
    chunkStart = i;
  }
  return out + inner.slice(chunkStart);
}

/** Reads four hex digits at `at`, or undefined. */
function hex4(s: string, at: number): number | undefined {
  if (at + 4 > s.length) return undefined;
  let v = 0;
  for (let k = at; k < at + 4; k++) {
    const c = s.charCodeAt(k);
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    else return undefined;
    v = v * 16 + d;
  }
  return v;
}
