// Domain layer, principals: service accounts, non-human principals living in a space. They have
// no password or SSO identity, so the only way to act as one is a token of one of its API keys.
import { announceChange } from "../../store/announce-change.js";
import type { PrincipalsTable } from "../../store/database-schema.js";
import type { Store } from "../../store/store.js";
import type { MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { guardedTransaction } from "../audit/guarded-transaction.js";
import { DomainError } from "../domain-error.js";
import { newId } from "../ids/random-id.js";
import { type Page, type PageRequest, pageWindow } from "../pagination/page.js";
import { getSpace } from "../spaces/space.js";
import { checkDescription, checkName, isUniqueViolation } from "../validation/field-rules.js";
import { principalFromRow, type ServiceAccount } from "./principal.js";
import { removePrincipal } from "./principal-removal.js";

/** Input of createServiceAccount. */
export interface CreateServiceAccountInput {
  /** The space it lives in. */
  readonly spaceId: string;
  /** Unique among the organization's service accounts. */
  readonly name: string;
  readonly displayName?: string;
  readonly description?: string;
  /** The id to give it (default: a new one); a caller that retries its transaction keeps one id. */
  readonly id?: string;
  /** More writes in the same transaction, after the account is inserted (its first role bindings). */
  readonly alsoInTransaction?: (tx: Store, serviceAccount: ServiceAccount) => Promise<void>;
}

/** Input of updateServiceAccount; absent fields are left unchanged. */
export interface UpdateServiceAccountInput {
  readonly name?: string;
  readonly displayName?: string;
  readonly description?: string;
  /** Disabling stops every token of the account at once. */
  readonly disabled?: boolean;
}

/** The result of a guarded save: the saved account and any advisory policy warnings. */
export interface SavedServiceAccount {
  readonly serviceAccount: ServiceAccount;
  readonly warnings: readonly string[];
  readonly policyEvaluationId: string | null;
}

function asServiceAccount(row: PrincipalsTable | undefined, id: string): ServiceAccount {
  const principal = row ? principalFromRow(row) : undefined;
  if (principal?.kind !== "service-account")
    throw new DomainError("not_found", `service account ${id} not found`);
  return principal;
}

/** A service account saved (created or changed), as the write path reviews it. */
export interface ServiceAccountSaveChange {
  readonly entity: "service-account";
  readonly action: "create" | "update";
  readonly serviceAccount: ServiceAccount;
}

function duplicateName(name: string): DomainError {
  return new DomainError(
    "conflict",
    `a service account named "${name}" already exists; choose another name`,
    {
      field: "name",
    },
  );
}

/** Creates a service account in a space. */
export async function createServiceAccount(
  store: Store,
  ctx: MutationContext<ServiceAccountSaveChange>,
  input: CreateServiceAccountInput,
): Promise<SavedServiceAccount> {
  const name = checkName(input.name);
  const displayName = input.displayName === undefined ? name : checkName(input.displayName, "displayName");
  const description = checkDescription(input.description);
  const serviceAccountId = input.id ?? newId("sa");
  return guardedTransaction(store, ctx, async (tx, review) => {
    await getSpace(tx, ctx.organizationId, input.spaceId).catch((error: unknown) => {
      if (error instanceof DomainError && error.code === "not_found") {
        throw new DomainError("invalid", `space ${input.spaceId} does not exist in this organization`, {
          field: "spaceId",
        });
      }
      throw error;
    });
    const now = ctx.now ?? Date.now();
    const row: PrincipalsTable = {
      id: serviceAccountId,
      organization_id: ctx.organizationId,
      kind: "service-account",
      name,
      display_name: displayName,
      email: null,
      description,
      space_id: input.spaceId,
      disabled: 0,
      created_at: now,
      updated_at: now,
      created_by: ctx.actor.principalId,
    };
    const serviceAccount = asServiceAccount(row, row.id);
    const outcome = await review({
      entity: "service-account",
      action: "create",
      serviceAccount,
    });
    try {
      await tx.db.insertInto("principals").values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateName(name);
      throw error;
    }
    if (input.alsoInTransaction) await input.alsoInTransaction(tx, serviceAccount);
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "service-account.create",
      resourceType: "service-account",
      resourceId: row.id,
      policyEvaluationId: outcome.policyEvaluationId ?? null,
      details: { name, spaceId: input.spaceId, warnings: outcome.warnings ?? [] },
      occurredAt: now,
    });
    return {
      serviceAccount,
      warnings: outcome.warnings ?? [],
      policyEvaluationId: outcome.policyEvaluationId ?? null,
    };
  });
}

