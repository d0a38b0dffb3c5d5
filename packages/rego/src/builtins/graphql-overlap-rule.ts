// Builtins, GraphQL: the OverlappingFieldsCanBeMerged validation rule (spec 5.3.2): fields with the
// same response name must be mergeable. Compares fields "within" a selection set and "between" it
// and the fragments it spreads, as graphql-js and gqlparser do, caching compared fragment pairs;
// every comparison counts against the validation's step budget.

import {
  type Argument,
  type Field,
  type FragmentSpread,
  type GqlValue,
  type Position,
  type Selection,
  type TypeRef,
  typeString,
} from "./graphql-ast.js";
import { isLeafKind } from "./graphql-schema.js";
import { MAX_WALK_DEPTH, type ValidationContext, type ValidationRule } from "./graphql-validator.js";

/** Fields by response name, in order of first appearance. */
interface FieldMap {
  readonly names: string[];
  readonly byName: Map<string, Field[]>;
}

/** Why two fields cannot be merged: a reason, or conflicts between their subfields. */
interface Conflict {
  readonly responseName: string;
  readonly reason?: string;
  readonly sub?: readonly Conflict[];
  readonly position: Position | undefined;
}

/** The fields of a selection set (through inline fragments) and the fragments it spreads. */
function collect(ctx: ValidationContext, set: readonly Selection[]): [FieldMap, FragmentSpread[]] {
  const map: FieldMap = { names: [], byName: new Map() };
  const spreads: FragmentSpread[] = [];
  const visit = (selections: readonly Selection[]): void => {
    for (const sel of selections) {
      ctx.step();
      switch (sel.kind) {
        case "field": {
          const responseName = sel.alias === "" ? sel.name : sel.alias;
          const list = map.byName.get(responseName);
          if (list === undefined) {
            map.names.push(responseName);
            map.byName.set(responseName, [sel]);
          } else {
            list.push(sel);
          }
          break;
        }
        case "inlineFragment":
          visit(sel.selectionSet);
          break;
        case "fragmentSpread":
          spreads.push(sel);
          break;
      }
    }
  };
  visit(set);
  return [map, spreads];
}

function sameFieldMap(a: FieldMap, b: FieldMap): boolean {
  if (a.names.length !== b.names.length) return false;
  return a.names.every((name, i) => {
    const x = a.byName.get(name) ?? [];
    const y = b.byName.get(b.names[i] ?? "") ?? [];
    return b.names[i] === name && x.length === y.length && x.every((f, j) => f === y[j]);
  });
}

function sameValue(a: GqlValue, b: GqlValue): boolean {
  return (
    a.kind === b.kind &&
    a.raw === b.raw &&
    a.children.length === b.children.length &&
    a.children.every((c, i) => {
      const d = b.children[i];
      return d !== undefined && c.name === d.name && sameValue(c.value, d.value);
    })
  );
}

function sameArguments(a: readonly Argument[], b: readonly Argument[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x) => {
    const y = b.find((arg) => arg.name === x.name);
    return y !== undefined && sameValue(x.value, y.value);
  });
}

function conflictText(c: Conflict): string {
  if (c.sub === undefined) return c.reason ?? "";
  return c.sub.map((s) => `subfields "${s.responseName}" conflict because ${conflictText(s)}`).join(" and ");
}

class OverlapChecker {
  private readonly ctx: ValidationContext;
  /** Fragment pairs compared so far, and whether as mutually exclusive. */
  private readonly pairs = new Map<string, Map<string, boolean>>();
  private comparedFragments = new Set<string>();
  private depth = 0;

  constructor(ctx: ValidationContext) {
    this.ctx = ctx;
  }

