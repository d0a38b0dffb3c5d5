// End-to-end tests, support: a fresh store with organization `acme` made by `keygate init`, and
// one or more `keygate serve` processes on it (several share one PostgreSQL database).
import { type KeygateServer, runKeygate, startKeygate } from "./keygate-process.js";
import { freshStore, type StoreLocation } from "./test-databases.js";

/** An initialised store and the servers running on it. */
export interface InitialisedKeygate {
  readonly location: StoreLocation;
  /** The running servers, `instances` of them. */
  readonly servers: readonly KeygateServer[];
  /** The admin token `keygate init` printed. */
  readonly admin: string;
  /** Stops every server, then disposes of the store. */
  stop(): Promise<void>;
}

/**
 * Makes a fresh store of the dialect, runs `keygate init --org acme` on it and starts `instances`
 * servers (extra `env` for the servers only). Throws, leaving nothing behind, when any step fails.
 */
export async function startInitialisedKeygate(
  dialect: "sqlite" | "postgres",
  options: { readonly instances?: number; readonly env?: Readonly<Record<string, string>> } = {},
): Promise<InitialisedKeygate> {
  const location = await freshStore(dialect);
  const init = await runKeygate(["init", "--org", "acme", "--json", ...location.args], location.env);
  if (init.code !== 0) {
    await location.dispose();
    throw new Error(`keygate init exited with ${init.code}: ${init.stderr}`);
  }
  const admin: string = JSON.parse(init.stdout).adminToken;
  const started = await Promise.allSettled(
    Array.from({ length: options.instances ?? 1 }, () =>
      startKeygate(location.args, { ...location.env, ...options.env }),
    ),
  );
  const servers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await location.dispose();
  };
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { location, servers, admin, stop };
}
