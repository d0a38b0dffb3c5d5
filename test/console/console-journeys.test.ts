// Console end-to-end: the journeys of issue 17 in a real browser (Debian's chromium through
// playwright-core) against a real `keygate serve` on a temporary store: invitations and sign-in,
// tokens shown once, rotate/revoke/delete, a policy's compile error marked before saving and then
// enforced, a login policy simulated in the browser, and the audit log of all of it. Every step
// leaves a screenshot in test-artifacts/console/; every page passes axe-core (no serious or
// critical violation) with no CSP violation; sign-in and token creation are done by keyboard alone.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/keygate-build.js";
import { startDelegateAgent } from "../support/delegate-agent.js";
import { type KeygateServer, runKeygate, startKeygate } from "../support/keygate-process.js";
import {
  ARTIFACTS,
  accessibilityViolations,
  type ConsoleContext,
  chromiumPath,
  launchChromium,
  openContext,
  screenshotter,
  tabTo,
} from "./console-browser.js";

const CHROMIUM = chromiumPath();
if (CHROMIUM === undefined)
  console.log(
    "console journeys skipped: no chromium at /usr/bin/chromium (apt-get install -y chromium; CI installs it)",
  );

const CONSOLE_BUILT = existsSync(join(REPO_ROOT, "packages/console/dist/index.html"));

