// Builtins, GraphQL: the query validation rules gqlparser applies (the GraphQL spec's rules, with
// graphql-js's messages), called by the validator's walk: this file lists them all, in gqlparser's
// order (alphabetical by rule name, the order their errors are reported in), and holds those about
// fields, fragments, directives and operations; graphql-value-rules.ts holds those about values.

import {
  type Argument,
  type Definition,
  type GqlValue,
  type Selection,
  type TypeRef,
  typeName,
  typeString,
} from "./graphql-ast.js";
import { overlappingFieldsCanBeMerged } from "./graphql-overlap-rule.js";
import {
  noUndefinedVariables,
  noUnusedVariables,
  uniqueInputFieldNames,
  uniqueVariableNames,
  valuesOfCorrectType,
  variablesAreInputTypes,
  variablesInAllowedPosition,
} from "./graphql-value-rules.js";
import { isCompositeKind, isLeafKind, possibleTypesOf, type SchemaType } from "./graphql-schema.js";
import { didYouMean, quotedOrList, type SuggestionBudget, suggestionBudget } from "./graphql-suggestions.js";
import { MAX_WALK_DEPTH, type ValidationContext, type ValidationRule } from "./graphql-validator.js";
import { goQuote } from "../value/format-value.js";

/** The rules for one validation, in the order gqlparser runs them. */
export function createRules(): ValidationRule[] {
  const budget = suggestionBudget();
  return [
    fieldsOnCorrectType(budget),
    fragmentsOnCompositeTypes(),
    knownArgumentNames(budget),
    knownDirectives(),
    knownFragmentNames(),
    knownRootType(),
    knownTypeNames(budget),
    loneAnonymousOperation(),
    noFragmentCycles(),
    noUndefinedVariables(),
    noUnusedFragments(),
    noUnusedVariables(),
    overlappingFieldsCanBeMerged(),
    possibleFragmentSpreads(),
    providedRequiredArguments(),
    scalarLeafs(),
    singleFieldSubscriptions(),
    uniqueArgumentNames(),
    uniqueDirectivesPerLocation(),
    uniqueFragmentNames(),
    uniqueInputFieldNames(),
    uniqueOperationNames(),
    uniqueVariableNames(),
    valuesOfCorrectType(budget),
    variablesAreInputTypes(),
    variablesInAllowedPosition(),
  ];
}

function hasField(def: Definition | undefined, name: string): boolean {
  return def?.fields.some((f) => f.name === name) === true;
}

function fieldsOnCorrectType(budget: SuggestionBudget): ValidationRule {
  // For a field missing on an abstract type: the interfaces (most used first), then the object
  // types, that have it.
  const suggestedTypes = (ctx: ValidationContext, parent: SchemaType, name: string): string[] => {
    if (parent.kind !== "INTERFACE" && parent.kind !== "UNION") return [];
    const objects: string[] = [];
    const interfaces: string[] = [];
    const usage = new Map<string, number>();
    for (const possible of possibleTypesOf(ctx.schema, parent)) {
      if (!hasField(possible, name)) continue;
      objects.push(possible.name);
      for (const intf of possible.interfaces) {
        if (!hasField(ctx.schema.types.get(intf), name)) continue;
        if (!usage.has(intf)) interfaces.push(intf);
        usage.set(intf, (usage.get(intf) ?? 0) + 1);
      }
    }
    interfaces.sort((a, b) => (usage.get(b) ?? 0) - (usage.get(a) ?? 0));
    return [...interfaces, ...objects];
  };
  return {
    onField(ctx, field, info) {
      const parent = info.parent;
      if (parent === undefined || info.definition !== undefined) return;
      let message = `Cannot query field "${field.name}" on type "${parent.name}".`;
      const types = suggestedTypes(ctx, parent, field.name);
      if (types.length > 0) {
        message += ` Did you mean to use an inline fragment on ${quotedOrList(types)}?`;
      } else if (parent.kind === "OBJECT" || parent.kind === "INTERFACE") {
        message += didYouMean(
          field.name,
          parent.fields.map((f) => f.name),
          budget,
        );
      }
      ctx.report(message, field.position);
    },
  };
}

