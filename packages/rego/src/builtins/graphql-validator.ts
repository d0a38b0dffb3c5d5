// Builtins, GraphQL: query validation, after parsing and schema building. Walks a query document
// against a schema in gqlparser's order (operations, then fragments on their own), resolving each
// field, argument, directive and value against the schema, and calls the validation rules at each
// node. Work is bounded: the walk refuses nesting (through fragment spreads too) deeper than
// MAX_WALK_DEPTH and stops after MAX_VALIDATION_STEPS steps, reporting why.

import {
  type Argument,
  type ArgumentDefinition,
  type Directive,
  type DirectiveDefinition,
  type Field,
  type FieldDefinition,
  type FragmentDefinition,
  type FragmentSpread,
  type GqlValue,
  GraphqlError,
  type InlineFragment,
  type OperationDefinition,
  type Position,
  type QueryDocument,
  type Selection,
  type TypeRef,
  typeName,
  ValueKind,
  type VariableDefinition,
} from "./graphql-ast.js";
import type { Schema, SchemaType } from "./graphql-schema.js";

/** The deepest walk, counting selection sets and fragment spreads followed. */
export const MAX_WALK_DEPTH = 512;
/** The most steps (nodes visited, field pairs compared) one validation may take. */
export const MAX_VALIDATION_STEPS = 2_000_000;

/** What the walk resolved for a field: its definition and the type it was selected on. */
export interface FieldInfo {
  readonly definition: FieldDefinition | undefined;
  readonly parent: SchemaType | undefined;
}

/** What the walk resolved for a value: the type expected there, and the variable it names. */
export interface ValueInfo {
  readonly expectedType?: TypeRef | undefined;
  /** The named type at the bottom of `expectedType`. */
  readonly definition?: SchemaType | undefined;
  /** The argument or field the value is given for has a (non-null) default value. */
  readonly hasDefault?: boolean | undefined;
  readonly variable?: VariableDefinition | undefined;
}

/** What the walk resolved for a directive. */
export interface DirectiveInfo {
  readonly definition: DirectiveDefinition | undefined;
  readonly location: string;
}

/** The state rules can read and the way they report errors. */
export interface ValidationContext {
  readonly schema: Schema;
  readonly document: QueryDocument;
  /** The operation being walked; undefined while fragments are walked on their own. */
  readonly currentOperation: OperationDefinition | undefined;
  /** The first fragment of the document with this name. */
  fragment(name: string): FragmentDefinition | undefined;
  /** What the walk resolved for a field it has visited. */
  fieldInfo(field: Field): FieldInfo | undefined;
  /** Whether a variable definition was referenced so far in its operation's walk. */
  isUsed(variable: VariableDefinition): boolean;
  /** Counts work done; stops validation when the budget is spent. */
  step(count?: number): void;
  /** Records a validation error. */
  report(message: string, position: Position | undefined): void;
}

/** A validation rule: callbacks for the nodes it checks, called after the node's children. */
export interface ValidationRule {
  onOperation?(ctx: ValidationContext, op: OperationDefinition): void;
  onVariable?(ctx: ValidationContext, variable: VariableDefinition): void;
  onField?(ctx: ValidationContext, field: Field, info: FieldInfo): void;
  onFragment?(ctx: ValidationContext, fragment: FragmentDefinition, type: SchemaType | undefined): void;
  onInlineFragment?(ctx: ValidationContext, fragment: InlineFragment, parent: SchemaType | undefined): void;
  onFragmentSpread?(
    ctx: ValidationContext,
    spread: FragmentSpread,
    definition: FragmentDefinition | undefined,
    parent: SchemaType | undefined,
  ): void;
  onDirective?(ctx: ValidationContext, directive: Directive, info: DirectiveInfo): void;
  onDirectiveList?(ctx: ValidationContext, directives: readonly Directive[]): void;
  onValue?(ctx: ValidationContext, value: GqlValue, info: ValueInfo): void;
}

/** Raised to stop a validation that went past its limits. */
class LimitReached extends GraphqlError {}

const TYPENAME_FIELD: FieldDefinition = {
  description: "",
  name: "__typename",
  arguments: [],
  type: { namedType: "String", nonNull: false },
  directives: [],
};

