// Domain layer, principals: users (humans). Users log in through the IdP or with personal
// access tokens; the domain keeps no passwords.
import { announceChange } from "../../store/announce-change.js";
import type { PrincipalsTable } from "../../store/database-schema.js";
import type { Store } from "../../store/store.js";
import type { MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import { newId } from "../ids/random-id.js";
import { type Page, type PageRequest, pageWindow } from "../pagination/page.js";
import { checkEmail, checkName, isUniqueViolation } from "../validation/field-rules.js";
import { principalFromRow, type User } from "./principal.js";
import { removePrincipal } from "./principal-removal.js";

/** Input of createUser. */
export interface CreateUserInput {
  /** Login name, unique among the organization's users. */
  readonly name: string;
  readonly email?: string;
  readonly displayName?: string;
}

/** Input of updateUser; absent fields are left unchanged. */
export interface UpdateUserInput {
  readonly displayName?: string;
  readonly email?: string | null;
  /** Disabling a user stops every token of theirs at once. */
  readonly disabled?: boolean;
}

function asUser(row: PrincipalsTable | undefined, id: string): User {
  const principal = row ? principalFromRow(row) : undefined;
  if (principal?.kind !== "user") throw new DomainError("not_found", `user ${id} not found`);
  return principal;
}

/** Creates a user. */
export async function createUser(store: Store, ctx: MutationContext, input: CreateUserInput): Promise<User> {
  const name = checkName(input.name);
  const email = input.email === undefined ? null : checkEmail(input.email);
  const displayName = input.displayName === undefined ? name : checkName(input.displayName, "displayName");
  return store.transaction(async (tx) => {
    const now = ctx.now ?? Date.now();
    const row: PrincipalsTable = {
      id: newId("usr"),
      organization_id: ctx.organizationId,
      kind: "user",
      name,
      display_name: displayName,
      email,
      description: "",
      space_id: null,
      disabled: 0,
      created_at: now,
      updated_at: now,
      created_by: ctx.actor.principalId,
    };
    try {
      await tx.db.insertInto("principals").values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError("conflict", `a user named "${name}" already exists; choose another name`, {
          field: "name",
        });
      }
      throw error;
    }
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "user.create",
      resourceType: "user",
      resourceId: row.id,
      details: { name },
      occurredAt: now,
    });
    return asUser(row, row.id);
  });
}

/** A user of the organization, or `not_found` (also for a service account's id). */
export async function getUser(store: Store, organizationId: string, userId: string): Promise<User> {
  const row = await store.db
    .selectFrom("principals")
    .selectAll()
    .where("id", "=", userId)
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  return asUser(row, userId);
}

/** A user by login name, or `not_found`. */
export async function getUserByName(store: Store, organizationId: string, name: string): Promise<User> {
  const row = await store.db
    .selectFrom("principals")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .where("kind", "=", "user")
    .where("name", "=", name)
    .executeTakeFirst();
  return asUser(row, name);
}

/** Lists the organization's users by name. */
export async function listUsers(
  store: Store,
  organizationId: string,
  filter: { readonly page?: PageRequest } = {},
): Promise<Page<User>> {
  const { limit, offset } = pageWindow(filter.page);
  const query = store.db
    .selectFrom("principals")
    .where("organization_id", "=", organizationId)
    .where("kind", "=", "user");
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy("name").limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map((row) => asUser(row, row.id)), total: Number(count.n) };
}

/** Updates a user's display name, email or disabled flag. */
export async function updateUser(
  store: Store,
  ctx: MutationContext,
  userId: string,
  input: UpdateUserInput,
): Promise<User> {
  const displayName =
    input.displayName === undefined ? undefined : checkName(input.displayName, "displayName");
  const email = input.email === undefined || input.email === null ? input.email : checkEmail(input.email);
  if (input.disabled !== undefined && typeof input.disabled !== "boolean") {
    throw new DomainError("invalid", "disabled must be true or false", { field: "disabled" });
  }
  return store.transaction(async (tx) => {
    const user = await getUser(tx, ctx.organizationId, userId);
    const now = ctx.now ?? Date.now();
    const updated: User = {
      ...user,
      displayName: displayName ?? user.displayName,
      email: email === undefined ? user.email : email,
      disabled: input.disabled ?? user.disabled,
      updatedAt: now,
    };
    await tx.db
      .updateTable("principals")
      .set({
        display_name: updated.displayName,
        email: updated.email,
        disabled: updated.disabled ? 1 : 0,
        updated_at: now,
      })
      .where("id", "=", userId)
      .execute();
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "user.update",
      resourceType: "user",
      resourceId: userId,
      details: { changed: Object.keys(input).filter((k) => input[k as keyof UpdateUserInput] !== undefined) },
      occurredAt: now,
    });
    await announceChange(tx, {
      kind: "principal.changed",
      organizationId: ctx.organizationId,
      principalId: userId,
    });
    return updated;
  });
}

/** Deletes a user with their API keys, tokens, bindings and memberships. */
export async function deleteUser(store: Store, ctx: MutationContext, userId: string): Promise<void> {
  await store.transaction(async (tx) => {
    const user = await getUser(tx, ctx.organizationId, userId);
    await removePrincipal(tx, ctx, user);
  });
}