function fragmentsOnCompositeTypes(): ValidationRule {
  return {
    onInlineFragment(ctx, fragment) {
      const type = ctx.schema.types.get(fragment.typeCondition);
      if (type === undefined || isCompositeKind(type.kind)) return;
      ctx.report(
        `Fragment cannot condition on non composite type "${fragment.typeCondition}".`,
        fragment.position,
      );
    },
    onFragment(ctx, fragment, type) {
      if (type === undefined || fragment.typeCondition === "" || isCompositeKind(type.kind)) return;
      ctx.report(
        `Fragment "${fragment.name}" cannot condition on non composite type "${fragment.typeCondition}".`,
        fragment.position,
      );
    },
  };
}

function knownArgumentNames(budget: SuggestionBudget): ValidationRule {
  return {
    onField(ctx, field, info) {
      const def = info.definition;
      if (def === undefined || info.parent === undefined) return;
      for (const arg of field.arguments) {
        if (def.arguments.some((a) => a.name === arg.name)) continue;
        const hint = didYouMean(
          arg.name,
          def.arguments.map((a) => a.name),
          budget,
        );
        ctx.report(
          `Unknown argument "${arg.name}" on field "${info.parent.name}.${field.name}".${hint}`,
          field.position,
        );
      }
    },
    onDirective(ctx, dir, info) {
      const def = info.definition;
      if (def === undefined) return;
      for (const arg of dir.arguments) {
        if (def.arguments.some((a) => a.name === arg.name)) continue;
        const hint = didYouMean(
          arg.name,
          def.arguments.map((a) => a.name),
          budget,
        );
        ctx.report(`Unknown argument "${arg.name}" on directive "@${dir.name}".${hint}`, dir.position);
      }
    },
  };
}

function knownDirectives(): ValidationRule {
  return {
    onDirective(ctx, dir, info) {
      if (info.definition === undefined) {
        ctx.report(`Unknown directive "@${dir.name}".`, dir.position);
      } else if (!info.definition.locations.includes(info.location)) {
        ctx.report(`Directive "@${dir.name}" may not be used on ${info.location}.`, dir.position);
      }
    },
  };
}

function knownFragmentNames(): ValidationRule {
  return {
    onFragmentSpread(ctx, spread, definition) {
      if (definition === undefined) ctx.report(`Unknown fragment "${spread.name}".`, spread.position);
    },
  };
}

function knownRootType(): ValidationRule {
  return {
    onOperation(ctx, op) {
      const operation = op.operation === "" ? "query" : op.operation;
      if (ctx.schema[operation] === undefined) {
        ctx.report(`Schema does not support operation type "${op.operation}"`, op.position);
      }
    },
  };
}

function knownTypeNames(budget: SuggestionBudget): ValidationRule {
  return {
    onVariable(ctx, variable) {
      const name = typeName(variable.type);
      if (!ctx.schema.types.has(name)) ctx.report(`Unknown type "${name}".`, variable.position);
    },
    onInlineFragment(ctx, fragment) {
      const name = fragment.typeCondition;
      if (name !== "" && !ctx.schema.types.has(name))
        ctx.report(`Unknown type "${name}".`, fragment.position);
    },
    onFragment(ctx, fragment, type) {
      if (type !== undefined) return;
      const hint = didYouMean(fragment.typeCondition, [...ctx.schema.types.keys()].sort(), budget);
      ctx.report(`Unknown type "${fragment.typeCondition}".${hint}`, fragment.position);
    },
  };
}

function loneAnonymousOperation(): ValidationRule {
  return {
    onOperation(ctx, op) {
      if (op.name === "" && ctx.document.operations.length > 1) {
        ctx.report("This anonymous operation must be the only defined operation.", op.position);
      }
    },
  };
}

/** The fragment spreads in a selection set, outside fragments (gqlparser's visiting order). */
function spreadsIn(set: readonly Selection[]): Selection[] {
  const spreads: Selection[] = [];
  const toVisit: (readonly Selection[])[] = [set];
  for (let next = toVisit.pop(); next !== undefined; next = toVisit.pop()) {
    for (const sel of next) {
      if (sel.kind === "fragmentSpread") spreads.push(sel);
      else toVisit.push(sel.selectionSet);
    }
  }
  return spreads;
}

