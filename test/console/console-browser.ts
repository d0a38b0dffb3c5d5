// Console end-to-end tests, support: Debian's chromium driven by playwright-core (no browser
// download), a screenshot per step under test-artifacts/console/, an axe-core check of each page
// (no serious or critical violation), keyboard-only navigation, and every CSP violation or page
// error collected so a test can fail on it.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { REPO_ROOT } from "../support/keygate-build.js";

/** Where Debian's chromium is, or undefined when it is not installed. */
export function chromiumPath(): string | undefined {
  for (const path of [process.env.KEYGATE_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    if (path && existsSync(path)) return path;
  }
  return undefined;
}

/** Screenshots and other artifacts of the console journeys. */
export const ARTIFACTS = join(REPO_ROOT, "test-artifacts", "console");

/** Launches chromium headless. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

/** A browser context with what went wrong in it (CSP violations, page errors) recorded. */
export interface ConsoleContext {
  readonly context: BrowserContext;
  readonly page: Page;
  /** CSP violations and uncaught page errors seen so far. */
  readonly problems: string[];
}

/** Opens a fresh context (its own cookies) and a page in it, watching for CSP violations and errors. */
export async function openContext(browser: Browser, baseURL: string): Promise<ConsoleContext> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1360, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy|Refused to/i.test(message.text()))
      problems.push(`CSP: ${message.text()}`);
  });
  return { context, page, problems };
}

/** Saves a full-page screenshot as test-artifacts/console/<journey>-<nn>-<step>.png. */
export function screenshotter(journey: string): (page: Page, step: string) => Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  let n = 0;
  return async (page, step) => {
    n++;
    const name = `${journey}-${String(n).padStart(2, "0")}-${step.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.png`;
    await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
  };
}

/** The serious and critical accessibility violations axe-core finds on the page, as readable lines. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Presses Tab (at most `limit` times) until `target` has the focus; throws if it never does. */
export async function tabTo(page: Page, target: Locator, limit = 80): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((element) => element === document.activeElement).catch(() => false)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${target}`);
}
