// Domain layer, spaces: the tree of spaces of an organization (root space per organization);
// a role bound in a space applies to every space below it.
import { announceChange } from "../../store/announce-change.js";
import type { SpacesTable } from "../../store/database-schema.js";
import type { Store } from "../../store/store.js";
import type { MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { delegateDb } from "../delegate-tokens/delegate-tables.js";
import { DomainError } from "../domain-error.js";
import { refuseAmbiguousSpaceName } from "../login-policies/space-name-references.js";
import { newId } from "../ids/random-id.js";
import { type Page, type PageRequest, pageWindow } from "../pagination/page.js";
import { checkDescription, checkName, isUniqueViolation } from "../validation/field-rules.js";
import { buildSpaceTree, type SpaceTreeOf } from "./space-tree.js";

/** A space: a node in an organization's tree. */
export interface Space {
  readonly id: string;
  readonly organizationId: string;
  /** Null for the organization's root space. */
  readonly parentId: string | null;
  readonly name: string;
  readonly description: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Input of createSpace. */
export interface CreateSpaceInput {
  readonly parentId: string;
  readonly name: string;
  readonly description?: string;
}

/** Input of updateSpace; absent fields are left unchanged. */
export interface UpdateSpaceInput {
  readonly name?: string;
  readonly description?: string;
}

/** Maps a row to a Space. */
export function spaceFromRow(row: SpacesTable): Space {
  return {
    id: row.id,
    organizationId: row.organization_id,
    parentId: row.parent_id,
    name: row.name,
    description: row.description,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function duplicateName(name: string): DomainError {
  return new DomainError(
    "conflict",
    `a space named "${name}" already exists under that parent; choose another name`,
    {
      field: "name",
    },
  );
}

/** Creates a space under `parentId` (which must be a space of the same organization). */
export async function createSpace(
  store: Store,
  ctx: MutationContext,
  input: CreateSpaceInput,
): Promise<Space> {
  const name = checkName(input.name);
  const description = checkDescription(input.description);
  return store.transaction(async (tx) => {
    const parent = await getSpace(tx, ctx.organizationId, input.parentId).catch((error: unknown) => {
      if (error instanceof DomainError && error.code === "not_found") {
        throw new DomainError(
          "invalid",
          `parent space ${input.parentId} does not exist in this organization`,
          {
            field: "parentId",
          },
        );
      }
      throw error;
    });
    const now = ctx.now ?? Date.now();
    const row: SpacesTable = {
      id: newId("spc"),
      organization_id: ctx.organizationId,
      parent_id: parent.id,
      name,
      description,
      created_at: now,
      updated_at: now,
    };
    try {
      await tx.db.insertInto("spaces").values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateName(name);
      throw error;
    }
    await refuseAmbiguousSpaceName(tx, ctx.organizationId, name);
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "space.create",
      resourceType: "space",
      resourceId: row.id,
      details: { name, parentId: parent.id },
      occurredAt: now,
    });
    await announceChange(tx, { kind: "space.changed", organizationId: ctx.organizationId, spaceId: row.id });
    return spaceFromRow(row);
  });
}

/** A space of the organization, or `not_found`. */
export async function getSpace(store: Store, organizationId: string, spaceId: string): Promise<Space> {
  const row = await store.db
    .selectFrom("spaces")
    .selectAll()
    .where("id", "=", spaceId)
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  if (!row) throw new DomainError("not_found", `space ${spaceId} not found`);
  return spaceFromRow(row);
}

/** The organization's root space. */
export async function getRootSpace(store: Store, organizationId: string): Promise<Space> {
  const row = await store.db
    .selectFrom("spaces")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .where("parent_id", "is", null)
    .executeTakeFirst();
  if (!row) throw new DomainError("not_found", `organization ${organizationId} not found`);
  return spaceFromRow(row);
}

/** Filters for listSpaces. */
export interface SpaceFilter {
  /** Only the direct children of this space. */
  readonly parentId?: string;
  readonly page?: PageRequest;
}

/** Lists the organization's spaces (oldest first). */
export async function listSpaces(
  store: Store,
  organizationId: string,
  filter: SpaceFilter = {},
): Promise<Page<Space>> {
  const { limit, offset } = pageWindow(filter.page);
  let query = store.db.selectFrom("spaces").where("organization_id", "=", organizationId);
  if (filter.parentId !== undefined) query = query.where("parent_id", "=", filter.parentId);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy("created_at").orderBy("id").limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(spaceFromRow), total: Number(count.n) };
}

/** Renames or re-describes a space. */
export async function updateSpace(
  store: Store,
  ctx: MutationContext,
  spaceId: string,
  input: UpdateSpaceInput,
): Promise<Space> {
  const name = input.name === undefined ? undefined : checkName(input.name);
  const description = input.description === undefined ? undefined : checkDescription(input.description);
  return store.transaction(async (tx) => {
    const space = await getSpace(tx, ctx.organizationId, spaceId);
    const now = ctx.now ?? Date.now();
    const updated: Space = {
      ...space,
      name: name ?? space.name,
      description: description ?? space.description,
      updatedAt: now,
    };
    try {
      await tx.db
        .updateTable("spaces")
        .set({ name: updated.name, description: updated.description, updated_at: now })
        .where("id", "=", spaceId)
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateName(updated.name);
      throw error;
    }
    if (updated.name !== space.name) await refuseAmbiguousSpaceName(tx, ctx.organizationId, updated.name);
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "space.update",
      resourceType: "space",
      resourceId: spaceId,
      details: {
        changed: Object.keys(input).filter((k) => input[k as keyof UpdateSpaceInput] !== undefined),
      },
      occurredAt: now,
    });
    return updated;
  });
}