function noFragmentCycles(): ValidationRule {
  const visited = new Set<string>();
  return {
    onFragment(ctx, fragment) {
      const path: Selection[] = [];
      const indexByName = new Map<string, number>();
      const visit = (name: string, set: readonly Selection[]): void => {
        // Deeper chains were refused by the walk; stop rather than exhaust the stack.
        if (visited.has(name) || path.length >= MAX_WALK_DEPTH) return;
        visited.add(name);
        const spreads = spreadsIn(set);
        if (spreads.length === 0) return;
        ctx.step(spreads.length);
        indexByName.set(name, path.length);
        for (const spread of spreads) {
          if (spread.kind !== "fragmentSpread") continue;
          const cycleIndex = indexByName.get(spread.name);
          path.push(spread);
          if (cycleIndex === undefined) {
            const target = ctx.fragment(spread.name);
            if (target !== undefined) visit(target.name, target.selectionSet);
          } else {
            const via = path.slice(cycleIndex, -1).map((s) => (s.kind === "fragmentSpread" ? s.name : ""));
            ctx.report(
              `Cannot spread fragment "${spread.name}" within itself${via.length > 0 ? ` via ${via.join(", ")}` : ""}.`,
              spread.position,
            );
          }
          path.pop();
        }
        indexByName.delete(name);
      };
      visit(fragment.name, fragment.selectionSet);
    },
  };
}

function noUnusedFragments(): ValidationRule {
  let inFragments = false;
  const used = new Set<string>();
  return {
    onFragmentSpread(_ctx, spread) {
      if (!inFragments) used.add(spread.name);
    },
    onFragment(ctx, fragment) {
      inFragments = true;
      if (!used.has(fragment.name))
        ctx.report(`Fragment "${fragment.name}" is never used.`, fragment.position);
    },
  };
}

function possibleFragmentSpreads(): ValidationRule {
  // Whether a fragment on `typeCondition` can apply where an object of `parent` is selected.
  const canSpread = (
    ctx: ValidationContext,
    parent: SchemaType | undefined,
    typeCondition: string,
  ): boolean => {
    if (parent === undefined) return true;
    let parents: readonly SchemaType[];
    switch (parent.kind) {
      case "OBJECT":
        parents = [parent];
        break;
      case "INTERFACE":
      case "UNION":
        parents = possibleTypesOf(ctx.schema, parent);
        break;
      default:
        return true;
    }
    const fragmentType = ctx.schema.types.get(typeCondition);
    if (fragmentType === undefined || !isCompositeKind(fragmentType.kind)) return true;
    return possibleTypesOf(ctx.schema, fragmentType).some((f) => parents.some((p) => p.name === f.name));
  };
  return {
    onInlineFragment(ctx, fragment, parent) {
      if (parent === undefined || canSpread(ctx, parent, fragment.typeCondition)) return;
      ctx.report(
        `Fragment cannot be spread here as objects of type "${parent.name}" can never be of type "${fragment.typeCondition}".`,
        fragment.position,
      );
    },
    onFragmentSpread(ctx, spread, definition, parent) {
      if (definition === undefined || parent === undefined) return;
      if (canSpread(ctx, parent, definition.typeCondition)) return;
      ctx.report(
        `Fragment "${spread.name}" cannot be spread here as objects of type "${parent.name}" can never be of type "${definition.typeCondition}".`,
        spread.position,
      );
    },
  };
}

function missingRequired(
  defs: readonly {
    readonly name: string;
    readonly type: TypeRef;
    readonly defaultValue?: GqlValue | undefined;
  }[],
  given: readonly Argument[],
): { name: string; type: TypeRef }[] {
  return defs.filter(
    (d) => d.type.nonNull && d.defaultValue === undefined && !given.some((a) => a.name === d.name),
  );
}

