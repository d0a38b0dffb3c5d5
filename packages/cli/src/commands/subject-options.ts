// CLI, resource commands: `--user ID`, `--sa ID` or `--team ID`: the subject of a binding or membership.
import { CliError } from "../client/cli-io.js";
import type { OptionSpec } from "../client/verb-args.js";

/** Options naming a subject. */
export const SUBJECT_OPTIONS = {
  user: { type: "string", value: "USER_ID", description: "a user" },
  sa: { type: "string", value: "SERVICE_ACCOUNT_ID", description: "a service account" },
  team: { type: "string", value: "TEAM_ID", description: "a team" },
} as const satisfies Record<string, OptionSpec>;

/** Options naming a principal (a user or a service account). */
export const PRINCIPAL_OPTIONS = { user: SUBJECT_OPTIONS.user, sa: SUBJECT_OPTIONS.sa } as const;

/** The JSON:API identifier of the one subject given. */
export function subjectOf(
  values: { user?: string | undefined; sa?: string | undefined; team?: string | undefined },
  allowTeam: boolean,
): { id: string; type: "users" | "service-accounts" | "teams" } {
  const given = [
    values.user ? { id: values.user, type: "users" as const } : undefined,
    values.sa ? { id: values.sa, type: "service-accounts" as const } : undefined,
    allowTeam && values.team ? { id: values.team, type: "teams" as const } : undefined,
  ].filter((s) => s !== undefined);
  const first = given[0];
  if (given.length !== 1 || !first) {
    throw new CliError(`give exactly one of --user ID, --sa ID${allowTeam ? " or --team ID" : ""}`, 2);
  }
  return first;
}
