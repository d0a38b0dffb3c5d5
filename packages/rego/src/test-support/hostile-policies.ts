// Test support: policies written to exhaust an evaluation (time, memory, stack), each with the
// outcome it must end with. The library's tests and the CLI's end-to-end tests run the same list.

/** How a hostile policy must end: a budget error, a parse error, a value, or undefined. */
export type HostileOutcome =
  | { readonly error: "eval_cancel_error" | "rego_parse_error" }
  | { readonly value: unknown }
  | { readonly undefined: true };

/** A policy in package `hostile`, queried as `data.hostile.p`. */
export interface HostilePolicy {
  readonly name: string;
  readonly source: string;
  readonly outcome: HostileOutcome;
  /** The evaluation's time budget when not the tests' usual one (a policy that must finish). */
  readonly timeoutMs?: number;
}

const CANCEL: HostileOutcome = { error: "eval_cancel_error" };

/** `n` copies of `s` concatenated by the policy itself (a string as long as the text is short). */
function repeated(s: string, n: number): string {
  return `concat("", [x | some _ in numbers.range(1, ${n}); x := ${JSON.stringify(s)}])`;
}

function ruleChain(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`r${i} := r${i + 1}`);
  lines.push(`r${n} := 1`, "p := r0");
  return lines.join("\n");
}

function doubling(levels: number): string {
  const lines = ['s0 := "0123456789abcdef"'];
  for (let i = 0; i < levels; i++) lines.push(`s${i + 1} := concat("", [s${i}, s${i}])`);
  lines.push(`p := count(s${levels})`);
  return lines.join("\n");
}

function sharedDoubling(levels: number): string {
  const lines = ["x0 := [1, 2]"];
  for (let i = 0; i < levels; i++) lines.push(`x${i + 1} := [x${i}, x${i}]`);
  lines.push(`p := count(json.marshal(x${levels}))`);
  return lines.join("\n");
}

function replaceBlowUp(levels: number): string {
  const lines = ['s0 := "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"'];
  for (let i = 0; i < levels; i++) lines.push(`s${i + 1} := replace(s${i}, "a", s${i})`);
  lines.push(`p := count(s${levels})`);
  return lines.join("\n");
}

/** A JSON object nested `depth` deep, as text the policy builds: `{"a":{"a":...1...}}`. */
function deepObjectText(depth: number): string {
  return `concat("", [${repeated('{"a":', depth)}, "1", ${repeated("}", depth)}])`;
}

/** The hostile policies of issue 12, and others in the same spirit. */
export const HOSTILE_POLICIES: readonly HostilePolicy[] = [
  {
    name: "a billion-element range counted",
    source: "p := count([x | some x in numbers.range(1, 1000000000)])",
    outcome: CANCEL,
  },
  {
    name: "all pairs of a 100,000-element range",
    source: "xs := numbers.range(1, 100000)\np := count([[a, b] | some a in xs; some b in xs])",
    outcome: CANCEL,
  },
  {
    name: "a chain of 20,000 rules",
    source: ruleChain(20_000),
    outcome: { value: 1 },
    // Planning 20,000 rules on first use takes about a second on a loaded machine: the default.
    timeoutMs: 5000,
  },
  {
    name: "a string doubled 40 times (repeat)",
    source: doubling(40),
    outcome: CANCEL,
  },
  {
    name: "a document doubled 40 times by sharing (x := [y, y]), then marshalled",
    source: sharedDoubling(40),
    outcome: CANCEL,
  },
  {
    name: "a string replaced into itself",
    source: replaceBlowUp(10),
    outcome: CANCEL,
  },
  {
    name: "sprintf with a huge width",
    source: 'p := count(sprintf("%0900000000d", [1]))',
    outcome: CANCEL,
  },
  {
    name: "array.concat of huge arrays, many times",
    source: "xs := numbers.range(1, 100000)\np := count([array.concat(xs, xs) | some _ in xs])",
    outcome: CANCEL,
  },
  {
    name: "every over a huge range",
    source: "p if { every x in numbers.range(1, 100000000) { x > 0 } }",
    outcome: CANCEL,
  },
  {
    name: "walk of a document nested 5,000 deep",
    source: `d := json.unmarshal(${deepObjectText(5000)})\np := count([x | walk(d, x)])`,
    outcome: CANCEL,
  },
  {
    name: "walk of a document nested 500 deep",
    source: `d := json.unmarshal(${deepObjectText(500)})\np := count([x | walk(d, x)])`,
    outcome: { value: 501 },
  },
  {
    name: "json.unmarshal of text nested 9,000 deep",
    source: `p := count(json.unmarshal(${deepObjectText(9000)}))`,
    outcome: { value: 1 },
  },
  {
    name: "json.unmarshal of text nested 200,000 deep (Go's limit is 10,000)",
    source: `p := json.unmarshal(concat("", [${repeated("[", 200_000)}, ${repeated("]", 200_000)}]))`,
    outcome: { undefined: true },
  },
  {
    name: "a regex over a 1,000,000-character string, 1,000 times",
    source: `s := ${repeated("ab", 500_000)}\np := count([i | some i in numbers.range(1, 1000); regex.match("(a|b)*c", s)])`,
    outcome: CANCEL,
  },
  {
    name: "an object comprehension over two nested generators",
    source:
      'xs := numbers.range(1, 5000)\np := count({sprintf("%d-%d", [a, b]): a | some a in xs; some b in xs})',
    outcome: CANCEL,
  },
  {
    name: "a set comprehension over three nested generators",
    source:
      "xs := numbers.range(1, 3000)\np := count({[a, b, c] | some a in xs; some b in xs; some c in xs})",
    outcome: CANCEL,
  },
  {
    name: "data enumerated in a nested loop",
    source: "xs := numbers.range(1, 20000)\np := count([1 | xs[i]; xs[j]; i != j])",
    outcome: CANCEL,
  },
  {
    name: "an array nested 100,000 deep in the text",
    source: `p := ${"[".repeat(100_000)}${"]".repeat(100_000)}`,
    outcome: { error: "rego_parse_error" },
  },
  {
    name: "a sum of 20,000 terms (a call chain as deep)",
    source: `p := ${Array.from({ length: 20_000 }, () => "1").join(" + ")}`,
    outcome: { error: "rego_parse_error" },
  },
];

/** The module text of a hostile policy. */
export function hostileModule(p: HostilePolicy): string {
  return `package hostile\n\n${p.source}\n`;
}
