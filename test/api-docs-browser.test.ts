// End-to-end: `keygate serve` answers the API reference at /api/docs, and a real browser
// (headless Chromium, when the machine has one) renders the server's own OpenAPI document there
// under the page's Content-Security-Policy: the page's script, styles and the document load from
// this origin, and nothing the page needs is refused by the policy.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeygateServer, runKeygate, startKeygate } from "./support/keygate-process.js";
import { freshStore, type StoreLocation } from "./support/test-databases.js";

const CHROMIUM = [process.env.KEYGATE_TEST_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
  (path): path is string => path !== undefined && existsSync(path),
);

/** Runs headless Chromium on `url`; its rendered DOM and its log (console messages included). */
function renderInChromium(browser: string, url: string): Promise<{ dom: string; log: string }> {
  const profile = mkdtempSync(join(tmpdir(), "keygate-chromium-"));
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    `--user-data-dir=${profile}`,
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=20000",
    "--dump-dom",
    url,
  ];
  return new Promise((resolve, reject) => {
    execFile(browser, args, { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      rmSync(profile, { recursive: true, force: true });
      if (error && stdout.length === 0) reject(new Error(`${browser} failed: ${error.message}\n${stderr}`));
      else resolve({ dom: stdout, log: stderr });
    });
  });
}

describe("the API reference at /api/docs", () => {
  let location: StoreLocation;
  let server: KeygateServer;

  beforeAll(async () => {
    location = await freshStore("sqlite");
    const init = await runKeygate(["init", "--org", "acme", "--json", ...location.args], location.env);
    expect(init.code, init.stderr).toBe(0);
    server = await startKeygate([...location.args], location.env);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await location?.dispose();
  });

  it("is served by keygate serve with its assets, unauthenticated", async () => {
    const page = await fetch(`${server.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    const script = /<script src="([^"]+)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(new URL(script ?? "", `${server.url}/api/docs`));
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("javascript");
    // Read to the end: an unread 1 MB body keeps the connection busy, and the server's graceful stop
    // waits for it.
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  it.skipIf(CHROMIUM === undefined)(
    "renders every operation of the OpenAPI document in a browser, with nothing of ours refused by the CSP",
    async () => {
      const openapi = (await (await fetch(`${server.url}/api/v2/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { summary?: string }>>;
      };
      const summaries = Object.values(openapi.paths)
        .flatMap((operations) => Object.values(operations).map((op) => op.summary))
        .filter((s): s is string => typeof s === "string" && s.length > 0);
      expect(summaries.length).toBeGreaterThan(20);
      const { dom, log } = await renderInChromium(CHROMIUM ?? "", `${server.url}/api/docs`);
      const text = dom
        .replace(/&amp;/g, "&")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&quot;/g, '"');
      const missing = summaries.filter((summary) => !text.includes(summary));
      expect(missing, "operations the rendered page lacks").toEqual([]);
      // The only refusals allowed are of other origins' resources (Redoc's own logo, which it then
      // hides): a refused script, style, worker or request of this origin means the page is broken.
      const refusals = log.split("\n").filter((line) => /Content Security Policy/.test(line));
      for (const line of refusals) {
        const refused = /Loading the image '([^']+)' violates/.exec(line)?.[1];
        expect(refused, line).toBeDefined();
        expect(new URL(refused ?? "").origin, line).not.toBe(new URL(server.url).origin);
      }
    },
    120_000,
  );
});
