// Syntax stage, used by the parser: OPA's rules on number literals (leading zeros, size).

/** The outcome of checking a number literal: its text to keep, or why it is refused. */
export type NumberLiteralCheck =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly message: string };

// OPA refuses numbers whose binary exponent is beyond this bound (math/big would get slow).
const MAX_BINARY_EXPONENT = 1e5;

/**
 * Checks a number literal as OPA does. `digits` is the lexer's number text (`12`, `1.5e3`);
 * `negative` and `leadingDot` say whether a `-` or a `.` came before it. A leading-dot form
 * (`.5`) is kept as `0.5` so that every later stage sees a JSON number.
 */
export function checkNumberLiteral(
  negative: boolean,
  leadingDot: boolean,
  digits: string,
): NumberLiteralCheck {
  if (leadingDot && (digits.includes(".") || !/^[0-9]/.test(digits))) {
    return { ok: false, message: "invalid float" };
  }
  if (!leadingDot && digits.length > 1 && digits[0] === "0") {
    const decimal = digits[1] === ".";
    const scientific = digits.length > 2 && (digits[1] === "e" || digits[1] === "E");
    if (!decimal && !scientific) return { ok: false, message: "expected number without leading zero" };
  }
  const text = `${negative ? "-" : ""}${leadingDot ? "0." : ""}${digits}`;
  const e10 = decimalExponent(leadingDot ? `0.${digits}` : digits);
  if (e10 !== undefined && Math.abs(e10 * Math.log2(10)) > MAX_BINARY_EXPONENT) {
    return { ok: false, message: "number too big" };
  }
  return { ok: true, text };
}

/** The power of ten of the first significant digit, or undefined for zero. */
function decimalExponent(text: string): number | undefined {
  let mantissa = text;
  let exp = 0;
  const e = text.search(/[eE]/);
  if (e >= 0) {
    mantissa = text.slice(0, e);
    exp = Number(text.slice(e + 1));
  }
  const dot = mantissa.indexOf(".");
  const intPart = dot >= 0 ? mantissa.slice(0, dot) : mantissa;
  const fracPart = dot >= 0 ? mantissa.slice(dot + 1) : "";
  for (let k = 0; k < intPart.length; k++) {
    if (intPart[k] !== "0") return intPart.length - k - 1 + exp;
  }
  for (let k = 0; k < fracPart.length; k++) {
    if (fracPart[k] !== "0") return -(k + 1) + exp;
  }
  return undefined;
}