/** Validates a query against a schema with the given rules, returning the errors in order found. */
export function validateQuery(
  schema: Schema,
  document: QueryDocument,
  rules: readonly ValidationRule[],
): GraphqlError[] {
  const walker = new Walker(schema, document, rules);
  try {
    walker.walk();
  } catch (e) {
    if (!(e instanceof LimitReached)) throw e;
    walker.errors.push(e);
  }
  return walker.errors;
}

class Walker implements ValidationContext {
  readonly schema: Schema;
  readonly document: QueryDocument;
  readonly errors: GraphqlError[] = [];
  currentOperation: OperationDefinition | undefined;
  private readonly rules: readonly ValidationRule[];
  private readonly fields = new Map<Field, FieldInfo>();
  private readonly fragments = new Map<string, FragmentDefinition>();
  private readonly used = new Set<VariableDefinition>();
  private readonly fieldIndex = new Map<SchemaType, Map<string, FieldDefinition>>();
  private validatedSpreads = new Set<string>();
  private depth = 0;
  private steps = 0;

  constructor(schema: Schema, document: QueryDocument, rules: readonly ValidationRule[]) {
    this.schema = schema;
    this.document = document;
    this.rules = rules;
    for (const f of document.fragments) if (!this.fragments.has(f.name)) this.fragments.set(f.name, f);
  }

  fragment(name: string): FragmentDefinition | undefined {
    return this.fragments.get(name);
  }

  fieldInfo(field: Field): FieldInfo | undefined {
    return this.fields.get(field);
  }

  isUsed(variable: VariableDefinition): boolean {
    return variable.used || this.used.has(variable);
  }

  step(count = 1): void {
    this.steps += count;
    if (this.steps > MAX_VALIDATION_STEPS) {
      throw new LimitReached(
        `the query is too large to validate (more than ${MAX_VALIDATION_STEPS} steps).`,
        undefined,
      );
    }
  }

  report(message: string, position: Position | undefined): void {
    this.errors.push(new GraphqlError(message, position));
  }

  private type(name: string): SchemaType | undefined {
    return this.schema.types.get(name);
  }

  /** The first field of a type with this name, through an index built on first use. */
  private fieldOf(type: SchemaType | undefined, name: string): FieldDefinition | undefined {
    if (type === undefined) return undefined;
    let index = this.fieldIndex.get(type);
    if (index === undefined) {
      index = new Map();
      for (const f of type.fields) if (!index.has(f.name)) index.set(f.name, f);
      this.fieldIndex.set(type, index);
    }
    return index.get(name);
  }

  walk(): void {
    for (const op of this.document.operations) {
      this.validatedSpreads = new Set();
      this.walkOperation(op);
    }
    for (const fragment of this.document.fragments) {
      this.validatedSpreads = new Set();
      this.walkFragment(fragment);
    }
  }

  private walkOperation(op: OperationDefinition): void {
    this.currentOperation = op;
    for (const v of op.variableDefinitions) for (const r of this.rules) r.onVariable?.(this, v);
    let root: SchemaType | undefined;
    let location: string;
    switch (op.operation) {
      case "":
      case "query":
        root = this.schema.query;
        location = "QUERY";
        break;
      case "mutation":
        root = this.schema.mutation;
        location = "MUTATION";
        break;
      case "subscription":
        root = this.schema.subscription;
        location = "SUBSCRIPTION";
        break;
    }
    for (const v of op.variableDefinitions) {
      const def = this.type(typeName(v.type));
      if (v.defaultValue !== undefined)
        this.walkValue(v.defaultValue, { expectedType: v.type, definition: def });
      this.walkDirectives(v.directives, "VARIABLE_DEFINITION");
    }
    this.walkDirectives(op.directives, location);
    this.walkSelectionSet(root, op.selectionSet);
    for (const r of this.rules) r.onOperation?.(this, op);
    this.currentOperation = undefined;
  }

  private walkFragment(fragment: FragmentDefinition): void {
    const def = this.type(fragment.typeCondition);
    this.walkDirectives(fragment.directives, "FRAGMENT_DEFINITION");
    this.walkSelectionSet(def, fragment.selectionSet);
    for (const r of this.rules) r.onFragment?.(this, fragment, def);
  }

