// CLI tests, delegates: where the agent's token comes from (flag, file as a Vault agent template
// writes it, environment), the refusals, and the WebSocket URL built from --server.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CliError } from "../client/cli-io.js";
import { connectUrl } from "./delegate-agent.js";
import { delegateTokenSource, tokenFromFileText } from "./delegate-token-source.js";

const TOKEN = `kgd_abcdefghijkl_${"x".repeat(43)}123456`;
const dir = mkdtempSync(join(tmpdir(), "keygate-token-source-"));

function usageError(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error("expected a CliError");
}

describe("delegate token source", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a file holding the token alone, or the line a Vault agent template writes", () => {
    expect(tokenFromFileText(`${TOKEN}\n`, "f")).toBe(TOKEN);
    expect(tokenFromFileText(`export DELEGATE_TOKEN="${TOKEN}"\n`, "f")).toBe(TOKEN);
    expect(tokenFromFileText(`# rendered by vault\nDELEGATE_TOKEN=${TOKEN}\n`, "f")).toBe(TOKEN);
    expect(usageError(() => tokenFromFileText("  \n", "/run/token")).message).toBe(
      "the token file /run/token is empty",
    );
    expect(usageError(() => tokenFromFileText("two words", "f")).message).toMatch(/more than a token/);
  });

  it("reads the file again on every call, so a rotated value is picked up on reconnect", () => {
    const path = join(dir, "token");
    writeFileSync(path, TOKEN);
    const source = delegateTokenSource({ tokenFile: path }, {});
    expect(source()).toBe(TOKEN);
    const next = TOKEN.replace("abcdefghijkl", "mnopqrstuvwx");
    writeFileSync(path, `export DELEGATE_TOKEN="${next}"`);
    expect(source()).toBe(next);
  });

  it("takes --token, else --token-file, else DELEGATE_TOKEN, and explains what is missing or wrong", () => {
    expect(delegateTokenSource({ token: TOKEN }, { DELEGATE_TOKEN: "ignored" })()).toBe(TOKEN);
    expect(delegateTokenSource({}, { DELEGATE_TOKEN: ` ${TOKEN} ` })()).toBe(TOKEN);
    const none = usageError(() => delegateTokenSource({}, {}));
    expect(none.exitCode).toBe(2);
    expect(none.message).toMatch(/--token TOKEN, --token-file PATH, or set the DELEGATE_TOKEN/);
    expect(usageError(() => delegateTokenSource({ token: TOKEN, tokenFile: "f" }, {})).message).toMatch(
      /not both/,
    );
    const wrongKind = usageError(() => delegateTokenSource({ token: "kgu_something" }, {}));
    expect(wrongKind.message).toMatch(/from --token is not a delegate token/);
    expect(wrongKind.message).not.toContain("kgu_something");
    expect(usageError(() => delegateTokenSource({ tokenFile: join(dir, "absent") }, {})).message).toMatch(
      /cannot read the token file .*absent \(ENOENT\)/,
    );
  });

  it("builds the WebSocket URL from --server, keeping a path prefix", () => {
    const announce = { name: "a b", host: "h", version: "1" };
    expect(connectUrl("http://127.0.0.1:8080", announce).toString()).toBe(
      "ws://127.0.0.1:8080/api/v2/delegates/connect?name=a+b&host=h&version=1",
    );
    expect(
      connectUrl("https://example.com/keygate/", announce).origin +
        connectUrl("https://example.com/keygate/", announce).pathname,
    ).toBe("wss://example.com/keygate/api/v2/delegates/connect");
    expect(usageError(() => connectUrl("ftp://x", announce)).message).toMatch(/http:\/\/ or https:\/\//);
    expect(usageError(() => connectUrl("not a url", announce)).message).toMatch(/must be a URL/);
  });
});
