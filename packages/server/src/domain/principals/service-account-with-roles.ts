// Domain layer, principals: a service account created together with its role bindings, in one
// transaction: when a role is refused (unknown, not for service accounts, or beyond the caller's
// own permissions) nothing is left behind.
import type { Store } from "../../store/store.js";
import type { MutationContext } from "../audit/actor.js";
import { DomainError } from "../domain-error.js";
import { newId } from "../ids/random-id.js";
import {
  createRoleBinding,
  type RoleBinding,
  type RoleBindingChange,
} from "../role-bindings/role-binding.js";
import {
  type CreateServiceAccountInput,
  createServiceAccount,
  type SavedServiceAccount,
  type ServiceAccountSaveChange,
} from "./service-account.js";

/** Input of createServiceAccountWithRoles: the account, and the roles (ids or names) to bind in its space. */
export interface CreateServiceAccountWithRolesInput
  extends Omit<CreateServiceAccountInput, "id" | "alsoInTransaction"> {
  readonly roleIds: readonly string[];
}

/** A saved service account with the bindings made with it (in the order of `roleIds`). */
export interface SavedServiceAccountWithRoles extends SavedServiceAccount {
  readonly bindings: readonly RoleBinding[];
}

/** Creates a service account and binds each role to it in its space, all or nothing. */
export async function createServiceAccountWithRoles(
  store: Store,
  ctx: MutationContext<ServiceAccountSaveChange | RoleBindingChange>,
  input: CreateServiceAccountWithRolesInput,
): Promise<SavedServiceAccountWithRoles> {
  const { roleIds, ...account } = input;
  let bindings: RoleBinding[] = [];
  const saved = await createServiceAccount(store, ctx, {
    ...account,
    // One id over every attempt of the transaction (policies may send it back to be run again).
    id: newId("sa"),
    alsoInTransaction: async (tx, serviceAccount) => {
      bindings = [];
      for (const [index, roleId] of roleIds.entries()) {
        try {
          bindings.push(
            await createRoleBinding(tx, ctx, {
              subject: { kind: "principal", principalId: serviceAccount.id },
              roleId,
              spaceId: serviceAccount.spaceId,
            }),
          );
        } catch (error) {
          // Point at the role in the request (`relationships.roles.data[i]`), not at a binding's field.
          if (error instanceof DomainError && error.field === "roleId")
            throw new DomainError(error.code, error.message, {
              field: `/data/relationships/roles/data/${index}/id`,
              ...(error.details ? { details: error.details } : {}),
            });
          throw error;
        }
      }
    },
  });
  return { ...saved, bindings };
}
