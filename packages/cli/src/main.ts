#!/usr/bin/env node
// CLI entry point: `keygate <command> ...`: dispatches to the command's module and turns
// errors into a message on stderr and a non-zero exit code.
import { CliError, type CliIo, PROCESS_IO } from "./client/cli-io.js";
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
        [--trust-proxy true|HOPS|CIDR,...]      believe X-Forwarded-For from these proxies (KEYGATE_TRUST_PROXY)
  admin recover [--org NAME] [--data-dir DIR]   on the host: a new owner token for a locked-out organization
  admin backup FILE [--data-dir DIR]            on the host: an online backup of the SQLite store to FILE

resources (KEYGATE_SERVER, KEYGATE_TOKEN; --server URL, --output table|json):
  whoami                      the principal behind KEYGATE_TOKEN
  can [--key ID|--token ID]   effective access per space, and why
  space create|list
  user create|list|show|delete  users (humans)
  sa create|list|show|delete  service accounts
  key create|list|revoke      API keys
  token create|list|show|rotate|revoke|delete
  role list|create|bind|unbind|bindings
  team create|list|delete|add|remove|members
  delegate-token create|list|show|rotate|revoke|delete|delegates    delegate tokens (value shown once)
  delegate run --server URL --name NAME [--token T|--token-file P]  run a delegate agent; delegate list
  audit list                  audit events (filters: --actor --action --resource-type --resource-id --since --until)

policies:
  policy eval|test|check      run Rego policies locally
  policy simulate             run a draft policy against the server's kept samples
  policies create|list|show|update|upload|download|delete       policies (HCP Terraform Policies API)
  policy-sets create|list|show|update|delete|add-policies|...   policy sets
  evaluations list|show|samples                                 stored policy evaluations
`;

/** The usage lines that mention a command (all of them when none does). */
function usageOf(command: string): string {
  const lines = USAGE.split("\n").filter((l) => new RegExp(`^\\s+${command}\\b`).test(l));
  return lines.length > 0 ? `usage: keygate ${command} ...\n${lines.join("\n")}\n` : USAGE;
}

/** Runs the CLI with these arguments; resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo = PROCESS_IO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`keygate: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`${error.message.trimEnd()}\n`);
      return error.exitCode;
    }
    if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
      // A command without its own help: `--help` shows the commands' usage instead of an error.
      if (rest.includes("--help") || rest.includes("-h")) {
        io.out(usageOf(name));
        return 0;
      }
      io.err(`keygate ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await runCli(process.argv.slice(2));
