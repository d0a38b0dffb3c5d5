// Domain layer, principals: who can hold roles and API keys: users (humans) and service
// accounts (non-human; never log in interactively, only through tokens).
import type { PrincipalsTable } from "../../store/database-schema.js";
import type { Store } from "../../store/store.js";
import { DomainError } from "../domain-error.js";

/** The kinds of principal. */
export type PrincipalKind = "user" | "service-account";

/** Every principal kind, for validation and role restrictions. */
export const PRINCIPAL_KINDS: readonly PrincipalKind[] = ["user", "service-account"];

/** A human user. */
export interface User {
  readonly kind: "user";
  readonly id: string;
  readonly organizationId: string;
  /** Login name, unique among the organization's users. */
  readonly name: string;
  readonly displayName: string;
  readonly email: string | null;
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly createdBy: string | null;
}

/** A non-human principal living in a space; authenticates only with tokens. */
export interface ServiceAccount {
  readonly kind: "service-account";
  readonly id: string;
  readonly organizationId: string;
  /** Unique among the organization's service accounts. */
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  /** The space it was created in. */
  readonly spaceId: string;
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly createdBy: string | null;
}

/** A user or a service account. */
export type Principal = User | ServiceAccount;

/** Maps a row to a Principal. */
export function principalFromRow(row: PrincipalsTable): Principal {
  const common = {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    displayName: row.display_name,
    disabled: row.disabled !== 0,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    createdBy: row.created_by,
  };
  switch (row.kind) {
    case "user":
      return { kind: "user", ...common, email: row.email };
    case "service-account":
      return {
        kind: "service-account",
        ...common,
        description: row.description,
        spaceId: row.space_id ?? "",
      };
  }
}

/** Human-readable name of a principal kind, for messages. */
export function describePrincipalKind(kind: PrincipalKind): string {
  const names: Record<PrincipalKind, string> = { user: "a user", "service-account": "a service account" };
  return names[kind];
}

/** A principal (either kind) of the organization, or `not_found`. */
export async function getPrincipal(
  store: Store,
  organizationId: string,
  principalId: string,
): Promise<Principal> {
  const row = await store.db
    .selectFrom("principals")
    .selectAll()
    .where("id", "=", principalId)
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  if (!row) throw new DomainError("not_found", `principal ${principalId} not found`);
  return principalFromRow(row);
}

/** Whether the principal may log in interactively (password/SSO): never for service accounts. */
export function canLoginInteractively(principal: Principal): boolean {
  switch (principal.kind) {
    case "user":
      return !principal.disabled;
    case "service-account":
      return false;
  }
}

/** Throws `forbidden` unless the principal may log in interactively (the guard for any login path). */
export function assertCanLoginInteractively(principal: Principal): void {
  if (principal.kind === "service-account") {
    throw new DomainError(
      "forbidden",
      `${principal.id} is a service account; service accounts cannot log in interactively, use a token`,
    );
  }
  if (principal.disabled) throw new DomainError("forbidden", `user ${principal.id} is disabled`);
}
