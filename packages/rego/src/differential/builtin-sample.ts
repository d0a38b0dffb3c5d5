// Differential testing, generator input: the builtins generated modules call, taken from the
// oracle's own capabilities (`opa capabilities --current`) with their declared argument types,
// and well-typed constant arguments drawn from those types.

/** A type as OPA's capabilities declare it. */
export interface DeclaredType {
  readonly type: string;
  readonly of?: DeclaredType | readonly DeclaredType[];
  readonly dynamic?: DeclaredType | { readonly key: DeclaredType; readonly value: DeclaredType };
  readonly static?: readonly (DeclaredType | { readonly key: string; readonly value: DeclaredType })[];
}

/** A builtin a generated module may call. */
export interface SampledBuiltin {
  readonly name: string;
  readonly args: readonly DeclaredType[];
  /** Numbers passed to it stay small: it builds something as large as them. */
  readonly sizeSensitive: boolean;
}

/**
 * Builtins left out: their answer depends on the clock, randomness, the network or the host,
 * they print, they are internal or infix-only (operators are generated as operators), or they
 * build outputs as large as their argument (a /8 network expands to 16 million addresses).
 */
const EXCLUDED = new Set([
  "time.now_ns",
  "rand.intn",
  "uuid.rfc4122",
  "http.send",
  "net.lookup_ip_addr",
  "opa.runtime",
  "trace",
  "print",
  "io.jwt.encode_sign",
  "io.jwt.encode_sign_raw",
  "crypto.x509.parse_and_verify_certificates",
  "crypto.x509.parse_and_verify_certificates_with_options",
  "providers.aws.sign_req",
  "net.cidr_expand",
]);

const SIZE_SENSITIVE = new Set([
  "numbers.range",
  "numbers.range_step",
  "bits.lsh",
  "array.slice",
  "substring",
]);

/** Picks the builtins to call from a capabilities document, sorted by name (so a seed means the same cases). */
export function sampleBuiltins(capabilities: unknown): SampledBuiltin[] {
  const list = (capabilities as { builtins?: unknown }).builtins;
  if (!Array.isArray(list)) throw new Error('capabilities: expected a "builtins" list');
  const out: SampledBuiltin[] = [];
  for (const b of list as { name?: unknown; infix?: unknown; decl?: { args?: unknown } }[]) {
    if (typeof b.name !== "string" || b.infix !== undefined || EXCLUDED.has(b.name)) continue;
    if (b.name.startsWith("internal.")) continue;
    const args = Array.isArray(b.decl?.args) ? (b.decl.args as DeclaredType[]) : [];
    out.push({ name: b.name, args, sizeSensitive: SIZE_SENSITIVE.has(b.name) });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Strings chosen to mean something to many builtins: patterns, encodings, times, networks, versions. */
export const STRINGS: readonly string[] = [
  "",
  "a",
  "abc",
  "A.b-c",
  "héllo wörld",
  "1.5",
  "42",
  "%v-%d",
  "a,b,c",
  "x/y/z",
  "  pad  ",
  "1.2.3",
  "*",
  "a*",
  "[a-z]+",
  "(a)(b)?",
  "0x1F",
  "true",
  "2024-01-02T03:04:05Z",
  "2006-01-02",
  "10.0.0.0/24",
  "192.168.1.1",
  "aGVsbG8=",
  '{"a":1}',
  "[1,2]",
  "10Mi",
  "1.5K",
  "3h2m",
  "https://u@example.com:8080/p?q=1#f",
  "a=1&b=2",
  "é世",
  "<a&b>",
  "\\",
  "\n",
];

/** Numbers as Rego source: small and large integers, fractions, exponents, beyond 2^53 and 2^64. */
export const NUMBERS: readonly string[] = [
  "0",
  "1",
  "-1",
  "2",
  "3",
  "7",
  "10",
  "255",
  "0.5",
  "-2.5",
  "1e3",
  "1.5e-3",
  "9007199254740993",
  "18446744073709551616",
  "3.14159",
  "100000000000000000000000",
  "1e400",
  "1.0",
];

const SMALL_NUMBERS: readonly string[] = ["0", "1", "2", "3", "-1", "5"];

/** A small deterministic random source, so a seed always renders the same text. */
export class SeededChoice {
  private state: number;
  constructor(seed: number) {
    this.state = (seed * 2654435761) >>> 0 || 1;
  }
  /** A whole number in [0, n). */
  below(n: number): number {
    // xorshift32
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return n <= 0 ? 0 : this.state % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)] as T;
  }
}

