// Builtins: whole-document JSON operations (`json.filter`, `json.remove`, `json.patch` per
// RFC 6902, `json.match_schema`, `json.verify_schema`).

import { type BuiltinDecl, BuiltinError } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { InvalidSchemaError, checkSchema, validateSchema } from "./json-schema.js";
import { parseJsonText } from "./json-text.js";
import { arg, arrayArg, objectArg, operandOneOfError } from "./operands.js";
import {
  T_ANY,
  T_ARRAY_ANY,
  T_BOOL,
  T_NULL,
  T_OBJECT_ANY,
  T_STR,
  tArray,
  tOneOf,
  tSet,
} from "./type-specs.js";
import { RegoObject, RegoSet, type Value, typeName, valueKey, valuesEqual } from "../value/value.js";

const PATHS = tOneOf(tArray(tOneOf(T_STR, T_ARRAY_ANY)), tSet(tOneOf(T_STR, T_ARRAY_ANY)));
const DOC_OR_TEXT = tOneOf(T_STR, T_OBJECT_ANY);

/** Splits a `/a/b` path (leading slashes optional, `~1` and `~0` escapes) or takes an array of segments. */
function parsePath(p: Value): Value[] | undefined {
  if (typeof p === "string") {
    if (p === "") return [];
    return p
      .replace(/^\/+/, "")
      .split("/")
      .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
  }
  if (Array.isArray(p)) return [...(p as readonly Value[])];
  return undefined;
}

function pathsArg(args: readonly Value[]): Value[][] {
  const v = arg(args, 1);
  const items = Array.isArray(v) ? (v as readonly Value[]) : v instanceof RegoSet ? v.values() : undefined;
  const bad = (got: string) =>
    new BuiltinError(
      "type",
      `operand 2 must be one of {set, array} containing string paths or array of path segments but got ${got}`,
    );
  if (items === undefined) throw operandOneOfError(2, ["set", "array"], typeName(v));
  return items.map((x) => {
    const p = parsePath(x);
    if (p === undefined) throw bad(typeName(x));
    return p;
  });
}

/** A tree of paths: `null` marks a path's end (whole subtree), objects hold deeper segments. */
type PathTree = Map<string, { key: Value; next: PathTree | null }>;

/** A segment's key in a path tree: strings by their text, anything else (a set member, an
 * object key that is a composite) by its canonical value key, so distinct values never collide. */
function segmentKey(v: Value): string {
  return typeof v === "string" ? `s${v}` : `v${valueKey(v)}`;
}

function pathTree(paths: readonly Value[][]): PathTree {
  const root: PathTree = new Map();
  for (const path of paths) {
    if (path.length === 0) continue;
    let node: PathTree | null = root;
    for (let i = 0; i < path.length - 1 && node; i++) {
      const seg = path[i] as Value;
      const child = node.get(segmentKey(seg));
      if (!child) {
        const next: PathTree = new Map();
        node.set(segmentKey(seg), { key: seg, next });
        node = next;
      } else {
        node = child.next;
      }
    }
    const last = path[path.length - 1] as Value;
    if (node) node.set(segmentKey(last), { key: last, next: null });
  }
  return root;
}

function childFilter(tree: PathTree, key: Value): { next: PathTree | null } | undefined {
  return tree.get(segmentKey(key));
}

/** An array element's entry: its index written as a string (`"0"`, as in `/a/0`) or a number. */
function indexFilter(tree: PathTree, i: number): { next: PathTree | null } | undefined {
  return tree.get(segmentKey(String(i))) ?? tree.get(segmentKey(i));
}

function filterValue(v: Value, tree: PathTree | null): Value {
  if (tree === null) return v;
  if (Array.isArray(v)) {
    const out: Value[] = [];
    (v as readonly Value[]).forEach((x, i) => {
      const f = indexFilter(tree, i);
      if (f) out.push(filterValue(x, f.next));
    });
    return out;
  }
  if (v instanceof RegoSet) {
    const out = new RegoSet();
    for (const x of v.unordered()) {
      const f = childFilter(tree, x);
      if (f) out.add(filterValue(x, f.next));
    }
    return out;
  }
  if (v instanceof RegoObject) {
    const out = new RegoObject();
    for (const e of v.unordered()) {
      const f = childFilter(tree, e.key);
      if (f) out.set(e.key, filterValue(e.value, f.next));
    }
    return out;
  }
  return v;
}

