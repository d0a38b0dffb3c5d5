#!/usr/bin/env node
// CLI entry point: `keygate <command> ...`: dispatches to the command's module and turns
// errors into a message on stderr and a non-zero exit code.
import { readFileSync } from "node:fs";
import { CliError, type CliIo, PROCESS_IO } from "./client/cli-io.js";
import { closestName } from "./client/verb-args.js";
import { auditCommand } from "./commands/audit-command.js";
import { canCommand } from "./commands/can-command.js";
import { keyCommand } from "./commands/key-command.js";
import { roleCommand } from "./commands/role-command.js";
import { saCommand } from "./commands/sa-command.js";
import { spaceCommand } from "./commands/space-command.js";
import { teamCommand } from "./commands/team-command.js";
import { tokenCommand } from "./commands/token-command.js";
import { userCommand } from "./commands/user-command.js";
import { whoamiCommand } from "./commands/whoami-command.js";

type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  // Server commands load the server package on demand: resource commands start faster without it.
  init: async (argv, io) => (await import("./commands/init-command.js")).initCommand(argv, io),
  serve: async (argv, io) => (await import("./commands/serve-command.js")).serveCommand(argv, io),
  admin: async (argv, io) => (await import("./commands/admin-command.js")).adminCommand(argv, io),
  whoami: whoamiCommand,
  can: canCommand,
  space: spaceCommand,
  user: userCommand,
  sa: saCommand,
  key: keyCommand,
  token: tokenCommand,
  role: roleCommand,
  team: teamCommand,
  audit: auditCommand,
  delegate: async (argv, io) => (await import("./delegate/delegate-command.js")).delegateCommand(argv, io),
  "delegate-token": async (argv, io) =>
    (await import("./delegate/delegate-token-command.js")).delegateTokenCommand(argv, io),
  // Loaded on demand, so the resource commands never load the Rego engine.
  policy: async (argv, io) =>
    argv[0] === "simulate"
      ? (await import("./governance/policy-simulate.js")).policySimulate(argv.slice(1), io)
      : (await import("./policy/policy-router.js")).runPolicyCommand(argv),
  // Governance over the server's API (policies, policy sets, evaluations).
  policies: async (argv, io) => (await import("./governance/policies-command.js")).policiesCommand(argv, io),
  "policy-sets": async (argv, io) =>
    (await import("./governance/policy-sets-command.js")).policySetsCommand(argv, io),
  evaluations: async (argv, io) =>
    (await import("./governance/evaluations-command.js")).evaluationsCommand(argv, io),
};

const USAGE = `usage: keygate <command> [options]

server:
  init --org NAME [--data-dir DIR] [--json]     create the store, organization, admin and admin token
  serve [--data-dir DIR] [--port P] [--host H]  run the server (KEYGATE_DATABASE_URL=postgres://... for PostgreSQL)
  admin recover [--org NAME] [--data-dir DIR]   on the host: a new owner token for a locked-out organization
  admin backup FILE [--data-dir DIR]            on the host: an online backup of the SQLite store to FILE

resources (KEYGATE_SERVER, KEYGATE_TOKEN; every command takes --server URL, --output table|json|yaml, --json):
  whoami                      the principal behind KEYGATE_TOKEN
  can [--key ID|--token ID]   effective access per space, and why
  space create|list|show|delete
  user create|list|show|delete                  users (humans)
  sa create|list|show|disable|enable|delete     service accounts
  key create|list|show|revoke|delete            API keys (--tag KEY=VALUE)
  token create|list|show|update|rotate|revoke|delete   tokens (--tag KEY=VALUE)
  role list|create|bind|unbind|bindings
  team create|list|show|delete|add|remove|members
  delegate-token create|list|show|rotate|revoke|delete|delegates    delegate tokens (value shown once)
  delegate run|list           run a delegate agent; list the connected delegates
  audit list|show             audit events (--since --until --action --actor ...; --all for every page)

policies:
  policy eval|test|check      run Rego policies locally (opa's output; --format json)
  policy simulate             run a draft policy against the server's kept samples
  policies create|list|show|update|upload|download|delete       policies (HCP Terraform Policies API)
  policy-sets create|list|show|update|delete|add-policies|...   policy sets
  evaluations list|show|samples                                 stored policy evaluations

Run keygate <command> --help for its commands, and keygate <command> <verb> --help for a verb's
options and an example. keygate --version prints the version.
`;

/** The CLI package's version. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version?: string;
  };
  return pkg.version ?? "unknown";
}

/** Whether the arguments ask for JSON output (errors are then printed as JSON too). */
function wantsJson(argv: readonly string[]): boolean {
  return argv.some(
    (a, i) =>
      a === "--json" ||
      a === "--output=json" ||
      a === "-o=json" ||
      ((a === "--output" || a === "-o") && argv[i + 1] === "json"),
  );
}

/** Runs the CLI with these arguments; resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo = PROCESS_IO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    io.out(`keygate ${version()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    const near = closestName(name, Object.keys(COMMANDS));
    io.err(`keygate: unknown command "${name}"${near ? `; did you mean "${near}"?` : ""}\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof CliError) {
      if (wantsJson(rest) && error.document) io.err(`${JSON.stringify(error.document, null, 2)}\n`);
      else io.err(`${error.message.trimEnd()}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

process.exitCode = await runCli(process.argv.slice(2));