describe.skipIf(CHROMIUM === undefined)("console journeys (issue 17)", () => {
  let dir: string;
  let server: KeygateServer;
  let browser: Browser;
  let admin: ConsoleContext;
  let adminToken: string;
  let delegateToken: string;

  /** Checks the page for accessibility and CSP problems. */
  async function check(target: ConsoleContext): Promise<void> {
    await target.page.waitForLoadState("networkidle");
    expect(await accessibilityViolations(target.page), `axe on ${target.page.url()}`).toEqual([]);
    expect(target.problems, `CSP violations or page errors on ${target.page.url()}`).toEqual([]);
  }

  /** The text of a CodeMirror editor's content element, a line per `.cm-line` (run in the page). */
  function codeMirrorText(content: Element): string {
    return [...content.querySelectorAll(".cm-line")].map((line) => line.textContent).join("\n");
  }

  /**
   * Awaits `wait`; when it fails, the error carries the text of the page's main region too (an error
   * notice there says why a result never showed: journey 5 has failed so in full runs, not alone).
   */
  async function showingPageOnFailure(page: Page, wait: Promise<void>): Promise<void> {
    try {
      await wait;
    } catch (error) {
      const shown =
        (await page
          .locator("main")
          .textContent()
          .catch(() => null)) ?? "(unreadable)";
      // The editors' text sits in shadow roots, which the page's text leaves out.
      const editors = await page
        .locator(".cm-content")
        .all()
        .then((all) => Promise.all(all.map((editor) => editor.evaluate(codeMirrorText))))
        .catch(() => ["(unreadable)"]);
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\nthe page showed: ${shown}${editors.map((t) => `\nan editor held:\n${t}`).join("")}`,
        {
          cause: error,
        },
      );
    }
  }

  /**
   * Replaces the text of the CodeMirror editor `editor` with `lines` as a user would (select all,
   * delete, insert), then waits until the editor holds exactly that text: a check of what was typed
   * before anything is judged on it.
   */
  async function replaceDraft(page: Page, editor: Locator, lines: readonly string[]): Promise<void> {
    await editor.focus();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(lines.join("\n"));
    await expect
      .poll(() => editor.evaluate(codeMirrorText), {
        timeout: 10_000,
        message: "the editor holds the draft typed",
      })
      .toBe(lines.join("\n"));
  }

  async function visit(target: ConsoleContext, path: string, heading: string | RegExp): Promise<Page> {
    await target.page.goto(path);
    await expect
      .poll(() => target.page.getByRole("heading", { level: 1, name: heading }).isVisible(), {
        timeout: 30_000,
      })
      .toBe(true);
    return target.page;
  }

  beforeAll(async () => {
    if (!CONSOLE_BUILT)
      throw new Error("packages/console/dist is missing: run npm run build (npm test does)");
    rmSync(ARTIFACTS, { recursive: true, force: true });
    dir = mkdtempSync(join(tmpdir(), "keygate-console-"));
    const init = await runKeygate(["init", "--data-dir", dir, "--org", "acme", "--json"]);
    expect(init.code, init.stderr).toBe(0);
    ({ adminToken, delegateToken } = JSON.parse(init.stdout) as {
      adminToken: string;
      delegateToken: string;
    });
    server = await startKeygate(["--data-dir", dir]);
    browser = await launchChromium(CHROMIUM ?? "");
    admin = await openContext(browser, server.url);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("serves the console with caching and a strict CSP, and keeps /api/* answers JSON:API", async () => {
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(index.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(index.headers.get("content-security-policy")).not.toContain("unsafe-inline");
    const html = await index.text();
    expect(html).not.toMatch(/<script>(?!\s*<\/script>)|<style/);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${server.url}${asset}`);
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const clientRoute = await fetch(`${server.url}/service-accounts/sa-123`);
    expect(clientRoute.status).toBe(200);
    expect(await clientRoute.text()).toBe(html);
    const api = await fetch(`${server.url}/api/v2/no-such-thing`);
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toContain("application/vnd.api+json");
  });

  it("signs the bootstrap admin in by keyboard alone (session cookie, token kept nowhere)", async () => {
    const shot = screenshotter("0-sign-in");
    const { page } = admin;
    await page.goto("/");
    await expect.poll(() => page.url()).toContain("/sign-in");
    await check(admin);
    await shot(page, "sign-in page");
    await tabTo(page, page.getByLabel("Personal token"));
    await page.keyboard.type(adminToken);
    await page.keyboard.press("Enter");
    await expect
      .poll(() => page.getByRole("heading", { level: 1, name: "Overview" }).isVisible(), { timeout: 30_000 })
      .toBe(true);
    const cookies = await admin.context.cookies();
    const session = cookies.find((c) => c.name === "keygate_session");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Strict");
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    expect(stored).not.toContain(adminToken);
    await check(admin);
    await shot(page, "overview");
  });

  it("journey 1: invites a user, who opens the link, mints a token and signs in with it", async () => {
    const shot = screenshotter("1-invite");
    const page = await visit(admin, "/users", "Users");
    // An API error about a field (its source.pointer) appears next to that field.
    await page.getByLabel("User name").fill("   ");
    await page.getByRole("button", { name: "Add user" }).click();
    await expect
      .poll(() => page.getByLabel("User name").getAttribute("aria-invalid"), { timeout: 10_000 })
      .toBe("true");
    const fieldError = page.locator(".field", { has: page.getByLabel("User name") }).locator(".field-error");
    expect(await fieldError.textContent()).toContain("name must not be empty");
    await check(admin);
    await shot(page, "field error next to the field");
    await page.getByLabel("User name").fill("dana");
    await page.getByLabel("Email").fill("dana@example.com");
    await page.getByRole("button", { name: "Add user" }).click();
    await page.getByRole("button", { name: "Invite dana" }).click();
    await shot(page, "invite dialog");
    await page.getByRole("button", { name: "Create invitation link" }).click();
    const link = await page.getByLabel("Invitation link").inputValue();
    expect(link).toMatch(/\/invite#kgi_/);
    await check(admin);
    await shot(page, "invitation link shown once");
    await page.getByRole("button", { name: "I have copied it" }).click();
    await expect.poll(() => page.getByRole("row", { name: /dana.*pending/ }).isVisible()).toBe(true);
    await shot(page, "pending invitation listed");

    const dana = await openContext(browser, server.url);
    try {
      await dana.page.goto(link);
      await expect
        .poll(() => dana.page.getByText("You are invited as").isVisible(), { timeout: 30_000 })
        .toBe(true);
      await check(dana);
      await shot(dana.page, "invitation opened");
      await dana.page.getByLabel("Token description").fill("laptop");
      await dana.page.getByRole("button", { name: "Create my personal token" }).click();
      const token = await dana.page.getByLabel("Your personal token").inputValue();
      expect(token).toMatch(/^kgu_/);
      await expect.poll(() => dana.page.getByText("you will not see this again").isVisible()).toBe(true);
      await shot(dana.page, "personal token shown once");
      await dana.page.getByRole("button", { name: "Sign in with this token" }).click();
      await expect
        .poll(() => dana.page.getByRole("heading", { level: 1, name: "Overview" }).isVisible(), {
          timeout: 30_000,
        })
        .toBe(true);
      await expect.poll(() => dana.page.getByText("Signed in as dana").isVisible()).toBe(true);
      await shot(dana.page, "signed in as dana");
      // The link is single use.
      await dana.page.goto(link);
      await expect
        .poll(() => dana.page.getByText("This invitation is not valid").isVisible(), { timeout: 30_000 })
        .toBe(true);
      // Sign-out ends the session on the server.
      await dana.page.goto("/");
      await dana.page.getByRole("button", { name: "Sign out" }).click();
      await expect.poll(() => dana.page.url()).toContain("/sign-in");
      expect(dana.problems).toEqual([]);
    } finally {
      await dana.context.close();
    }
  }, 120_000);

  let keyUrl = "";
  it("journey 2: creates a service account, key and token; the secret is shown once (keyboard for the token)", async () => {
    const shot = screenshotter("2-token");
    const page = await visit(admin, "/service-accounts", "Service accounts");
    await page.getByLabel("Name", { exact: true }).fill("ci-pipeline");
    await page.getByLabel("Description").fill("Deploys from CI");
    await page.getByRole("button", { name: "Create service account" }).click();
    await page.getByRole("link", { name: "ci-pipeline" }).click();
    await visit(admin, page.url().replace(server.url, ""), "ci-pipeline");
    await page.getByLabel("Key name").fill("deploy-key");
    await page.getByRole("button", { name: "Create API key" }).click();
    await page.getByRole("link", { name: "deploy-key" }).click();
    await expect
      .poll(() => page.getByRole("heading", { level: 1, name: "deploy-key" }).isVisible())
      .toBe(true);
    keyUrl = page.url().replace(server.url, "");
    await check(admin);
    await shot(page, "api key without tokens");

    // Keyboard only from here to the shown-once dialog.
    await tabTo(page, page.getByRole("button", { name: "Create token" }));
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("dialog", { name: "Create a token" }).isVisible()).toBe(true);
    await expect
      .poll(() => page.getByLabel("Token name").evaluate((e) => e === document.activeElement))
      .toBe(true);
    await page.keyboard.type("deploy-1");
    await page.keyboard.press("Tab");
    await page.keyboard.type("Production deploys");
    await page.keyboard.press("Tab");
    await page.keyboard.press("ArrowDown"); // 30 days -> 90 days
    await page.keyboard.press("Tab");
    await page.keyboard.type("team=payments");
    await shot(page, "create token dialog");
    await check(admin);
    await tabTo(page, page.getByRole("button", { name: "Create token" }).last());
    await page.keyboard.press("Enter");
    const secretField = page.getByLabel("Token secret");
    await expect.poll(() => secretField.isVisible(), { timeout: 30_000 }).toBe(true);
    const secret = await secretField.inputValue();
    expect(secret.length).toBeGreaterThan(20);
    await expect.poll(() => page.getByText("you will not see this again").isVisible()).toBe(true);
    await check(admin);
    await shot(page, "secret shown once");
    await tabTo(page, page.getByRole("button", { name: "Done, I have copied it" }));
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("row", { name: /deploy-1/ }).isVisible()).toBe(true);
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await expect
      .poll(() => page.getByRole("row", { name: /deploy-1/ }).isVisible(), { timeout: 30_000 })
      .toBe(true);
    expect(await page.content()).not.toContain(secret);
    expect(await page.getByRole("row", { name: /deploy-1/ }).textContent()).toContain("team=payments");
    await shot(page, "after reload the secret is gone");
  }, 120_000);

  it("journey 3: rotates with a grace period, refuses delete before revoke, deletes after", async () => {
    const shot = screenshotter("3-rotate-revoke");
    const page = await visit(admin, keyUrl, "deploy-key");
    await page.getByRole("button", { name: "Rotate deploy-1" }).click();
    await page.getByLabel("Grace period for the old secret").selectOption({ label: "24 hours" });
    await shot(page, "rotate dialog");
    await page.getByRole("button", { name: "Rotate token" }).click();
    await expect.poll(() => page.getByLabel("New token secret").isVisible(), { timeout: 30_000 }).toBe(true);
    await check(admin);
    await shot(page, "rotated secret shown once");
    await page.getByRole("button", { name: "Done, I have copied it" }).click();
    const rotated = page.getByRole("row").filter({ hasText: "rotated" });
    const active = page.getByRole("row").filter({ hasText: "active" });
    await expect.poll(() => rotated.count()).toBe(1);
    await expect.poll(() => active.count()).toBe(1);
    expect(await rotated.textContent()).toContain("old secret until");
    await shot(page, "old token in its grace period");

    // Delete is refused while the token is not revoked, and says why.
    const deleteActive = active.getByRole("button", { name: "Delete deploy-1" });
    expect(await deleteActive.getAttribute("aria-disabled")).toBe("true");
    expect(await deleteActive.getAttribute("title")).toContain("Only a revoked token can be deleted");
    await deleteActive.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => active.count()).toBe(1);

    await active.getByRole("button", { name: "Revoke deploy-1" }).click();
    await shot(page, "revoke confirmation");
    await page.getByRole("button", { name: "Revoke token" }).click();
    // Revoking the token revokes the one it replaced too (still in its grace period).
    const revoked = page.getByRole("row").filter({ hasText: "revoked" });
    await expect.poll(() => active.count()).toBe(0);
    await expect.poll(() => revoked.count()).toBe(2);
    const deleteRevoked = revoked.first().getByRole("button", { name: "Delete deploy-1" });
    expect(await deleteRevoked.getAttribute("aria-disabled")).toBeNull();
    await check(admin);
    await shot(page, "revoked tokens can be deleted");
    await deleteRevoked.click();
    await expect.poll(() => revoked.count()).toBe(1);
    await shot(page, "deleted");
  }, 120_000);

  it("journey 4: marks a policy's syntax error at its line before saving, then enforces the fixed policy", async () => {
    const shot = screenshotter("4-policy");
    const page = await visit(admin, "/policies", "Policies");
    await page.getByRole("link", { name: "New policy" }).click();
    await expect
      .poll(() => page.getByRole("heading", { level: 1, name: "New policy" }).isVisible())
      .toBe(true);
    await page.getByLabel("Name", { exact: true }).fill("require-expiry");
    await page.getByLabel("Enforcement level").selectOption("mandatory");
    const editor = page.getByRole("textbox", { name: "Policy Rego text" });
    await editor.focus();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    const broken = [
      "package keygate.tokens",
      "",
      "import rego.v1",
      "",
      "deny contains msg if {",
      "  input.token.validTo == == null",
      '  msg := "tokens must have an expiry"',
      "}",
    ].join("\n");
    await page.keyboard.insertText(broken);
    const problems = page.getByRole("list", { name: "Compile errors" });
    // Polled on the text: the emptied editor may have been checked first ("empty module", line 1)
    // when the debounce fires between the Delete and the insert, as on a loaded machine.
    await expect
      .poll(async () => ((await problems.isVisible()) ? await problems.textContent() : ""), {
        timeout: 45_000,
      })
      .toMatch(/line 6:\d+/);
    // The editor marks the same line.
    await expect
      .poll(() => page.locator(".cm-lintRange-error").count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    const markedLine = await page
      .locator(".cm-lintRange-error")
      .first()
      .evaluate((el) => el.closest(".cm-line")?.textContent ?? "");
    expect(markedLine).toContain("input.token.validTo");
    await check(admin);
    await shot(page, "syntax error marked at line 6");

    // The fixed text comes from a file, loaded into the editor.
    await page.getByLabel("Load a .rego file into the editor").setInputFiles({
      name: "require-expiry.rego",
      mimeType: "text/plain",
      buffer: Buffer.from(broken.replace("== == null", "== null")),
    });
    await expect
      .poll(() => page.getByText("Compiles: no errors.").isVisible(), { timeout: 45_000 })
      .toBe(true);
    await shot(page, "fixed");
    await page.getByRole("button", { name: "Create policy" }).click();
    await expect
      .poll(() => page.getByRole("heading", { level: 1, name: "require-expiry" }).isVisible(), {
        timeout: 30_000,
      })
      .toBe(true);
    await check(admin);
    await shot(page, "policy saved");

    await visit(admin, "/policy-sets", "Policy sets");
    await page.getByLabel("Set name").fill("token-saves");
    await page.getByRole("checkbox", { name: /require-expiry/ }).check();
    await check(admin);
    await shot(page, "new policy set on token saves");
    await page.getByRole("button", { name: "Create policy set" }).click();
    await expect.poll(() => page.getByRole("row", { name: /token-saves/ }).isVisible()).toBe(true);
    await shot(page, "policy set attached");

    await visit(admin, keyUrl, "deploy-key");
    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByLabel("Token name").fill("forever");
    await page.getByLabel("Expires").selectOption("never");
    await page.getByRole("dialog").getByRole("button", { name: "Create token" }).click();
    await expect
      .poll(() => page.getByRole("dialog").getByRole("alert").first().textContent(), { timeout: 30_000 })
      .toContain("tokens must have an expiry");
    await check(admin);
    await shot(page, "token creation refused by the policy");
    await page.getByRole("button", { name: "Cancel" }).click();
  }, 150_000);

  it("journey 5: simulates a login policy on recent inputs in the browser and shows the difference", async () => {
    const shot = screenshotter("5-simulate");
    const page = await visit(admin, "/simulate", "Simulate");
    const editor = page.getByRole("textbox", { name: "Draft Rego text" });
    await expect.poll(() => editor.isVisible(), { timeout: 30_000 }).toBe(true);
    await replaceDraft(page, editor, [
      "package keygate.login",
      "",
      "import rego.v1",
      "",
      'deny contains "dana is on leave" if input.session.principal.name == "dana"',
      "",
      'roles["root"]["viewer"] if input.session.member',
    ]);
    await page.getByLabel("Inputs of").selectOption("login");
    await expect
      .poll(async () => (await page.getByText(/recent input\(s\)/).textContent()) ?? "", { timeout: 30_000 })
      .toMatch(/[1-9]\d* recent/);
    await page.getByRole("button", { name: "Simulate draft" }).click();
    const summary = page.getByText(/input\(s\) would change/);
    await showingPageOnFailure(page, expect.poll(() => summary.isVisible(), { timeout: 45_000 }).toBe(true));
    expect(await summary.textContent()).toContain("simulated in the browser");
    const table = page.getByRole("table", { name: "Simulation results" });
    expect(await table.textContent()).toContain("allowed → denied");
    expect(await table.textContent()).toContain("roles added");
    await check(admin);
    await shot(page, "login policy simulated");

    // A draft calling a builtin that needs node:crypto is simulated by the server, and says so.
    await replaceDraft(page, editor, [
      "package keygate.login",
      "",
      "import rego.v1",
      "",
      'deny contains "hashed deny" if crypto.sha256(input.session.principal.name) == crypto.sha256("dana")',
    ]);
    await page.getByRole("button", { name: "Simulate draft" }).click();
    await showingPageOnFailure(
      page,
      expect
        .poll(() => page.getByText(/simulated it on the server/).isVisible(), { timeout: 45_000 })
        .toBe(true),
    );
    expect(await page.getByText(/simulated it on the server/).textContent()).toContain("crypto.sha256");
    await expect.poll(() => page.getByText(/input\(s\) would change/).isVisible()).toBe(true);
    await check(admin);
    await shot(page, "crypto policy simulated on the server");
  }, 120_000);

  it("journey 6: the audit log shows each of the above", async () => {
    const shot = screenshotter("6-audit");
    const page = await visit(admin, "/audit", "Audit log");
    await check(admin);
    await shot(page, "audit log");
    const actions = [
      "invitation.created",
      "invitation.accepted",
      "session.created",
      "session.ended",
      "token.create",
      "token.rotate",
      "token.revoke",
      "token.delete",
      "policy.create",
      "policy.upload",
    ];
    for (const action of actions) {
      await page.getByLabel("Action").fill(action);
      await page.getByRole("button", { name: "Apply filters" }).click();
      await expect
        .poll(() => page.getByRole("table").getByText(action, { exact: true }).first().isVisible(), {
          timeout: 10_000,
          message: action,
        })
        .toBe(true);
    }
    await page.getByLabel("Action").fill("token.create");
    await page.getByLabel("Outcome").selectOption("denied");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect
      .poll(() => page.getByRole("table").getByText("denied", { exact: true }).first().isVisible(), {
        timeout: 10_000,
      })
      .toBe(true);
    await shot(page, "refused token creation in the audit log");
    await page.getByRole("table").getByRole("link").first().click();
    await expect
      .poll(() => page.getByRole("heading", { level: 1, name: "token.create" }).isVisible())
      .toBe(true);
    await check(admin);
    await shot(page, "one event in full");
  }, 120_000);

  it("delegates: a connecting agent appears live, and drops when its token is revoked", async () => {
    const shot = screenshotter("8-delegates");
    const page = await visit(admin, "/delegates", "Delegates");
    await expect
      .poll(() => page.getByRole("status").filter({ hasText: "Live" }).isVisible(), { timeout: 30_000 })
      .toBe(true);
    await expect.poll(() => page.getByText("No agent is connected.").isVisible()).toBe(true);
    const agent = await startDelegateAgent(server.url, delegateToken, "build-runner-1");
    try {
      const row = page
        .getByRole("table", { name: "Connected agents" })
        .getByRole("row", { name: /build-runner-1/ });
      // No reload: the row arrives over the event stream.
      await expect.poll(() => row.isVisible(), { timeout: 45_000 }).toBe(true);
      await check(admin);
      await shot(page, "agent connected");
      const tokenRow = page.getByRole("row").filter({ hasText: "(default)" });
      await tokenRow.getByRole("button", { name: /^Revoke / }).click();
      await expect.poll(() => row.count(), { timeout: 45_000 }).toBe(0);
      await expect.poll(() => tokenRow.getByText("revoked").isVisible()).toBe(true);
      await shot(page, "agent dropped after revoke");
    } finally {
      await agent.stop();
    }
  }, 120_000);

  it("binds a role in a space, and the key's effective access names the binding", async () => {
    const shot = screenshotter("9-access");
    const page = await visit(admin, "/spaces", "Spaces");
    await page.getByLabel("Role", { exact: true }).selectOption({ label: "token-manager" });
    await page.getByLabel("Granted to").selectOption({ label: "ci-pipeline (service-accounts)" });
    await page.getByRole("button", { name: "Bind role" }).click();
    await expect
      .poll(() => page.getByRole("row", { name: /token-manager ci-pipeline/ }).isVisible(), {
        timeout: 10_000,
      })
      .toBe(true);
    await shot(page, "role bound");
    await visit(admin, `${keyUrl}/access`, "What may this key do?");
    await expect
      .poll(() => page.getByRole("row", { name: /token-manager/ }).isVisible(), { timeout: 10_000 })
      .toBe(true);
    expect(await page.getByRole("row", { name: /token-manager/ }).textContent()).toContain("Role binding");
    expect(await page.locator(".permission").allTextContents()).toContain("tokens.rotate");
    await check(admin);
    await shot(page, "effective access");
  }, 120_000);

  it("every page passes axe-core with no CSP violation", async () => {
    const shot = screenshotter("7-pages");
    const pages: [string, string | RegExp][] = [
      ["/", "Overview"],
      ["/spaces", "Spaces"],
      ["/users", "Users"],
      ["/service-accounts", "Service accounts"],
      ["/tokens", "Tokens"],
      ["/policies", "Policies"],
      ["/policy-sets", "Policy sets"],
      ["/simulate", "Simulate"],
      ["/evaluations", "Evaluations"],
      ["/delegates", "Delegates"],
      ["/audit", "Audit log"],
      [`${keyUrl}/access`, "What may this key do?"],
    ];
    for (const [path, heading] of pages) {
      const page = await visit(admin, path, heading);
      await check(admin);
      await shot(page, path === "/" ? "overview" : path.endsWith("/access") ? "key-access" : path.slice(1));
    }
    const page = await visit(admin, "/evaluations", "Evaluations");
    await page.getByRole("table").getByRole("link").first().click();
    await expect
      .poll(() => page.getByRole("heading", { level: 2, name: "Policies evaluated" }).isVisible(), {
        timeout: 10_000,
      })
      .toBe(true);
    await check(admin);
    await shot(page, "evaluation");
  }, 180_000);
});
