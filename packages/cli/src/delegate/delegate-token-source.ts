// CLI, delegates: where `keygate delegate run` gets its token: `--token`, `--token-file` (read
// again on every reconnect, so a secret manager such as a Vault agent can replace it), or the
// DELEGATE_TOKEN variable. A file may hold the token alone or a `DELEGATE_TOKEN=...` line.
import { readFileSync } from "node:fs";
import { CliError } from "../client/cli-io.js";

/** Reads the current token (again on each call for a file). */
export type DelegateTokenSource = () => string;

const ASSIGNMENT = /^\s*(?:export\s+)?DELEGATE_TOKEN\s*=\s*["']?([^"'\s]+)["']?\s*;?\s*$/m;

function checked(token: string, where: string): string {
  if (!token.startsWith("kgd_")) {
    throw new CliError(
      `the token from ${where} is not a delegate token: delegate tokens start with kgd_ (create one with keygate delegate-token create)`,
      2,
    );
  }
  return token;
}

/** The token in a file's text: the text alone, or the value of a `DELEGATE_TOKEN=` line. */
export function tokenFromFileText(text: string, path: string): string {
  const assigned = ASSIGNMENT.exec(text);
  if (assigned?.[1]) return checked(assigned[1], path);
  const trimmed = text.trim();
  if (trimmed === "") throw new CliError(`the token file ${path} is empty`, 2);
  if (/\s/.test(trimmed)) {
    throw new CliError(
      `the token file ${path} holds more than a token: write the token alone, or a line DELEGATE_TOKEN=<token>`,
      2,
    );
  }
  return checked(trimmed, path);
}

/** The token source chosen by the options and environment; a usage error when none or two are given. */
export function delegateTokenSource(
  options: { readonly token?: string | undefined; readonly tokenFile?: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
): DelegateTokenSource {
  if (options.token !== undefined && options.tokenFile !== undefined) {
    throw new CliError("give either --token or --token-file, not both", 2);
  }
  if (options.token !== undefined) {
    const token = checked(options.token.trim(), "--token");
    return () => token;
  }
  const path = options.tokenFile;
  if (path !== undefined) {
    const read = () => {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (error) {
        const reason = error instanceof Error && "code" in error ? String(error.code) : String(error);
        throw new CliError(`cannot read the token file ${path} (${reason})`, 2);
      }
      return tokenFromFileText(text, path);
    };
    read();
    return read;
  }
  const fromEnv = env.DELEGATE_TOKEN?.trim();
  if (fromEnv) {
    const token = checked(fromEnv, "DELEGATE_TOKEN");
    return () => token;
  }
  throw new CliError(
    "no delegate token: give --token TOKEN, --token-file PATH, or set the DELEGATE_TOKEN environment variable",
    2,
  );
}
