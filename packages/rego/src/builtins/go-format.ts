// Builtins: Go's fmt.Sprintf over the argument kinds OPA's `sprintf` passes to it (int, *big.Int,
// float64, string), with Go's verbs, flags, widths, precisions and `%!v(...)` error forms.

import { goQuote } from "../value/format-value.js";

/** One argument as Go sees it after OPA's conversion. */
export type GoArg =
  | { readonly kind: "int"; readonly value: bigint }
  | { readonly kind: "bigint"; readonly value: bigint }
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "string"; readonly value: string };

interface Spec {
  minus: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  sharp: boolean;
  width: number | undefined;
  prec: number | undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Whether an integer fits Go's `int` (64-bit), so OPA passes it as `int` rather than `*big.Int`. */
export function fitsInt64(i: bigint): boolean {
  return i >= INT64_MIN && i <= INT64_MAX;
}

function goTypeName(a: GoArg): string {
  switch (a.kind) {
    case "int":
      return "int";
    case "bigint":
      return "*big.Int";
    case "float":
      return "float64";
    case "string":
      return "string";
  }
}

function runeLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s: string, spec: Spec, zeroAllowed = true): string {
  const w = spec.width ?? 0;
  const len = runeLength(s);
  if (len >= w) return s;
  const fill = w - len;
  if (spec.minus) return s + " ".repeat(fill);
  if (spec.zero && zeroAllowed) {
    const signed = s[0] === "-" || s[0] === "+" || s[0] === " ";
    return signed ? s[0] + "0".repeat(fill) + s.slice(1) : "0".repeat(fill) + s;
  }
  return " ".repeat(fill) + s;
}

function signOf(neg: boolean, spec: Spec): string {
  if (neg) return "-";
  if (spec.plus) return "+";
  if (spec.space) return " ";
  return "";
}

function formatInteger(i: bigint, verb: string, spec: Spec): string | undefined {
  const neg = i < 0n;
  const abs = neg ? -i : i;
  let digits: string;
  let prefix = "";
  switch (verb) {
    case "d":
    case "v":
    case "s":
      digits = abs.toString(10);
      break;
    case "b":
      digits = abs.toString(2);
      if (spec.sharp) prefix = "0b";
      break;
    case "o":
      digits = abs.toString(8);
      if (spec.sharp) prefix = "0";
      break;
    case "O":
      digits = abs.toString(8);
      prefix = "0o";
      break;
    case "x":
      digits = abs.toString(16);
      if (spec.sharp) prefix = "0x";
      break;
    case "X":
      digits = abs.toString(16).toUpperCase();
      if (spec.sharp) prefix = "0X";
      break;
    case "c":
      return pad(String.fromCodePoint(Number(i)), spec, false);
    case "q":
      return pad(goQuoteRune(Number(i)), spec, false);
    case "U":
      return pad(`U+${abs.toString(16).toUpperCase().padStart(4, "0")}`, spec, false);
    default:
      return undefined;
  }
  if (spec.prec !== undefined) {
    if (spec.prec === 0 && i === 0n) digits = "";
    digits = digits.padStart(spec.prec, "0");
  }
  const sign = signOf(neg, spec);
  if (spec.zero && !spec.minus && spec.prec === undefined && spec.width !== undefined) {
    const fill = spec.width - sign.length - prefix.length - digits.length;
    if (fill > 0) digits = "0".repeat(fill) + digits;
  }
  return pad(sign + prefix + digits, { ...spec, zero: false });
}

function goQuoteRune(cp: number): string {
  const q = goQuote(String.fromCodePoint(cp));
  const inner = q.slice(1, -1).replace('\\"', '"');
  return `'${inner === "'" ? "\\'" : inner}'`;
}

/** The exact decimal expansion of a finite |x|: value = 0.digits × 10^dp. */
function exactDecimal(x: number): { digits: string; dp: number } {
  let m = Math.abs(x);
  if (m === 0) return { digits: "0", dp: 1 };
  let e = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    e--;
  }
  const digits = e < 0 ? (BigInt(m) * 5n ** BigInt(-e)).toString() : BigInt(m).toString();
  return { digits, dp: digits.length + e };
}

