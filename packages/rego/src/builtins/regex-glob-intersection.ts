// Builtins (regex support): whether two regexp-style globs match a common non-empty string, for
// `regex.globs_match`. Glob syntax: `.` (any character), `[a-z0-9]` classes, `*` and `+` after
// an element, `\` escaping the next character; both globs are anchored at both ends.
//
// Decided on the product of the two globs' automata, so time is bounded by the product of
// their lengths (no backtracking).

import { BuiltinError } from "./builtin.js";

/** The characters one glob element matches: any, or a union of code point ranges. */
type CharSet =
  | { readonly any: true }
  | { readonly any: false; readonly ranges: readonly (readonly [number, number])[] };

interface Element {
  readonly chars: CharSet;
  readonly repeat: "one" | "star" | "plus";
}

function invalid(glob: string, why: string): BuiltinError {
  return new BuiltinError("builtin", `invalid glob "${glob}": ${why}`);
}

/** Parses a glob into elements. */
export function parseRegexGlob(glob: string): Element[] {
  const chars = [...glob];
  const out: Element[] = [];
  let i = 0;
  const literal = (c: string): CharSet => {
    const cp = c.codePointAt(0) as number;
    return { any: false, ranges: [[cp, cp]] };
  };
  while (i < chars.length) {
    const c = chars[i] as string;
    i++;
    if (c === "*" || c === "+") {
      const prev = out[out.length - 1];
      if (prev?.repeat !== "one") throw invalid(glob, `'${c}' must follow a character, '.' or a class`);
      out[out.length - 1] = { chars: prev.chars, repeat: c === "*" ? "star" : "plus" };
      continue;
    }
    if (c === "\\") {
      const next = chars[i];
      if (next === undefined) throw invalid(glob, "trailing '\\'");
      i++;
      out.push({ chars: literal(next), repeat: "one" });
      continue;
    }
    if (c === ".") {
      out.push({ chars: { any: true }, repeat: "one" });
      continue;
    }
    if (c === "[") {
      const ranges: [number, number][] = [];
      let closed = false;
      while (i < chars.length) {
        let d = chars[i] as string;
        i++;
        if (d === "]") {
          closed = true;
          break;
        }
        if (d === "\\") {
          const next = chars[i];
          if (next === undefined) break;
          d = next;
          i++;
        }
        const lo = d.codePointAt(0) as number;
        if (chars[i] === "-" && chars[i + 1] !== undefined && chars[i + 1] !== "]") {
          let hiChar = chars[i + 1] as string;
          i += 2;
          if (hiChar === "\\") {
            const next = chars[i];
            if (next === undefined) break;
            hiChar = next;
            i++;
          }
          const hi = hiChar.codePointAt(0) as number;
          if (hi < lo) throw invalid(glob, `range ${d}-${hiChar} is out of order`);
          ranges.push([lo, hi]);
        } else {
          ranges.push([lo, lo]);
        }
      }
      if (!closed) throw invalid(glob, "unclosed '['");
      if (ranges.length === 0) throw invalid(glob, "empty character class");
      out.push({ chars: { any: false, ranges }, repeat: "one" });
      continue;
    }
    if (c === "]") throw invalid(glob, "unmatched ']'");
    out.push({ chars: literal(c), repeat: "one" });
  }
  return out;
}

function overlaps(a: CharSet, b: CharSet): boolean {
  if (a.any || b.any) return true;
  return a.ranges.some(([lo1, hi1]) => b.ranges.some(([lo2, hi2]) => lo1 <= hi2 && lo2 <= hi1));
}

/** Positions reachable from `i` without consuming a character (skipping `*` elements). */
function closure(elements: readonly Element[], i: number): number[] {
  const out = [i];
  let k = i;
  while (k < elements.length && (elements[k] as Element).repeat === "star") {
    k++;
    out.push(k);
  }
  return out;
}

/** Positions after consuming one character matched by element `i`. */
function steps(elements: readonly Element[], i: number): number[] {
  const e = elements[i] as Element;
  return e.repeat === "one" ? [i + 1] : [i, i + 1];
}

/** Whether some non-empty string matches both globs. */
export function globsIntersect(a: string, b: string): boolean {
  const x = parseRegexGlob(a);
  const y = parseRegexGlob(b);
  // State: positions in both globs, and whether a character has been consumed yet.
  const seen = new Set<string>();
  const queue: [number, number, boolean][] = [];
  const push = (i: number, j: number, consumed: boolean): void => {
    for (const ci of closure(x, i)) {
      for (const cj of closure(y, j)) {
        const key = `${ci},${cj},${consumed}`;
        if (seen.has(key)) continue;
        seen.add(key);
        queue.push([ci, cj, consumed]);
      }
    }
  };
  push(0, 0, false);
  while (queue.length > 0) {
    const [i, j, consumed] = queue.pop() as [number, number, boolean];
    if (consumed && i === x.length && j === y.length) return true;
    if (i === x.length || j === y.length) continue;
    if (!overlaps((x[i] as Element).chars, (y[j] as Element).chars)) continue;
    for (const ni of steps(x, i)) for (const nj of steps(y, j)) push(ni, nj, true);
  }
  return false;
}
