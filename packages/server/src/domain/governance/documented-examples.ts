// Domain layer, governance (test and benchmark support): reads the examples out of a
// documentation page saved as plain text: its Rego modules (with or without the line-number
// gutter a code viewer leaves behind) and its JSON sample payloads, so that tests run the
// documents' own examples, unchanged, instead of copies of them.

/** A Rego module found in a page: the text before it (its title) and the module itself. */
export interface DocumentedModule {
  /** The nearest line of prose above the module. */
  readonly title: string;
  /** The module's source, with the page's common indentation removed. */
  readonly source: string;
  /** 1-based line of the page where the module's `package` line is. */
  readonly line: number;
}

/** A JSON sample found in a page: the heading above it and the parsed value. */
export interface DocumentedJson {
  /** The nearest non-JSON line above the sample (e.g. `Sample Payload (OPA)`). */
  readonly title: string;
  readonly value: unknown;
  readonly line: number;
}

const PACKAGE_LINE = /^\s*package\s+[A-Za-z_]/;
const GUTTER_LINE = /^\s*\d+\s*$/;
// A line that can continue a module at brace depth 0: blank, a comment, an import, or a rule head.
const MODULE_LINE = /^\s*(?:$|#|import\s|default\s|[A-Za-z_][A-Za-z0-9_]*\s*(?:\[|\{|:=|=|\bif\b|\bcontains\b|\())/;

function dedent(lines: readonly string[]): string {
  const indents = lines.filter((l) => l.trim() !== "").map((l) => /^\s*/.exec(l)?.[0].length ?? 0);
  const cut = indents.length === 0 ? 0 : Math.min(...indents);
  return `${lines
    .map((l) => l.slice(Math.min(cut, /^\s*/.exec(l)?.[0].length ?? 0)).trimEnd())
    .join("\n")
    .trim()}\n`;
}

function braceDelta(line: string): number {
  let delta = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "#") break;
    else if (c === "{") delta++;
    else if (c === "}") delta--;
  }
  return delta;
}

/** The gutter length above `index` when the lines just before it read 1, 2, ..., N; else 0. */
function gutterAbove(lines: readonly string[], index: number): number {
  let n = 0;
  for (let i = index - 1; i >= 0; i--) {
    const line = lines[i] ?? "";
    if (!GUTTER_LINE.test(line)) break;
    n++;
  }
  if (n === 0) return 0;
  for (let k = 0; k < n; k++) {
    if (Number((lines[index - n + k] ?? "").trim()) !== k + 1) return 0;
  }
  return n;
}

function titleAbove(lines: readonly string[], index: number): string {
  for (let i = index - 1; i >= 0; i--) {
    const line = (lines[i] ?? "").trim();
    if (line !== "" && !GUTTER_LINE.test(line)) return line;
  }
  return "";
}

/** Every Rego module of a documentation page, in page order. */
export function extractRegoModules(page: string): DocumentedModule[] {
  const lines = page.split(/\r?\n/);
  const out: DocumentedModule[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!PACKAGE_LINE.test(lines[i] ?? "")) {
      i++;
      continue;
    }
    const start = i;
    const gutter = gutterAbove(lines, start);
    let end: number;
    if (gutter > 0) {
      // A code viewer numbered the lines: the module is exactly that many lines.
      end = Math.min(lines.length, start + gutter);
    } else {
      // No gutter: the module runs while braces are open or lines still look like Rego.
      let depth = 0;
      end = start + 1;
      for (let j = start + 1; j < lines.length; j++) {
        const line = lines[j] ?? "";
        if (depth === 0 && (PACKAGE_LINE.test(line) || !MODULE_LINE.test(line))) break;
        depth += braceDelta(line);
        end = j + 1;
      }
    }
    out.push({ title: titleAbove(lines, start), source: dedent(lines.slice(start, end)), line: start + 1 });
    i = end;
  }
  return out;
}

/** The `Sample ...` heading a few lines above a JSON sample (notes may sit between), else the nearest line. */
function sampleHeadingAbove(lines: readonly string[], index: number): string {
  for (let i = index - 1; i >= Math.max(0, index - 6); i--) {
    const line = (lines[i] ?? "").trim();
    if (/^Sample\b/.test(line)) return line;
  }
  return titleAbove(lines, index);
}

/** Parses a JSON sample as a documentation page prints it (trailing commas tolerated). */
function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(text.replace(/,(\s*[}\]])/g, "$1"));
  }
}

/** Every top-level JSON object of a documentation page (a line `{` to its matching `}`), in order. */
export function extractJsonSamples(page: string): DocumentedJson[] {
  const lines = page.split(/\r?\n/);
  const out: DocumentedJson[] = [];
  let i = 0;
  while (i < lines.length) {
    if ((lines[i] ?? "").trim() !== "{") {
      i++;
      continue;
    }
    let depth = 0;
    let end = -1;
    for (let j = i; j < lines.length; j++) {
      depth += braceDelta(lines[j] ?? "");
      if (depth === 0) {
        end = j;
        break;
      }
    }
    if (end < 0) break;
    const text = lines.slice(i, end + 1).join("\n");
    try {
      out.push({ title: sampleHeadingAbove(lines, i), value: parseLenientJson(text), line: i + 1 });
      i = end + 1;
    } catch {
      i++;
    }
  }
  return out;
}
