// Differential testing, setup: finds the `opa` binary the engine is compared with, and runs it.
// The binary comes from --opa, else $KEYGATE_OPA, else scripts/install-opa.sh (which builds
// the pinned version once into a cache and prints nothing where it cannot).

import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The install script, at the repository root (same place from `src/` and `dist/`). */
export const INSTALL_SCRIPT = fileURLToPath(new URL("../../../../scripts/install-opa.sh", import.meta.url));

/** Where the opa binary was found, or why there is none. */
export type OpaLocation =
  | { readonly kind: "found"; readonly path: string; readonly version: string }
  | { readonly kind: "missing"; readonly reason: string };

/** Finds opa: an explicit path, else $KEYGATE_OPA, else the install script's answer. */
export function locateOpa(explicit: string | undefined): OpaLocation {
  const given = explicit ?? (process.env.KEYGATE_OPA || undefined);
  let path = given;
  if (path === undefined) {
    if (!existsSync(INSTALL_SCRIPT)) return { kind: "missing", reason: `${INSTALL_SCRIPT} is missing` };
    try {
      // The script explains itself on stderr, which stays the user's.
      path = execFileSync("bash", [INSTALL_SCRIPT], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      })
        .trim()
        .split("\n")
        .pop();
    } catch (e) {
      return { kind: "missing", reason: `${INSTALL_SCRIPT} failed: ${(e as Error).message}` };
    }
    if (!path) return { kind: "missing", reason: "scripts/install-opa.sh could not provide opa (see above)" };
  }
  if (!existsSync(path)) return { kind: "missing", reason: `${path}: no such file` };
  try {
    const text = execFileSync(path, ["version"], { encoding: "utf8" });
    const version = /^Version:\s*(\S+)/m.exec(text)?.[1] ?? "unknown";
    return { kind: "found", path, version };
  } catch (e) {
    return { kind: "missing", reason: `${path} does not run: ${(e as Error).message}` };
  }
}

/** What one opa process printed and how it ended. */
export interface OpaRun {
  readonly stdout: string;
  readonly stderr: string;
  /** The exit code; undefined when the process was killed (timeout). */
  readonly exitCode: number | undefined;
  readonly timedOut: boolean;
}

/** Runs opa with the arguments and collects its output; never rejects. */
export function runOpa(opa: string, args: readonly string[], timeoutMs = 30_000): Promise<OpaRun> {
  return new Promise((resolve) => {
    execFile(
      opa,
      [...args],
      { encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const killed = error !== null && (error as { killed?: boolean }).killed === true;
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : undefined;
        resolve({ stdout, stderr, exitCode: killed ? undefined : code, timedOut: killed });
      },
    );
  });
}
