// Domain layer, validation: what no input may hold, whatever its shape: a NUL character (PostgreSQL
// text and jsonb cannot store one; SQLite would, so both stores refuse it alike) or nesting deeper
// than any document of the API needs (deep nesting costs recursion everywhere it is walked).

/** The deepest nesting of arrays and objects an input document may have. */
export const MAX_INPUT_DEPTH = 64;

/** Why an input cannot be taken, and where (a JSON pointer into it, "" for the whole). */
export type UnstorableInput =
  | { readonly kind: "nul_character"; readonly pointer: string; readonly inKey: boolean }
  | { readonly kind: "too_deep"; readonly pointer: string };

/** True when the text holds a NUL character. */
export function hasNulCharacter(text: string): boolean {
  return text.includes("\u0000");
}

function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** The first place where a parsed JSON value (or query object) holds what no store may keep; undefined when none. */
export function findUnstorableInput(value: unknown, maxDepth = MAX_INPUT_DEPTH): UnstorableInput | undefined {
  // Iterative, so that no input can exhaust the stack of the walk that guards against deep input.
  const pending: { value: unknown; pointer: string; depth: number }[] = [{ value, pointer: "", depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: item, pointer, depth } = next;
    if (typeof item === "string") {
      if (hasNulCharacter(item)) return { kind: "nul_character", pointer, inKey: false };
      continue;
    }
    if (typeof item !== "object" || item === null) continue;
    if (depth >= maxDepth) return { kind: "too_deep", pointer };
    if (Array.isArray(item)) {
      for (let index = item.length - 1; index >= 0; index--) {
        pending.push({ value: item[index], pointer: `${pointer}/${index}`, depth: depth + 1 });
      }
      continue;
    }
    const keys = Object.keys(item);
    for (let index = keys.length - 1; index >= 0; index--) {
      const key = keys[index]!;
      const at = `${pointer}/${escapePointer(key)}`;
      if (hasNulCharacter(key)) return { kind: "nul_character", pointer: at, inKey: true };
      pending.push({ value: (item as Record<string, unknown>)[key], pointer: at, depth: depth + 1 });
    }
  }
  return undefined;
}