/** A service account of the organization, or `not_found` (also for a user's id). */
export async function getServiceAccount(
  store: Store,
  organizationId: string,
  serviceAccountId: string,
): Promise<ServiceAccount> {
  const row = await store.db
    .selectFrom("principals")
    .selectAll()
    .where("id", "=", serviceAccountId)
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  return asServiceAccount(row, serviceAccountId);
}

/** Filters for listServiceAccounts. */
export interface ServiceAccountFilter {
  /** Only those living in this space (not its descendants). */
  readonly spaceId?: string;
  readonly page?: PageRequest;
}

/** Lists the organization's service accounts by name. */
export async function listServiceAccounts(
  store: Store,
  organizationId: string,
  filter: ServiceAccountFilter = {},
): Promise<Page<ServiceAccount>> {
  const { limit, offset } = pageWindow(filter.page);
  let query = store.db
    .selectFrom("principals")
    .where("organization_id", "=", organizationId)
    .where("kind", "=", "service-account");
  if (filter.spaceId !== undefined) query = query.where("space_id", "=", filter.spaceId);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy("name").limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map((row) => asServiceAccount(row, row.id)), total: Number(count.n) };
}

/** Renames, re-describes, disables or enables a service account. */
export async function updateServiceAccount(
  store: Store,
  ctx: MutationContext<ServiceAccountSaveChange>,
  serviceAccountId: string,
  input: UpdateServiceAccountInput,
): Promise<SavedServiceAccount> {
  const name = input.name === undefined ? undefined : checkName(input.name);
  const displayName =
    input.displayName === undefined ? undefined : checkName(input.displayName, "displayName");
  const description = input.description === undefined ? undefined : checkDescription(input.description);
  if (input.disabled !== undefined && typeof input.disabled !== "boolean") {
    throw new DomainError("invalid", "disabled must be true or false", { field: "disabled" });
  }
  return guardedTransaction(store, ctx, async (tx, review) => {
    const current = await getServiceAccount(tx, ctx.organizationId, serviceAccountId);
    const now = ctx.now ?? Date.now();
    const serviceAccount: ServiceAccount = {
      ...current,
      name: name ?? current.name,
      displayName: displayName ?? current.displayName,
      description: description ?? current.description,
      disabled: input.disabled ?? current.disabled,
      updatedAt: now,
    };
    const outcome = await review({
      entity: "service-account",
      action: "update",
      serviceAccount,
    });
    try {
      await tx.db
        .updateTable("principals")
        .set({
          name: serviceAccount.name,
          display_name: serviceAccount.displayName,
          description: serviceAccount.description,
          disabled: serviceAccount.disabled ? 1 : 0,
          updated_at: now,
        })
        .where("id", "=", serviceAccountId)
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateName(serviceAccount.name);
      throw error;
    }
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "service-account.update",
      resourceType: "service-account",
      resourceId: serviceAccountId,
      policyEvaluationId: outcome.policyEvaluationId ?? null,
      details: {
        changed: Object.keys(input).filter((k) => input[k as keyof UpdateServiceAccountInput] !== undefined),
        warnings: outcome.warnings ?? [],
      },
      occurredAt: now,
    });
    await announceChange(tx, {
      kind: "principal.changed",
      organizationId: ctx.organizationId,
      principalId: serviceAccountId,
    });
    return {
      serviceAccount,
      warnings: outcome.warnings ?? [],
      policyEvaluationId: outcome.policyEvaluationId ?? null,
    };
  });
}

/** Deletes a service account with its API keys, tokens, bindings and memberships. */
export async function deleteServiceAccount(
  store: Store,
  ctx: MutationContext,
  serviceAccountId: string,
): Promise<void> {
  await store.transaction(async (tx) => {
    const serviceAccount = await getServiceAccount(tx, ctx.organizationId, serviceAccountId);
    await removePrincipal(tx, ctx, serviceAccount);
  });
}