/** Rounds decimal digits to `keep` digits, half to even on exact ties (as Go's strconv does). */
function roundDigits(d: { digits: string; dp: number }, keep: number): { digits: string; dp: number } {
  if (keep >= d.digits.length) return d;
  if (keep < 0) return { digits: "0", dp: d.dp };
  const head = d.digits.slice(0, keep);
  const next = d.digits[keep] ?? "0";
  const tail = d.digits.slice(keep + 1);
  const lastEven = keep === 0 || Number(head[keep - 1]) % 2 === 0;
  const up = next > "5" || (next === "5" && (/[1-9]/.test(tail) || !lastEven));
  if (!up) return { digits: head === "" ? "0" : head, dp: d.dp };
  const bumped = (BigInt(head === "" ? "0" : head) + 1n).toString();
  const grew = head === "" ? bumped.length : bumped.length - head.length;
  return { digits: bumped, dp: d.dp + grew };
}

/** Go's %f digits: |x| with exactly `prec` decimals. */
function fixed(x: number, prec: number): string {
  const r = roundDigits(exactDecimal(x), exactDecimal(x).dp + prec);
  const allZero = /^0*$/.test(r.digits);
  const dp = allZero ? 1 : r.dp;
  const digits = allZero ? "0" : r.digits;
  const intPart = dp > 0 ? digits.slice(0, dp).padEnd(dp, "0") : "0";
  const frac = (dp < 0 ? "0".repeat(-dp) + digits : digits.slice(Math.max(dp, 0)))
    .padEnd(prec, "0")
    .slice(0, prec);
  return prec > 0 ? `${intPart}.${frac}` : intPart;
}

/** Decimal digits (no trailing zeros) and decimal point position of |x|, rounded to `prec` significant digits. */
function decimalDigits(x: number, prec: number | undefined): { digits: string; dp: number } {
  if (x === 0) return { digits: "0", dp: 1 };
  let d: { digits: string; dp: number };
  if (prec === undefined) {
    const [mant = "0", exp = "0"] = Math.abs(x).toExponential().split("e");
    d = { digits: mant.replace(".", ""), dp: Number(exp) + 1 };
  } else {
    d = roundDigits(exactDecimal(x), Math.max(prec, 1));
  }
  const digits = d.digits.replace(/0+$/, "");
  return { digits: digits === "" ? "0" : digits, dp: d.dp };
}

function expSuffix(exp: number, e: string): string {
  const abs = Math.abs(exp);
  return `${e}${exp < 0 ? "-" : "+"}${abs < 10 ? `0${abs}` : abs}`;
}

function formatE(x: number, prec: number, e: string): string {
  if (x === 0) return `0${prec > 0 ? `.${"0".repeat(prec)}` : ""}${expSuffix(0, e)}`;
  const r = roundDigits(exactDecimal(x), prec + 1);
  const digits = r.digits.padEnd(prec + 1, "0");
  return `${digits[0]}${prec > 0 ? `.${digits.slice(1, prec + 1)}` : ""}${expSuffix(r.dp - 1, e)}`;
}

function formatG(x: number, precIn: number | undefined, e: string, sharp: boolean): string {
  let prec = precIn;
  if (prec === 0) prec = 1;
  const { digits, dp } = decimalDigits(x, prec);
  const nd = digits.length;
  const shortest = prec === undefined;
  const p = prec ?? nd;
  let eprec = p > nd && nd >= dp ? nd : p;
  if (shortest) eprec = 6;
  const exp = dp - 1;
  if (exp < -4 || exp >= eprec) {
    const keep = sharp ? p : Math.min(p, nd);
    const frac = digits.slice(1, keep).padEnd(keep - 1, "0");
    return `${digits[0]}${frac.length > 0 || sharp ? "." : ""}${frac}${expSuffix(exp, e)}`;
  }
  const p3 = sharp ? p : p > dp ? nd : p;
  const decimals = Math.max(p3 - dp, 0);
  return fixed(x, decimals) + (sharp && decimals === 0 ? "." : "");
}

function formatFloat(x: number, verb: string, spec: Spec): string | undefined {
  let body: string;
  if (!Number.isFinite(x)) {
    body = Number.isNaN(x) ? "NaN" : "Inf";
  } else {
    switch (verb) {
      case "e":
      case "E":
        body = formatE(x, spec.prec ?? 6, verb);
        break;
      case "f":
      case "F":
        body = fixed(x, spec.prec ?? 6);
        break;
      case "g":
      case "G":
        body = formatG(x, spec.prec, verb === "G" ? "E" : "e", spec.sharp);
        break;
      case "v":
        body = formatG(x, spec.prec, "e", spec.sharp);
        break;
      default:
        return undefined;
    }
  }
  const neg = x < 0 || Object.is(x, -0);
  return pad(signOf(neg, spec) + body, spec, Number.isFinite(x));
}

