// Domain layer, organizations: the tenants; each has a unique name and a root space.
import type { OrganizationsTable } from "../../store/database-schema.js";
import type { Store } from "../../store/store.js";
import type { Actor, MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import { newId } from "../ids/random-id.js";
import { type Page, type PageRequest, pageWindow } from "../pagination/page.js";
import { type Space, spaceFromRow } from "../spaces/space.js";
import { checkName, checkSlug, isUniqueViolation } from "../validation/field-rules.js";

/** An organization (one tenant). */
export interface Organization {
  readonly id: string;
  /** Unique, URL-safe name (`acme`), usable wherever an id is. */
  readonly name: string;
  readonly displayName: string;
  readonly createdAt: number;
}

/** Input of createOrganization. */
export interface CreateOrganizationInput {
  /** Lowercase letters, digits, `-`, `_`. */
  readonly name: string;
  readonly displayName?: string;
  /** Name of the root space; default "root". */
  readonly rootSpaceName?: string;
}

function organizationFromRow(row: OrganizationsTable): Organization {
  return { id: row.id, name: row.name, displayName: row.display_name, createdAt: Number(row.created_at) };
}

/** Creates an organization and its root space. */
export async function createOrganization(
  store: Store,
  actor: Actor,
  input: CreateOrganizationInput,
  now: number = Date.now(),
): Promise<{ organization: Organization; rootSpace: Space }> {
  const name = checkSlug(input.name, "name");
  const displayName = input.displayName === undefined ? name : checkName(input.displayName, "displayName");
  const rootSpaceName =
    input.rootSpaceName === undefined ? "root" : checkName(input.rootSpaceName, "rootSpaceName");
  return store.transaction(async (tx) => {
    const org: OrganizationsTable = { id: newId("org"), name, display_name: displayName, created_at: now };
    try {
      await tx.db.insertInto("organizations").values(org).execute();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError(
          "conflict",
          `an organization named "${name}" already exists; choose another name`,
          {
            field: "name",
          },
        );
      }
      throw error;
    }
    const root = {
      id: newId("spc"),
      organization_id: org.id,
      parent_id: null,
      name: rootSpaceName,
      description: `Root space of ${displayName}`,
      created_at: now,
      updated_at: now,
    };
    await tx.db.insertInto("spaces").values(root).execute();
    await recordAuditEvent(tx, {
      organizationId: org.id,
      actor,
      action: "organization.create",
      resourceType: "organization",
      resourceId: org.id,
      details: { name, rootSpaceId: root.id },
      occurredAt: now,
    });
    return { organization: organizationFromRow(org), rootSpace: spaceFromRow(root) };
  });
}

/** An organization by id (`org-...`) or by unique name, or `not_found`. */
export async function getOrganization(store: Store, idOrName: string): Promise<Organization> {
  const row = await store.db
    .selectFrom("organizations")
    .selectAll()
    .where((eb) => eb.or([eb("id", "=", idOrName), eb("name", "=", idOrName)]))
    .executeTakeFirst();
  if (!row) throw new DomainError("not_found", `organization ${idOrName} not found`);
  return organizationFromRow(row);
}

/** Lists organizations by name. */
export async function listOrganizations(store: Store, page?: PageRequest): Promise<Page<Organization>> {
  const { limit, offset } = pageWindow(page);
  const [rows, count] = await Promise.all([
    store.db.selectFrom("organizations").selectAll().orderBy("name").limit(limit).offset(offset).execute(),
    store.db
      .selectFrom("organizations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(organizationFromRow), total: Number(count.n) };
}

/** Changes of updateOrganization (the name is the organization's key in URLs and stays). */
export interface UpdateOrganizationInput {
  readonly displayName?: string;
}

/** Updates the caller's organization; audited in the same transaction. */
export async function updateOrganization(
  store: Store,
  ctx: MutationContext,
  input: UpdateOrganizationInput,
): Promise<Organization> {
  const displayName = input.displayName === undefined ? undefined : checkName(input.displayName, "displayName");
  const now = ctx.now ?? Date.now();
  return store.transaction(async (tx) => {
    const current = await getOrganization(tx, ctx.organizationId);
    if (displayName === undefined || displayName === current.displayName) return current;
    await tx.db
      .updateTable("organizations")
      .set({ display_name: displayName })
      .where("id", "=", current.id)
      .execute();
    await recordAuditEvent(tx, {
      organizationId: current.id,
      actor: ctx.actor,
      action: "organization.update",
      resourceType: "organization",
      resourceId: current.id,
      details: { displayName },
      occurredAt: now,
    });
    return { ...current, displayName };
  });
}