/** A ground Rego term (source text) of the declared type. */
export function valueOfType(t: DeclaredType, rnd: SeededChoice, small: boolean, depth = 0): string {
  switch (t.type) {
    case "string":
      return JSON.stringify(rnd.pick(STRINGS));
    case "number":
      return rnd.pick(small ? SMALL_NUMBERS : NUMBERS);
    case "boolean":
      return rnd.below(2) === 0 ? "true" : "false";
    case "null":
      return "null";
    case "array": {
      const items: string[] = [];
      for (const s of t.static ?? []) items.push(valueOfType(s as DeclaredType, rnd, small, depth + 1));
      if (t.dynamic !== undefined && depth < 3) {
        const n = rnd.below(4);
        for (let i = 0; i < n; i++) items.push(valueOfType(t.dynamic as DeclaredType, rnd, small, depth + 1));
      }
      return `[${items.join(", ")}]`;
    }
    case "set": {
      const n = depth < 3 ? rnd.below(4) : 0;
      if (n === 0 || t.of === undefined) return "set()";
      const items = new Set<string>();
      for (let i = 0; i < n; i++) items.add(valueOfType(t.of as DeclaredType, rnd, small, depth + 1));
      return `{${[...items].join(", ")}}`;
    }
    case "object": {
      const entries: string[] = [];
      for (const s of t.static ?? []) {
        const e = s as { key: string; value: DeclaredType };
        if (rnd.below(4) !== 0)
          entries.push(`${JSON.stringify(e.key)}: ${valueOfType(e.value, rnd, small, depth + 1)}`);
      }
      const dyn = t.dynamic as { key: DeclaredType; value: DeclaredType } | undefined;
      if (dyn !== undefined && depth < 3) {
        const n = rnd.below(3);
        const seen = new Set<string>();
        for (let i = 0; i < n; i++) {
          const k =
            dyn.key.type === "any"
              ? JSON.stringify(rnd.pick(STRINGS))
              : valueOfType(dyn.key, rnd, small, depth + 1);
          if (seen.has(k)) continue;
          seen.add(k);
          entries.push(`${k}: ${valueOfType(dyn.value, rnd, small, depth + 1)}`);
        }
      }
      return `{${entries.join(", ")}}`;
    }
    case "any": {
      if (Array.isArray(t.of) && t.of.length > 0)
        return valueOfType(rnd.pick(t.of as DeclaredType[]), rnd, small, depth);
      return valueOfType(anyShape(rnd, depth), rnd, small, depth);
    }
    default:
      // A type the generator does not know (`function`): any value will do, it is ill-typed anyway.
      return valueOfType({ type: "any" }, rnd, small, depth);
  }
}

function anyShape(rnd: SeededChoice, depth: number): DeclaredType {
  const scalars: DeclaredType[] = [
    { type: "string" },
    { type: "number" },
    { type: "boolean" },
    { type: "null" },
  ];
  if (depth >= 2) return rnd.pick(scalars);
  const any: DeclaredType = { type: "any" };
  return rnd.pick([
    ...scalars,
    { type: "string" },
    { type: "number" },
    { type: "array", dynamic: any },
    { type: "set", of: any },
    { type: "object", dynamic: { key: { type: "string" }, value: any } },
  ]);
}
