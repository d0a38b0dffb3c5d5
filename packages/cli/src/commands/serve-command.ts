// CLI, server commands: `keygate serve`: opens the store, builds the HTTP app, binds the port, and
// then (on first start only) creates the first organization and prints the admin token once to
// stderr; serves until SIGINT/SIGTERM.
import {
  buildApp,
  ConfigError,
  configureLoginPolicyLimits,
  DomainError,
  resolveServerConfig,
  type StoreOptions,
} from "@keygate/server";
import { CliError, type CliIo } from "../client/cli-io.js";
import { parseVerb } from "../client/verb-args.js";
import { initializeOrganization, openConfiguredStore, storeIsEmpty } from "./server-store.js";

/** Runs `keygate serve`; resolves when the server has stopped. */
export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseVerb(
    {
      command: "keygate serve",
      synopsis: "[--data-dir DIR] [--port P] [--host H] [--trust-proxy true|CIDR,...]",
      summary:
        "Run the server. On an empty store it creates the organization default and prints the first admin and delegate tokens once, on stderr. KEYGATE_DATABASE_URL=postgres://... for PostgreSQL.",
      options: {
        "data-dir": {
          type: "string",
          value: "DIR",
          description: "where the SQLite store lives (default ./.keygate; $KEYGATE_DATA_DIR)",
        },
        port: {
          type: "string",
          short: "p",
          value: "P",
          description: "the port (default 8080; $KEYGATE_PORT; 0 for any free one)",
        },
        host: {
          type: "string",
          value: "H",
          description: "the address to bind (default 127.0.0.1; $KEYGATE_HOST)",
        },
        "log-level": {
          type: "string",
          value: "LEVEL",
          description: "fatal, error, warn, info, debug or trace ($KEYGATE_LOG_LEVEL)",
        },
        "trust-proxy": {
          type: "string",
          value: "SPEC",
          description:
            "believe X-Forwarded-For from these proxies: true, or addresses/CIDRs ($KEYGATE_TRUST_PROXY)",
        },
      },
      examples: [
        "keygate serve --data-dir ./.keygate --port 8080",
        "KEYGATE_DATABASE_URL=postgres://127.0.0.1/keygate keygate serve --host 0.0.0.0",
      ],
      positionals: false,
    },
    argv,
    io,
  );
  if (parsed === undefined) return 0;
  const { values } = parsed;
  let config: ReturnType<typeof resolveServerConfig>;
  try {
    config = resolveServerConfig(
      {
        dataDir: values["data-dir"],
        port: values.port,
        host: values.host,
        logLevel: values["log-level"],
        trustProxy: values["trust-proxy"],
      },
      io.env,
    );
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`keygate serve: ${error.message}`, 2);
    throw error;
  }
  configureLoginPolicyLimits(config.loginPolicy);
  const store = await openConfiguredStore(config, testHooks(io));
  const firstStart = await storeIsEmpty(store);
  const app = await buildApp({
    store,
    logger: { level: config.logLevel },
    authFailureLimit: config.authFailureLimit,
    authFailureWindowMs: config.authFailureWindowMs,
    policyWorkers: config.policyWorkers,
    trustProxy: config.trustProxy,
    cacheMaxStalenessMs: config.cacheMaxStalenessMs,
  });
  // The port is bound before the first organization is made: on a busy port nothing is created
  // (a bootstrap token printed by a process that then dies would be shown once and lost).
  let address: string;
  try {
    address = await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close().catch(() => undefined);
    await store.close();
    const code = (error as { code?: unknown }).code;
    const why = code === "EADDRINUSE" ? `${config.host}:${config.port} is in use` : String(error);
    throw new CliError(
      `keygate serve: cannot listen: ${why}${firstStart ? "; no organization was created" : ""}`,
    );
  }
  if (firstStart && (await storeIsEmpty(store))) {
    const org = io.env.KEYGATE_ORG || "default";
    const made = await initializeOrganization(store, org, io.env.KEYGATE_ADMIN || "admin").catch(
      (error: unknown) => {
        // Another instance on the same database made it first: that one printed the token.
        if (error instanceof DomainError) return undefined;
        throw error;
      },
    );
    if (made)
      io.err(
        `keygate: first start: created organization "${made.organization.name}" and admin user "${made.admin.name}".\n` +
          `keygate: admin token (shown only this once): ${made.tokenValue}\n` +
          `keygate: default delegate token ${made.delegateToken.id} (shown only this once): ${made.delegateTokenValue}\n`,
      );
  }
  io.err(
    `keygate: listening on ${address} (${config.databaseUrl !== undefined ? "PostgreSQL" : `SQLite in ${config.dataDir}`})\n`,
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      // Requests in flight get a grace period; then every connection still open is cut (a client
      // that never reads its response, an event stream, a delegate) so that a stop always ends.
      setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
      void app
        .close()
        .then(() => store.close())
        .then(
          () => resolve(0),
          () => resolve(1),
        );
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

/** How long requests in flight may take to finish after SIGTERM/SIGINT before connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * `KEYGATE_TEST_HOLD_AFTER_COMMIT=1` (end-to-end tests only): after a transaction that announced
 * changes commits, say so on stderr and never go on, so a test can kill the process between the
 * commit and its reply (and the delivery of the changes to this instance).
 */
function testHooks(io: CliIo): Pick<StoreOptions, "onCommitted"> {
  if (io.env.KEYGATE_TEST_HOLD_AFTER_COMMIT !== "1") return {};
  return {
    onCommitted: (changes) => {
      io.err(`keygate: test hold after commit: ${changes.map((c) => c.kind).join(", ")}\n`);
      return new Promise<void>(() => {});
    },
  };
}