  within(set: readonly Selection[]): Conflict[] {
    if (set.length === 0) return [];
    const [fields, spreads] = collect(this.ctx, set);
    const conflicts: Conflict[] = [];
    for (const name of fields.names) {
      const list = fields.byName.get(name) ?? [];
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          this.push(conflicts, this.findConflict(false, list[i] as Field, list[j] as Field));
        }
      }
    }
    this.comparedFragments = new Set();
    spreads.forEach((a, i) => {
      this.betweenFieldsAndFragment(conflicts, false, fields, a);
      for (const b of spreads.slice(i + 1)) this.betweenFragments(conflicts, false, a, b);
    });
    return conflicts;
  }

  private push(conflicts: Conflict[], c: Conflict | undefined): void {
    if (c !== undefined) conflicts.push(c);
  }

  private deeper<T>(fallback: T, body: () => T): T {
    // The walk has already refused anything this deep; stop rather than exhaust the stack.
    if (this.depth >= MAX_WALK_DEPTH) return fallback;
    this.depth++;
    try {
      return body();
    } finally {
      this.depth--;
    }
  }

  private between(conflicts: Conflict[], exclusive: boolean, a: FieldMap, b: FieldMap): void {
    for (const name of a.names) {
      const others = b.byName.get(name);
      if (others === undefined) continue;
      for (const x of a.byName.get(name) ?? []) {
        for (const y of others) this.push(conflicts, this.findConflict(exclusive, x, y));
      }
    }
  }

  private betweenFieldsAndFragment(
    conflicts: Conflict[],
    exclusive: boolean,
    fields: FieldMap,
    spread: FragmentSpread,
  ): void {
    if (this.comparedFragments.has(spread.name)) return;
    this.comparedFragments.add(spread.name);
    const def = this.ctx.fragment(spread.name);
    if (def === undefined) return;
    const [other, nested] = collect(this.ctx, def.selectionSet);
    if (sameFieldMap(fields, other)) return;
    this.between(conflicts, exclusive, fields, other);
    this.deeper(undefined, () => {
      for (const s of nested) {
        if (s.name !== spread.name) this.betweenFieldsAndFragment(conflicts, exclusive, fields, s);
      }
    });
  }

  private pairSeen(a: string, b: string, exclusive: boolean): boolean {
    const stored = this.pairs.get(a)?.get(b);
    if (stored === undefined) return false;
    // A pair compared as not exclusive covers the exclusive comparison too.
    return exclusive ? true : !stored;
  }

  private addPair(a: string, b: string, exclusive: boolean): void {
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      let m = this.pairs.get(x);
      if (m === undefined) {
        m = new Map();
        this.pairs.set(x, m);
      }
      m.set(y, exclusive);
    }
  }

  private betweenFragments(
    conflicts: Conflict[],
    exclusive: boolean,
    a: FragmentSpread,
    b: FragmentSpread,
  ): void {
    if (a.name === b.name || this.pairSeen(a.name, b.name, exclusive)) return;
    this.addPair(a.name, b.name, exclusive);
    const defA = this.ctx.fragment(a.name);
    const defB = this.ctx.fragment(b.name);
    if (defA === undefined || defB === undefined) return;
    const [fieldsA, spreadsA] = collect(this.ctx, defA.selectionSet);
    const [fieldsB, spreadsB] = collect(this.ctx, defB.selectionSet);
    this.between(conflicts, exclusive, fieldsA, fieldsB);
    this.deeper(undefined, () => {
      for (const s of spreadsB) this.betweenFragments(conflicts, exclusive, a, s);
      for (const s of spreadsA) this.betweenFragments(conflicts, exclusive, s, b);
    });
  }

  private subSelections(
    exclusive: boolean,
    setA: readonly Selection[],
    setB: readonly Selection[],
  ): Conflict[] {
    const conflicts: Conflict[] = [];
    const [fieldsA, spreadsA] = collect(this.ctx, setA);
    const [fieldsB, spreadsB] = collect(this.ctx, setB);
    this.between(conflicts, exclusive, fieldsA, fieldsB);
    for (const s of spreadsB) {
      this.comparedFragments = new Set();
      this.betweenFieldsAndFragment(conflicts, exclusive, fieldsA, s);
    }
    for (const s of spreadsA) {
      this.comparedFragments = new Set();
      this.betweenFieldsAndFragment(conflicts, exclusive, fieldsB, s);
    }
    for (const x of spreadsA) for (const y of spreadsB) this.betweenFragments(conflicts, exclusive, x, y);
    return conflicts;
  }

  private typesConflict(a: TypeRef, b: TypeRef): boolean {
    if (a.nonNull !== b.nonNull) return true;
    if (a.elem !== undefined || b.elem !== undefined) {
      return a.elem === undefined || b.elem === undefined || this.typesConflict(a.elem, b.elem);
    }
    const x = this.ctx.schema.types.get(a.namedType);
    const y = this.ctx.schema.types.get(b.namedType);
    if (x === undefined || y === undefined) return false;
    return isLeafKind(x.kind) && isLeafKind(y.kind) && x.name !== y.name;
  }

  private findConflict(parentExclusive: boolean, a: Field, b: Field): Conflict | undefined {
    this.ctx.step();
    const infoA = this.ctx.fieldInfo(a);
    const infoB = this.ctx.fieldInfo(b);
    const defA = infoA?.definition;
    const defB = infoB?.definition;
    const parentA = infoA?.parent;
    const parentB = infoB?.parent;
    if (defA === undefined || defB === undefined || parentA === undefined || parentB === undefined)
      return undefined;
    // Fields on two different object types can never both apply to one object.
    const exclusive =
      parentExclusive ||
      (parentA.name !== parentB.name && parentA.kind === "OBJECT" && parentB.kind === "OBJECT");
    const responseName = a.alias === "" ? a.name : a.alias;
    const position = b.position;
    if (!exclusive) {
      if (a.name !== b.name)
        return { responseName, reason: `${a.name} and ${b.name} are different fields`, position };
      if (!sameArguments(a.arguments, b.arguments)) {
        return { responseName, reason: "they have differing arguments", position };
      }
    }
    if (this.typesConflict(defA.type, defB.type)) {
      return {
        responseName,
        reason: `they return conflicting types ${typeString(defA.type)} and ${typeString(defB.type)}`,
        position,
      };
    }
    const sub = this.deeper<Conflict[]>([], () =>
      this.subSelections(exclusive, a.selectionSet, b.selectionSet),
    );
    return sub.length === 0 ? undefined : { responseName, sub, position };
  }
}

/** The OverlappingFieldsCanBeMerged rule for one validation. */
export function overlappingFieldsCanBeMerged(): ValidationRule {
  let checker: OverlapChecker | undefined;
  const check = (ctx: ValidationContext, set: readonly Selection[]): void => {
    checker ??= new OverlapChecker(ctx);
    for (const c of checker.within(set)) {
      ctx.report(
        `Fields "${c.responseName}" conflict because ${conflictText(c)}. Use different aliases on the fields to fetch both if this was intentional.`,
        c.position,
      );
    }
  };
  return {
    onOperation: (ctx, op) => check(ctx, op.selectionSet),
    onField(ctx, field) {
      // Not while fragments are walked on their own: their fields were checked where spread.
      if (ctx.currentOperation !== undefined) check(ctx, field.selectionSet);
    },
    onInlineFragment: (ctx, fragment) => check(ctx, fragment.selectionSet),
    onFragment: (ctx, fragment) => check(ctx, fragment.selectionSet),
  };
}