/** Deletes a space that is empty: not the root, no child spaces, no service accounts. */
export async function deleteSpace(store: Store, ctx: MutationContext, spaceId: string): Promise<void> {
  await store.transaction(async (tx) => {
    const space = await getSpace(tx, ctx.organizationId, spaceId);
    if (space.parentId === null) {
      throw new DomainError(
        "conflict",
        `space ${spaceId} is the organization's root space and cannot be deleted`,
      );
    }
    const child = await tx.db
      .selectFrom("spaces")
      .select("id")
      .where("parent_id", "=", spaceId)
      .executeTakeFirst();
    if (child) {
      throw new DomainError(
        "conflict",
        `space ${spaceId} still has child spaces (e.g. ${child.id}); delete them first`,
      );
    }
    const now = ctx.now ?? Date.now();
    const liveToken = await tx.db
      .selectFrom("tokens")
      .innerJoin("api_keys", "api_keys.id", "tokens.api_key_id")
      .innerJoin("principals", "principals.id", "api_keys.principal_id")
      .select(["tokens.id as id", "principals.id as principal_id"])
      .where("principals.space_id", "=", spaceId)
      .where("tokens.revoked_at", "is", null)
      .where((eb) => eb.or([eb("tokens.valid_to", "is", null), eb("tokens.valid_to", ">", now)]))
      .where((eb) =>
        eb.or([eb("tokens.scheduled_expire_time", "is", null), eb("tokens.scheduled_expire_time", ">", now)]),
      )
      .executeTakeFirst();
    if (liveToken) {
      throw new DomainError(
        "conflict",
        `space ${spaceId} still holds live tokens (e.g. ${liveToken.id} of service account ${liveToken.principal_id}); revoke them and delete or move its service accounts first`,
      );
    }
    const liveDelegateToken = await delegateDb(tx)
      .selectFrom("delegate_tokens")
      .select("id")
      .where("space_id", "=", spaceId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (liveDelegateToken) {
      throw new DomainError(
        "conflict",
        `space ${spaceId} still holds live delegate tokens (e.g. ${liveDelegateToken.id}); revoke them first (keygate delegate-token revoke)`,
      );
    }
    const connected = await delegateDb(tx)
      .selectFrom("delegate_connections")
      .select("id")
      .where("space_id", "=", spaceId)
      .executeTakeFirst();
    if (connected) {
      throw new DomainError(
        "conflict",
        `space ${spaceId} still has connected delegates (e.g. ${connected.id}); stop them first`,
      );
    }
    const member = await tx.db
      .selectFrom("principals")
      .select("id")
      .where("space_id", "=", spaceId)
      .executeTakeFirst();
    if (member) {
      throw new DomainError(
        "conflict",
        `space ${spaceId} still holds service accounts (e.g. ${member.id}); delete or move them first`,
      );
    }
    // Bindings in the space go with it (ON DELETE CASCADE); caches must hear of it.
    const bindings = await tx.db
      .selectFrom("role_bindings")
      .select(["id", "principal_id", "team_id"])
      .where("space_id", "=", spaceId)
      .execute();
    await tx.db.deleteFrom("spaces").where("id", "=", spaceId).execute();
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "space.delete",
      resourceType: "space",
      resourceId: spaceId,
      details: { name: space.name },
      occurredAt: now,
    });
    await announceChange(tx, { kind: "space.changed", organizationId: ctx.organizationId, spaceId });
    for (const b of bindings) {
      await announceChange(tx, {
        kind: "binding.changed",
        organizationId: ctx.organizationId,
        bindingId: b.id,
        principalId: b.principal_id,
        teamId: b.team_id,
      });
    }
  });
}

/** The ancestors of a space, nearest first (parent, grandparent, ..., root); empty for the root. */
export async function getSpaceAncestors(
  store: Store,
  organizationId: string,
  spaceId: string,
): Promise<Space[]> {
  const tree = await loadSpaceTree(store, organizationId);
  if (!tree.spaces.has(spaceId)) throw new DomainError("not_found", `space ${spaceId} not found`);
  return tree.ancestorIds(spaceId).map((id) => tree.spaces.get(id)!);
}

/** An organization's whole space tree in memory, for ancestor walks on the request path. */
export type SpaceTree = SpaceTreeOf<Space>;

/** Loads the organization's space tree (one query; cache it and reload on `space.changed`). */
export async function loadSpaceTree(store: Store, organizationId: string): Promise<SpaceTree> {
  const rows = await store.db
    .selectFrom("spaces")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .execute();
  return spaceTreeOf(organizationId, rows.map(spaceFromRow));
}

/** The space tree of an organization's spaces (all of them, as loaded or sent to a policy worker). */
export function spaceTreeOf(organizationId: string, members: Iterable<Space>): SpaceTree {
  return buildSpaceTree(organizationId, members);
}