function removeValue(v: Value, tree: PathTree | null | undefined): Value | undefined {
  if (tree === undefined) return v;
  if (tree === null) return undefined;
  if (Array.isArray(v)) {
    const out: Value[] = [];
    (v as readonly Value[]).forEach((x, i) => {
      const r = removeValue(x, indexFilter(tree, i)?.next);
      if (r !== undefined) out.push(r);
    });
    return out;
  }
  if (v instanceof RegoSet) {
    const out = new RegoSet();
    for (const x of v.unordered()) {
      const r = removeValue(x, childFilter(tree, x)?.next);
      if (r !== undefined) out.add(r);
    }
    return out;
  }
  if (v instanceof RegoObject) {
    const out = new RegoObject();
    for (const e of v.unordered()) {
      const r = removeValue(e.value, childFilter(tree, e.key)?.next);
      if (r !== undefined) out.set(e.key, r);
    }
    return out;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// JSON Patch

/** Raised inside a patch; the builtin turns it into an undefined result. */
class PatchFailure extends Error {}

function arrayIndex(seg: Value, length: number, allowEnd: boolean): number {
  if (allowEnd && seg === "-") return length;
  let i: number;
  if (typeof seg === "number" && Number.isInteger(seg)) i = seg;
  else if (typeof seg === "string" && /^(0|[1-9]\d*)$/.test(seg)) i = Number(seg);
  else throw new PatchFailure("bad array index");
  if (i < 0 || i > length || (!allowEnd && i === length)) throw new PatchFailure("array index out of range");
  return i;
}

function getAt(doc: Value, path: readonly Value[]): Value {
  let cur = doc;
  for (const seg of path) {
    if (cur instanceof RegoObject) {
      const next = cur.get(seg);
      if (next === undefined) throw new PatchFailure("missing path");
      cur = next;
    } else if (Array.isArray(cur)) {
      cur = (cur as readonly Value[])[arrayIndex(seg, cur.length, false)] as Value;
    } else if (cur instanceof RegoSet) {
      if (!cur.has(seg)) throw new PatchFailure("missing path");
      cur = seg;
    } else {
      throw new PatchFailure("missing path");
    }
  }
  return cur;
}

/** Returns `doc` with `edit` applied to the container at `path`'s parent (copy on write). */
function update(doc: Value, path: readonly Value[], edit: (parent: Value, last: Value) => Value): Value {
  const [head, ...rest] = path;
  if (head === undefined) throw new PatchFailure("empty path");
  if (rest.length === 0) return edit(doc, head);
  if (doc instanceof RegoObject) {
    const child = doc.get(head);
    if (child === undefined) throw new PatchFailure("missing path");
    const out = RegoObject.of([...doc.unordered()].map((e) => [e.key, e.value] as const));
    out.set(head, update(child, rest, edit));
    return out;
  }
  if (Array.isArray(doc)) {
    const i = arrayIndex(head, doc.length, false);
    const out = [...(doc as readonly Value[])];
    out[i] = update(out[i] as Value, rest, edit);
    return out;
  }
  // A set member is reached by the member itself; editing it replaces the member.
  if (doc instanceof RegoSet) {
    if (!doc.has(head)) throw new PatchFailure("missing path");
    const out = RegoSet.of([...doc.unordered()].filter((x) => !valuesEqual(x, head)));
    out.add(update(head, rest, edit));
    return out;
  }
  throw new PatchFailure("missing path");
}

function addAt(doc: Value, path: readonly Value[], value: Value): Value {
  if (path.length === 0) return value;
  return update(doc, path, (parent, last) => {
    if (parent instanceof RegoObject) {
      const out = RegoObject.of([...parent.unordered()].map((e) => [e.key, e.value] as const));
      out.set(last, value);
      return out;
    }
    if (Array.isArray(parent)) {
      const out = [...(parent as readonly Value[])];
      out.splice(arrayIndex(last, out.length, true), 0, value);
      return out;
    }
    if (parent instanceof RegoSet) {
      const out = RegoSet.of(parent.unordered());
      out.add(value);
      return out;
    }
    throw new PatchFailure("add to a scalar");
  });
}

function removeAt(doc: Value, path: readonly Value[]): Value {
  if (path.length === 0) throw new PatchFailure("cannot remove the whole document");
  return update(doc, path, (parent, last) => {
    if (parent instanceof RegoObject) {
      if (!parent.has(last)) throw new PatchFailure("missing path");
      const out = new RegoObject();
      for (const e of parent.unordered()) if (!valuesEqual(e.key, last)) out.set(e.key, e.value);
      return out;
    }
    if (Array.isArray(parent)) {
      const out = [...(parent as readonly Value[])];
      out.splice(arrayIndex(last, out.length, false), 1);
      return out;
    }
    if (parent instanceof RegoSet) {
      if (!parent.has(last)) throw new PatchFailure("missing path");
      return RegoSet.of([...parent.unordered()].filter((x) => !valuesEqual(x, last)));
    }
    throw new PatchFailure("remove from a scalar");
  });
}

function patchPath(op: RegoObject, key: "path" | "from"): Value[] {
  const raw = op.get(key);
  if (raw === undefined) throw new PatchFailure(`missing ${key}`);
  const p = parsePath(raw);
  if (p === undefined) throw new PatchFailure(`bad ${key}`);
  return p;
}

function patchValue(op: RegoObject): Value {
  const v = op.get("value");
  if (v === undefined) throw new PatchFailure("missing value");
  return v;
}

/** The document while patching: `undefined` once the root itself was removed. */
type PatchedDocument = Value | undefined;

function applyOperation(current: PatchedDocument, op: Value): PatchedDocument {
  if (!(op instanceof RegoObject)) throw new PatchFailure("operation is not an object");
  const kind = op.get("op");
  const path = patchPath(op, "path");
  // As in OPA, removing the root leaves no document; only `add` at the root gives one again.
  if (path.length === 0 && kind === "remove") {
    if (current === undefined) throw new PatchFailure("root already removed");
    return undefined;
  }
  if (current === undefined) {
    if (kind === "add" && path.length === 0) return patchValue(op);
    throw new PatchFailure("root removed");
  }
  const doc = current;
  switch (kind) {
    case "add":
      return addAt(doc, path, patchValue(op));
    case "remove":
      return removeAt(doc, path);
    case "replace": {
      const value = patchValue(op);
      if (path.length === 0) return value;
      return addAt(removeAt(doc, path), path, value);
    }
    case "move": {
      const from = patchPath(op, "from");
      const value = getAt(doc, from);
      if (from.length === path.length && from.every((s, i) => valuesEqual(s, path[i] as Value))) return doc;
      return addAt(removeAt(doc, from), path, value);
    }
    case "copy":
      return addAt(doc, path, getAt(doc, patchPath(op, "from")));
    case "test":
      if (!valuesEqual(getAt(doc, path), patchValue(op))) throw new PatchFailure("test failed");
      return doc;
    default:
      throw new PatchFailure("unknown op");
  }
}

// ---------------------------------------------------------------------------------------------
// JSON Schema

function documentArg(v: Value): Value {
  return typeof v === "string" ? parseJsonText(v) : v;
}

function schemaArg(v: Value): Value {
  const schema = documentArg(v);
  checkSchema(schema);
  return schema;
}

/** JSON document builtins. */
export const JSON_DOCUMENT_BUILTINS = defineBuiltins(
  {
    "json.filter": { args: [T_OBJECT_ANY, PATHS], result: T_OBJECT_ANY },
    "json.remove": { args: [T_OBJECT_ANY, PATHS], result: T_OBJECT_ANY },
    "json.patch": {
      args: [
        T_ANY,
        tArray({
          type: "object",
          static: [
            { key: "op", value: T_STR },
            { key: "path", value: T_ANY },
          ],
          dynamic: { key: T_ANY, value: T_ANY },
        }),
      ],
      result: T_ANY,
    },
    "json.match_schema": {
      args: [DOC_OR_TEXT, DOC_OR_TEXT],
      result: {
        type: "array",
        static: [
          T_BOOL,
          tArray({
            type: "object",
            static: [
              { key: "desc", value: T_STR },
              { key: "error", value: T_STR },
              { key: "field", value: T_STR },
              { key: "type", value: T_STR },
            ],
          }),
        ],
      },
    },
    "json.verify_schema": {
      args: [DOC_OR_TEXT],
      result: { type: "array", static: [T_BOOL, tOneOf(T_NULL, T_STR)] },
    },
  } satisfies Record<string, BuiltinDecl>,
  {
    "json.filter": (args) => filterValue(objectArg(args, 0), pathTree(pathsArg(args))),
    "json.remove": (args) => {
      const o = objectArg(args, 0);
      return removeValue(o, pathTree(pathsArg(args)));
    },
    "json.patch": (args) => {
      let doc: PatchedDocument = arg(args, 0);
      try {
        for (const op of arrayArg(args, 1)) doc = applyOperation(doc, op);
      } catch (e) {
        if (e instanceof PatchFailure) return undefined;
        throw e;
      }
      return doc;
    },
    "json.match_schema": (args) => {
      const document = documentArg(arg(args, 0));
      let schema: Value;
      try {
        schema = schemaArg(arg(args, 1));
      } catch (e) {
        if (e instanceof InvalidSchemaError) throw new BuiltinError("builtin", e.message);
        throw e;
      }
      const errors = validateSchema(document, schema).map((e) =>
        RegoObject.fromRecord({ error: e.error, type: e.type, field: e.field, desc: e.desc }),
      );
      return [errors.length === 0, errors];
    },
    "json.verify_schema": (args) => {
      try {
        schemaArg(arg(args, 0));
        return [true, null];
      } catch (e) {
        if (e instanceof InvalidSchemaError || e instanceof BuiltinError)
          return [false, `jsonschema: ${e.message}`];
        throw e;
      }
    },
  },
);
