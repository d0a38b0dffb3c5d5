// Builtins: semantic versions (`semver.is_valid`, `semver.compare`) per SemVer 2.0.0.

import { type BuiltinDecl, BuiltinError } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { arg, stringArg } from "./operands.js";
import { T_ANY, T_BOOL, T_NUM, T_STR } from "./type-specs.js";

const IDENTIFIERS = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;
const INT64_MAX = 2n ** 63n - 1n;

/** Go's strconv.ParseInt(s, 10, 64), or undefined when it fails. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n > INT64_MAX || n < -INT64_MAX - 1n ? undefined : n;
}

function cut(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ""] : [s.slice(0, i), s.slice(i + 1)];
}

/** A parsed semantic version (build metadata is ignored when comparing). */
export interface SemVer {
  readonly core: readonly [bigint, bigint, bigint];
  readonly pre: readonly string[];
}

/**
 * Parses a version as OPA does (leniently: an optional leading `v`, leading zeros allowed),
 * or undefined when the text is not one.
 */
export function parseSemVer(text: string): SemVer | undefined {
  const [rest, metadata] = cut(text.startsWith("v") ? text.slice(1) : text, "+");
  if (metadata !== "" && !IDENTIFIERS.test(metadata)) return undefined;
  const [core, pre] = cut(rest, "-");
  if (pre !== "" && !IDENTIFIERS.test(pre)) return undefined;
  const parts = core.split(".");
  if (parts.length !== 3) return undefined;
  const nums = parts.map(parseInt64);
  const [major, minor, patch] = nums;
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  return { core: [major, minor, patch], pre: pre === "" ? [] : pre.split(".") };
}

function cmp<T>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two versions by SemVer precedence: -1, 0 or 1. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  for (let i = 0; i < 3; i++) {
    const c = cmp(a.core[i], b.core[i]);
    if (c !== 0) return c;
  }
  if (a.pre.length === 0 && b.pre.length === 0) return 0;
  if (a.pre.length === 0) return 1;
  if (b.pre.length === 0) return -1;
  const n = Math.min(a.pre.length, b.pre.length);
  for (let i = 0; i < n; i++) {
    const x = a.pre[i] as string;
    const y = b.pre[i] as string;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    let c: number;
    if (xn && yn) c = cmp(BigInt(x), BigInt(y));
    else if (xn) c = -1;
    else if (yn) c = 1;
    else c = cmp(x, y);
    if (c !== 0) return c;
  }
  return cmp(a.pre.length, b.pre.length);
}

function versionArg(args: Parameters<typeof stringArg>[0], index: number): SemVer {
  const s = stringArg(args, index);
  const v = parseSemVer(s);
  if (!v)
    throw new BuiltinError(
      "builtin",
      `operand ${index + 1}: string ${JSON.stringify(s)} is not a valid SemVer`,
    );
  return v;
}

/** SemVer builtins. */
export const SEMVER_BUILTINS = defineBuiltins(
  {
    "semver.is_valid": { args: [T_ANY], result: T_BOOL },
    "semver.compare": { args: [T_STR, T_STR], result: T_NUM },
  } satisfies Record<string, BuiltinDecl>,
  {
    "semver.is_valid": (args) => {
      const v = arg(args, 0);
      return typeof v === "string" && parseSemVer(v) !== undefined;
    },
    "semver.compare": (args) => compareSemVer(versionArg(args, 0), versionArg(args, 1)),
  },
);
