// Differential testing, `policy eval` bytes: says how two `--format json` outputs differ, so that
// differences group into classes. First by value (the first JSON path whose values differ, object
// key order aside), then, when the values are equal, by the first differing token: number text
// (big integers, float formatting), string escaping (OPA escapes <, > and &), keys (key order),
// or whitespace only.

/** How the outputs differ: `value differs at .errors[0].message: ...` or `number text differs: opa 1e400, ours 1e+400 (line 9)`. */
export function describeOutputDifference(opa: string, ours: string): string {
  let va: unknown;
  let vb: unknown;
  try {
    va = JSON.parse(opa);
    vb = JSON.parse(ours);
  } catch {
    return textDifference(opa, ours);
  }
  return valueDifference(va, vb, "") ?? textDifference(opa, ours);
}

function valueDifference(a: unknown, b: unknown, path: string): string | undefined {
  const composite = (v: unknown) => typeof v === "object" && v !== null;
  if (!composite(a) || !composite(b) || Array.isArray(a) !== Array.isArray(b)) {
    return Object.is(a, b) ? undefined : `value differs at ${path || "."}: opa ${show(a)}, ours ${show(b)}`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = valueDifference(a[i], b[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k of [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort()) {
    const d = valueDifference(ra[k], rb[k], `${path}.${k}`);
    if (d !== undefined) return d;
  }
  return undefined;
}

function show(v: unknown): string {
  if (v === undefined) return "(absent)";
  if (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)))
    return Object.is(v, -0) ? "-0" : String(v);
  return clip(JSON.stringify(v));
}

function textDifference(opa: string, ours: string): string {
  const a = tokens(opa);
  const b = tokens(ours);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x?.text === y?.text) continue;
    const line = `(line ${x?.line ?? "end"})`;
    const shown = `opa ${clip(x?.text ?? "(end)")}, ours ${clip(y?.text ?? "(end)")} ${line}`;
    if (x === undefined || y === undefined) return `length differs: ${shown}`;
    if (isNumber(x.text) && isNumber(y.text)) return `number text differs: ${shown}`;
    if (isString(x.text) && isString(y.text)) {
      if (JSON.parse(x.text) === JSON.parse(y.text)) return `string escaping differs: ${shown}`;
      const key = a[i + 1]?.text === ":" && b[i + 1]?.text === ":";
      return `${key ? "key" : "string"} differs: ${shown}`;
    }
    return `token differs: ${shown}`;
  }
  return opa === ours ? "same" : "whitespace differs";
}

interface Token {
  readonly text: string;
  readonly line: number;
}

const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|[{}[\]:,]|\S+/g;

function tokens(text: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    for (let i = last; i < (m.index as number); i++) if (text.charCodeAt(i) === 10) line++;
    last = m.index as number;
    out.push({ text: m[0], line });
  }
  return out;
}

function isNumber(t: string): boolean {
  return /^-?\d/.test(t);
}

function isString(t: string): boolean {
  return t.startsWith('"');
}

function clip(s: string, max = 120): string {
  return s.length <= max ? s : `${s.slice(0, max)}…`;
}
