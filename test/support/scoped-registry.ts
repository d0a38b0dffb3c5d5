// End-to-end tests, support: a registry for one npm scope, serving packed tarballs, so a test can
// install packages as if they were published (`npm install --@scope:registry=<url>`), while every
// other package comes from the usual registry (or npm's cache).
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/** A packed package, as `npm pack --json` describes it, with the manifest it was packed from. */
export interface PackedPackage {
  readonly name: string;
  readonly version: string;
  readonly filename: string;
  readonly integrity: string;
  readonly shasum: string;
  readonly manifest: Readonly<Record<string, unknown>>;
}

/** A running scoped registry. */
export interface ScopedRegistry {
  readonly url: string;
  /** Names of the packuments and tarballs asked for, in order. */
  readonly served: readonly string[];
  close(): Promise<void>;
}

/**
 * Serves the packuments and tarballs of `packages` (found in `dir`) on 127.0.0.1, and any `files`
 * by path (e.g. a native module's prebuilt binary, as its release host would).
 */
export async function startScopedRegistry(
  dir: string,
  packages: readonly PackedPackage[],
  files: Readonly<Record<string, Buffer>> = {},
): Promise<ScopedRegistry> {
  const served: string[] = [];
  let url = "";
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent((request.url ?? "/").split("?")[0] ?? "/").slice(1);
    const file = files[path];
    if (file) {
      served.push(path);
      response.writeHead(200, { "content-type": "application/octet-stream" });
      response.end(file);
      return;
    }
    const tarball = packages.find((p) => path === `tarballs/${p.filename}`);
    if (tarball) {
      served.push(tarball.filename);
      response.writeHead(200, { "content-type": "application/octet-stream" });
      response.end(readFileSync(join(dir, tarball.filename)));
      return;
    }
    const versions = packages.filter((p) => p.name === path);
    if (versions.length === 0) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: "not found" }));
      return;
    }
    served.push(path);
    const latest = versions[versions.length - 1] as PackedPackage;
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        name: path,
        "dist-tags": { latest: latest.version },
        versions: Object.fromEntries(
          versions.map((p) => [
            p.version,
            {
              ...p.manifest,
              name: p.name,
              version: p.version,
              dist: { tarball: `${url}tarballs/${p.filename}`, integrity: p.integrity, shasum: p.shasum },
            },
          ]),
        ),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    served,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
