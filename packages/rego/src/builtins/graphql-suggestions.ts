// Builtins, GraphQL: "Did you mean ...?" suggestions in validation messages, by edit distance as
// gqlparser (after graphql-js) computes them. The work is bounded: long names get no suggestions,
// and each validation has a budget of distance computations.

/** Names longer than this are not compared (distance costs grow with the product of lengths). */
const MAX_NAME = 64;

/** A budget of distance-table cells shared by one validation. */
export interface SuggestionBudget {
  remaining: number;
}

/** A fresh budget for one validation. */
export function suggestionBudget(): SuggestionBudget {
  return { remaining: 1_000_000 };
}

function levenshtein(a: readonly string[], b: readonly string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** Edit distance where a change of case alone counts as one edit. */
function lexicalDistance(a: string, b: string): number {
  if (a === b) return 0;
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la === lb) return 1;
  return levenshtein([...la], [...lb]);
}

/** The options close enough to `input` to suggest, nearest first. */
export function suggestionList(
  input: string,
  options: readonly string[],
  budget: SuggestionBudget,
): string[] {
  if (input.length > MAX_NAME) return [];
  const found: { option: string; distance: number }[] = [];
  for (const option of options) {
    if (option.length > MAX_NAME) continue;
    const threshold = Math.max(Math.floor(Math.max(input.length, option.length) / 2), 1);
    if (Math.abs(input.length - option.length) > threshold) continue;
    const cost = (input.length + 1) * (option.length + 1);
    if (budget.remaining < cost) break;
    budget.remaining -= cost;
    const distance = lexicalDistance(input, option);
    if (distance <= threshold) found.push({ option, distance });
  }
  return found.sort((x, y) => x.distance - y.distance).map((f) => f.option);
}

/** `A`, `A or B`, `A, B, or C` (at most five items). */
export function orList(items: readonly string[]): string {
  const shown = items.slice(0, 5);
  if (shown.length === 2) return `${shown[0]} or ${shown[1]}`;
  return shown
    .map((item, i) => (i === 0 ? item : i === shown.length - 1 ? `, or ${item}` : `, ${item}`))
    .join("");
}

/** Like `orList`, with each item in double quotes. */
export function quotedOrList(items: readonly string[]): string {
  return orList(items.map((item) => `"${item}"`));
}

/** ` Did you mean "a" or "b"?` for the close options, or nothing. */
export function didYouMean(input: string, options: readonly string[], budget: SuggestionBudget): string {
  const suggested = suggestionList(input, options, budget);
  return suggested.length === 0 ? "" : ` Did you mean ${quotedOrList(suggested)}?`;
}