function providedRequiredArguments(): ValidationRule {
  return {
    onField(ctx, field, info) {
      if (info.definition === undefined) return;
      for (const arg of missingRequired(info.definition.arguments, field.arguments)) {
        ctx.report(
          `Field "${field.name}" argument "${arg.name}" of type "${typeString(arg.type)}" is required, but it was not provided.`,
          field.position,
        );
      }
    },
    onDirective(ctx, dir, info) {
      if (info.definition === undefined) return;
      for (const arg of missingRequired(info.definition.arguments, dir.arguments)) {
        ctx.report(
          `Directive "@${info.definition.name}" argument "${arg.name}" of type "${typeString(arg.type)}" is required, but it was not provided.`,
          dir.position,
        );
      }
    },
  };
}

function scalarLeafs(): ValidationRule {
  return {
    onField(ctx, field, info) {
      if (info.definition === undefined) return;
      const type = ctx.schema.types.get(typeName(info.definition.type));
      if (type === undefined) return;
      if (isLeafKind(type.kind) && field.selectionSet.length > 0) {
        ctx.report(
          `Field "${field.name}" must not have a selection since type "${type.name}" has no subfields.`,
          field.position,
        );
      }
      if (!isLeafKind(type.kind) && field.selectionSet.length === 0) {
        ctx.report(
          `Field "${field.name}" of type "${typeString(info.definition.type)}" must have a selection of subfields. Did you mean "${field.name} { ... }"?`,
          field.position,
        );
      }
    },
  };
}

function singleFieldSubscriptions(): ValidationRule {
  return {
    onOperation(ctx, op) {
      if (ctx.schema.subscription === undefined || op.operation !== "subscription") return;
      // The top-level fields, through fragments, each name once.
      const fields: { name: string; position: GqlValue["position"] }[] = [];
      const seenFragments = new Set<string>();
      const collect = (set: readonly Selection[]): void => {
        for (const sel of set) {
          ctx.step();
          if (sel.kind === "field") {
            fields.push({ name: sel.name, position: sel.position });
          } else if (sel.kind === "inlineFragment") {
            collect(sel.selectionSet);
          } else {
            const def = ctx.fragment(sel.name);
            if (def === undefined) return;
            if (!seenFragments.has(def.name)) {
              seenFragments.add(def.name);
              collect(def.selectionSet);
            }
          }
        }
      };
      collect(op.selectionSet);
      const seen = new Set<string>();
      const unique: typeof fields = [];
      for (const f of fields) {
        if (!seen.has(f.name)) unique.push(f);
        seen.add(f.name);
      }
      const name = op.name === "" ? "Anonymous Subscription" : `Subscription ${goQuote(op.name)}`;
      if (unique.length > 1) ctx.report(`${name} must select only one top level field.`, unique[1]?.position);
      for (const f of unique) {
        if (f.name.startsWith("__"))
          ctx.report(`${name} must not select an introspection top level field.`, f.position);
      }
    },
  };
}

function uniqueArgumentNames(): ValidationRule {
  const check = (ctx: ValidationContext, args: readonly Argument[]): void => {
    const seen = new Set<string>();
    for (const arg of args) {
      if (seen.has(arg.name)) ctx.report(`There can be only one argument named "${arg.name}".`, arg.position);
      seen.add(arg.name);
    }
  };
  return {
    onField: (ctx, field) => check(ctx, field.arguments),
    onDirective: (ctx, dir) => check(ctx, dir.arguments),
  };
}

function uniqueDirectivesPerLocation(): ValidationRule {
  return {
    onDirectiveList(ctx, directives) {
      const seen = new Set<string>();
      for (const dir of directives) {
        const repeatable = ctx.schema.directives.get(dir.name)?.isRepeatable === true;
        if (seen.has(dir.name) && !repeatable) {
          ctx.report(`The directive "@${dir.name}" can only be used once at this location.`, dir.position);
        }
        seen.add(dir.name);
      }
    },
  };
}

function uniqueFragmentNames(): ValidationRule {
  const seen = new Set<string>();
  return {
    onFragment(ctx, fragment) {
      if (seen.has(fragment.name)) {
        ctx.report(`There can be only one fragment named "${fragment.name}".`, fragment.position);
      }
      seen.add(fragment.name);
    },
  };
}

function uniqueOperationNames(): ValidationRule {
  const seen = new Set<string>();
  return {
    onOperation(ctx, op) {
      if (seen.has(op.name)) ctx.report(`There can be only one operation named "${op.name}".`, op.position);
      seen.add(op.name);
    },
  };
}