function formatString(s: string, verb: string, spec: Spec): string | undefined {
  let text = s;
  if (spec.prec !== undefined && (verb === "s" || verb === "v" || verb === "q")) {
    text = [...text].slice(0, spec.prec).join("");
  }
  switch (verb) {
    case "s":
    case "v":
      return pad(text, spec);
    case "q":
      return pad(goQuote(text), spec);
    case "x":
    case "X": {
      const bytes = [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, "0"));
      const sep = spec.space ? " " : "";
      const pre = spec.sharp ? "0x" : "";
      const hex = bytes.map((b) => pre + b).join(sep);
      return pad(verb === "X" ? hex.toUpperCase() : hex, spec);
    }
    default:
      return undefined;
  }
}

function plainValue(a: GoArg): string {
  switch (a.kind) {
    case "int":
    case "bigint":
      return a.value.toString();
    case "float":
      return formatG(a.value, undefined, "e", false);
    case "string":
      return a.value;
  }
}

function formatArg(a: GoArg, verb: string, spec: Spec): string {
  if (verb === "T") return pad(goTypeName(a), spec);
  let out: string | undefined;
  switch (a.kind) {
    case "int":
      out = verb === "s" ? undefined : formatInteger(a.value, verb, spec);
      break;
    case "bigint":
      out = "bdoxXsv".includes(verb) || verb === "O" ? formatInteger(a.value, verb, spec) : undefined;
      if (out === undefined) return `%!${verb}(big.Int=${a.value.toString()})`;
      break;
    case "float":
      out = formatFloat(a.value, verb, spec);
      break;
    case "string":
      out = formatString(a.value, verb, spec);
      break;
  }
  return out ?? `%!${verb}(${goTypeName(a)}=${plainValue(a)})`;
}

// The end of a run of ASCII digits starting at `from`.
function digitsEnd(s: string, from: number): number {
  let i = from;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  return i;
}

/** Formats `format` with `args` as Go's fmt.Sprintf does. */
export function goSprintf(format: string, args: readonly GoArg[]): string {
  let out = "";
  let next = 0;
  const n = format.length;
  let i = 0;
  while (i < n) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    if (pct > i) out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = {
      minus: false,
      plus: false,
      space: false,
      zero: false,
      sharp: false,
      width: undefined,
      prec: undefined,
    };
    for (; i < n; i++) {
      const f = format[i];
      if (f === "-") spec.minus = true;
      else if (f === "+") spec.plus = true;
      else if (f === " ") spec.space = true;
      else if (f === "0") spec.zero = true;
      else if (f === "#") spec.sharp = true;
      else break;
    }
    let badWidth = false;
    if (format[i] === "*") {
      i++;
      const w = args[next++];
      if (w?.kind === "int") {
        spec.width = Number(w.value);
        if (spec.width < 0) {
          spec.minus = true;
          spec.width = -spec.width;
        }
      } else badWidth = true;
    } else {
      const end = digitsEnd(format, i);
      if (end > i) {
        spec.width = Number(format.slice(i, end));
        i = end;
      }
    }
    let badPrec = false;
    if (format[i] === ".") {
      i++;
      if (format[i] === "*") {
        i++;
        const p = args[next++];
        if (p?.kind === "int" && p.value >= 0n) spec.prec = Number(p.value);
        else badPrec = true;
      } else {
        const end = digitsEnd(format, i);
        spec.prec = end > i ? Number(format.slice(i, end)) : 0;
        i = end;
      }
    }
    if (badWidth) out += "%!(BADWIDTH)";
    if (badPrec) out += "%!(BADPREC)";
    if (i >= n) {
      out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === "%") {
      out += "%";
      continue;
    }
    const a = args[next];
    if (a === undefined) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    next++;
    out += formatArg(a, verb, spec);
  }
  if (next < args.length) {
    const extra = args.slice(next).map((a) => `${goTypeName(a)}=${plainValue(a)}`);
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}
