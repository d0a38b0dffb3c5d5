// CLI, output: a progress line on stderr for long work (a spinner, a bar and a count), drawn only
// when stderr is a terminal and at most every `intervalMs`, and erased when the work is done.

const FRAMES = ["|", "/", "-", "\\"];
const WIDTH = 24;

/** A progress line that can be updated and cleared. */
export interface Progress {
  /** Shows `done` of `total` for a stage (`parsing`, `testing`). */
  update(label: string, done: number, total: number): void;
  /** Erases the line (call before printing results). */
  clear(): void;
}

/** A progress line writing through `write`; does nothing unless `interactive`. */
export function progressBar(
  write: (text: string) => void,
  interactive: boolean,
  options: { readonly intervalMs?: number; readonly now?: () => number } = {},
): Progress {
  if (!interactive) return { update: () => {}, clear: () => {} };
  const intervalMs = options.intervalMs ?? 80;
  const now = options.now ?? (() => performance.now());
  let last = Number.NEGATIVE_INFINITY;
  let frame = 0;
  let drawn = false;
  return {
    update(label, done, total) {
      const at = now();
      if (at - last < intervalMs && done < total) return;
      last = at;
      const filled = total > 0 ? Math.round((done / total) * WIDTH) : 0;
      const bar = `${"#".repeat(filled)}${".".repeat(WIDTH - filled)}`;
      write(`\r\x1b[K${FRAMES[frame++ % FRAMES.length]} ${label} [${bar}] ${done}/${total}`);
      drawn = true;
    },
    clear() {
      if (drawn) write("\r\x1b[K");
      drawn = false;
    },
  };
}
