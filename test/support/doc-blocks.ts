// End-to-end tests, support: reads the fenced code blocks of a Markdown page, and matches a
// command's output against the output a page shows (`...` alone on a line stands for any lines,
// `<...>` within a line for any text), so that pages whose examples are run cannot drift.

/** A fenced code block: its language, the attributes after it (`file=x.rego`, `exit=1`, `norun`), its text. */
export interface DocBlock {
  readonly lang: string;
  readonly attrs: ReadonlyMap<string, string>;
  readonly body: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

/** Every fenced code block of `markdown`, in order. */
export function docBlocks(markdown: string): DocBlock[] {
  const lines = markdown.split("\n");
  const out: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```([A-Za-z0-9_-]*)\s*(.*)$/.exec(lines[i] ?? "");
    if (!open) continue;
    const indent = open[1]?.length ?? 0;
    const attrs = new Map<string, string>();
    for (const word of (open[3] ?? "").split(/\s+/).filter((w) => w !== "")) {
      const eq = word.indexOf("=");
      attrs.set(eq < 0 ? word : word.slice(0, eq), eq < 0 ? "" : word.slice(eq + 1));
    }
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j] ?? ""); j++)
      body.push((lines[j] ?? "").slice(indent));
    out.push({ lang: open[2] ?? "", attrs, body: `${body.join("\n")}\n`, line: i + 1 });
    i = j;
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** True when `actual` matches the output a page shows (`expected`, with its `...` and `<...>`). */
export function outputMatches(expected: string, actual: string): boolean {
  const pattern = expected
    .trimEnd()
    .split("\n")
    .map((line) =>
      line.trim() === "..."
        ? "(?:[^\\n]*\\n)*?"
        : `${line.trimEnd().split("<...>").map(escapeRegExp).join("[^\\n]*")}[ \\t]*\\n`,
    )
    .join("");
  const normalized = `${actual
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")
    .trimEnd()}\n`;
  return new RegExp(`^${pattern}$`).test(normalized);
}