  private walkDirectives(directives: readonly Directive[], location: string): void {
    for (const dir of directives) {
      const definition = this.schema.directives.get(dir.name);
      for (const arg of dir.arguments) {
        this.walkArgument(
          definition?.arguments.find((a) => a.name === arg.name),
          arg,
        );
      }
      for (const r of this.rules) r.onDirective?.(this, dir, { definition, location });
    }
    for (const r of this.rules) r.onDirectiveList?.(this, directives);
  }

  private walkArgument(def: ArgumentDefinition | undefined, arg: Argument): void {
    if (def === undefined) {
      this.walkValue(arg.value, {});
      return;
    }
    this.walkValue(arg.value, {
      expectedType: def.type,
      definition: this.type(typeName(def.type)),
      hasDefault: def.defaultValue !== undefined && def.defaultValue.kind !== ValueKind.Null,
    });
  }

  private walkValue(value: GqlValue, given: ValueInfo): void {
    this.step();
    let info = given;
    if (value.kind === ValueKind.Variable && this.currentOperation !== undefined) {
      const variable = this.currentOperation.variableDefinitions.find((v) => v.variable === value.raw);
      if (variable !== undefined) this.used.add(variable);
      info = { ...given, variable };
    }
    if (value.kind === ValueKind.Object) {
      for (const child of value.children) {
        const fieldDef = this.fieldOf(info.definition, child.name);
        this.walkValue(
          child.value,
          fieldDef === undefined
            ? {}
            : { expectedType: fieldDef.type, definition: this.type(typeName(fieldDef.type)) },
        );
      }
    }
    if (value.kind === ValueKind.List) {
      const elem = info.expectedType?.elem;
      for (const child of value.children) {
        this.walkValue(
          child.value,
          elem === undefined ? {} : { expectedType: elem, definition: info.definition },
        );
      }
    }
    for (const r of this.rules) r.onValue?.(this, value, info);
  }

  private walkSelectionSet(parent: SchemaType | undefined, set: readonly Selection[]): void {
    if (set.length === 0) return;
    if (this.depth >= MAX_WALK_DEPTH) {
      throw new LimitReached(
        `the query is nested too deeply (more than ${MAX_WALK_DEPTH} levels, counting fragment spreads).`,
        undefined,
      );
    }
    this.depth++;
    for (const sel of set) this.walkSelection(parent, sel);
    this.depth--;
  }

  private walkSelection(parent: SchemaType | undefined, sel: Selection): void {
    this.step();
    switch (sel.kind) {
      case "field": {
        const definition = sel.name === "__typename" ? TYPENAME_FIELD : this.fieldOf(parent, sel.name);
        const info: FieldInfo = { definition, parent };
        this.fields.set(sel, info);
        const next = definition === undefined ? undefined : this.type(typeName(definition.type));
        for (const arg of sel.arguments) {
          this.walkArgument(
            definition?.arguments.find((a) => a.name === arg.name),
            arg,
          );
        }
        this.walkDirectives(sel.directives, "FIELD");
        this.walkSelectionSet(next, sel.selectionSet);
        for (const r of this.rules) r.onField?.(this, sel, info);
        return;
      }
      case "inlineFragment": {
        const next = sel.typeCondition === "" ? parent : this.type(sel.typeCondition);
        this.walkDirectives(sel.directives, "INLINE_FRAGMENT");
        this.walkSelectionSet(next, sel.selectionSet);
        for (const r of this.rules) r.onInlineFragment?.(this, sel, parent);
        return;
      }
      case "fragmentSpread": {
        const def = this.fragments.get(sel.name);
        const next = def === undefined ? undefined : this.type(def.typeCondition);
        this.walkDirectives(sel.directives, "FRAGMENT_SPREAD");
        if (def !== undefined && !this.validatedSpreads.has(def.name)) {
          // Each fragment is walked once per operation, which also ends spread cycles.
          this.validatedSpreads.add(def.name);
          this.walkSelectionSet(next, def.selectionSet);
        }
        for (const r of this.rules) r.onFragmentSpread?.(this, sel, def, parent);
        return;
      }
    }
  }
}
