// Syntax stage, after lexing: finds the METADATA comment blocks of a module and reads each one
// as OPA does (ast.parseAnnotations and its metadataParser): the comment lines below
// `# METADATA` form a YAML document, decoded with go-yaml's typing rules into OPA's annotation
// fields, then each field is checked. The scope stays as written: attaching a block to the
// package or rule that follows it (and defaulting its scope) is done in annotations.ts.
// Policies are untrusted, so a block's size, its nesting and its alias expansion are bounded.

import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Scalar,
  visit,
} from "yaml";
import { parseUri } from "../builtins/go-url.js";
import type { RegoErrorDetail } from "../errors.js";
import { goQuote } from "../value/format-value.js";
import type {
  AnnotationAuthor,
  AnnotationRelatedResource,
  Annotations,
  AnnotationSchema,
  AnnotationValue,
  Comment,
  RefTerm,
  Term,
} from "./ast.js";
import { lex } from "./lexer.js";
import type { Location } from "./location.js";
import { StatementParser } from "./statement-parser.js";

/** The most characters the YAML of one METADATA block may hold. */
export const METADATA_MAX_CHARS = 64 * 1024;
/**
 * The most YAML nodes one block may expand to, aliases included: more than the largest block
 * holds without aliases, so only an alias bomb stops here.
 */
export const METADATA_MAX_NODES = 100_000;
/** The deepest nesting of collections one block may hold. */
export const METADATA_MAX_DEPTH = 100;

/** A METADATA block as read, before it is attached: `scope` is as written ("" when absent). */
export interface MetadataBlock extends Omit<Annotations, "type" | "scope" | "target"> {
  readonly scope: string;
}

/** The METADATA blocks of a module, and the errors (`rego_parse_error`) of those that are wrong. */
export interface MetadataBlocks {
  readonly blocks: readonly MetadataBlock[];
  readonly errors: readonly RegoErrorDetail[];
}

/** Whether a comment opens a METADATA block: `# METADATA` in column 1 (OPA: IsMetadataComment). */
export function isMetadataComment(c: Comment): boolean {
  return c.location.col === 1 && c.text.trim().startsWith("METADATA");
}

/** Reads every METADATA block among a module's comments (in source order). */
export function parseMetadataBlocks(comments: readonly Comment[]): MetadataBlocks {
  const blocks: MetadataBlock[] = [];
  const errors: RegoErrorDetail[] = [];
  for (let i = 0; i < comments.length; i++) {
    const head = comments[i] as Comment;
    if (!isMetadataComment(head)) continue;
    // The block runs over the comments on the following lines, each in column 1, up to the
    // next METADATA comment.
    const lines: Comment[] = [];
    for (let j = i + 1; j < comments.length; j++) {
      const c = comments[j] as Comment;
      const prev = comments[j - 1] as Comment;
      if (c.location.col !== 1 || c.location.row - 1 !== prev.location.row || isMetadataComment(c)) break;
      lines.push(c);
    }
    const read = readBlock(head.location, lines);
    if (read.ok) blocks.push(read.block);
    else errors.push({ code: "rego_parse_error", message: read.message, location: read.location });
  }
  return { blocks, errors };
}

type BlockRead =
  | { readonly ok: true; readonly block: MetadataBlock }
  | { readonly ok: false; readonly message: string; readonly location: Location };

/** OPA's metadataParser.Parse: the YAML of one block, decoded and checked. */
function readBlock(location: Location, lines: readonly Comment[]): BlockRead {
  // Each line loses the one space after `#`, as OPA's metadataParser.Append does.
  let text = "";
  for (const c of lines) {
    text += `${c.text.startsWith(" ") ? c.text.slice(1) : c.text}\n`;
    if (text.length > METADATA_MAX_CHARS) {
      return {
        ok: false,
        message: `METADATA block is too large (over ${METADATA_MAX_CHARS} characters): shorten it or split it into several blocks`,
        location,
      };
    }
  }
  if (text.trim() === "")
    return { ok: false, message: "expected METADATA block, found whitespace", location };

  const decoded = decodeYaml(text);
  if (!decoded.ok) {
    // A YAML error points at the comment line it is on (the block's first line when that is not
    // known). OPA takes go-yaml's line number, which is sometimes the line after.
    const at = decoded.line === undefined ? lines[0] : lines[Math.min(decoded.line, lines.length) - 1];
    return { ok: false, message: withHints(decoded.message, lines), location: at?.location ?? location };
  }
  const checked = checkFields(decoded.raw, decoded.nonStringKeys);
  if (!checked.ok) return { ok: false, message: checked.message, location };
  return { ok: true, block: { ...checked.fields, location } };
}

// ---------------------------------------------------------------------------------------------
// YAML decoding, with go-yaml v3's rules for OPA's rawAnnotation struct

/** The block's fields as go-yaml decodes them into OPA's rawAnnotation (absent lists undefined). */
interface RawAnnotation {
  scope: string;
  title: string;
  description: string;
  entrypoint: boolean;
  organizations: string[] | undefined;
  relatedResources: AnnotationValue[] | undefined;
  authors: AnnotationValue[] | undefined;
  schemas: (ReadonlyMap<string, AnnotationValue> | undefined)[] | undefined;
  custom: ReadonlyMap<string, AnnotationValue> | undefined;
}

type Decoded =
  | { readonly ok: true; readonly raw: RawAnnotation; readonly nonStringKeys: KeyCheckedMaps }
  | { readonly ok: false; readonly message: string; readonly line: number | undefined };

/** A YAML node as the `yaml` package builds it. */
type YamlNode = unknown;

/** Raised to stop decoding at once (a bound was hit, or an alias names no anchor). */
class StopDecoding extends Error {
  constructor(
    message: string,
    readonly line: number | undefined,
  ) {
    super(message);
  }
}

/** Mappings decoded from YAML whose keys were not all strings (go-yaml's map[any]any). */
type KeyCheckedMaps = WeakSet<ReadonlyMap<string, AnnotationValue>>;

/** The 1-based line of each offset of a text. */
function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x0a) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** Decodes one YAML document as go-yaml v3 decodes it into OPA's rawAnnotation struct. */
class YamlDecoder {
  /** go-yaml's type errors ("line N: cannot unmarshal ..."), all of them, as it collects them. */
  readonly typeErrors: string[] = [];
  readonly nonStringKeys: KeyCheckedMaps = new WeakSet();
  private nodes = 0;

  constructor(
    private readonly doc: Document,
    private readonly lineAt: (offset: number) => number,
  ) {}

  private lineOf(node: YamlNode): number {
    const range = (node as { range?: readonly number[] }).range;
    return this.lineAt(range?.[0] ?? 0);
  }

  /** Follows aliases to the node they name, counting every node visited against the bound. */
  private resolve(node: YamlNode, depth: number): YamlNode {
    if (depth > METADATA_MAX_DEPTH) {
      throw new StopDecoding(`yaml: nesting is deeper than ${METADATA_MAX_DEPTH} levels`, this.lineOf(node));
    }
    if (++this.nodes > METADATA_MAX_NODES) {
      throw new StopDecoding(
        `yaml: document contains excessive aliasing (it expands to more than ${METADATA_MAX_NODES} nodes)`,
        this.lineOf(node),
      );
    }
    let n = node;
    for (let hops = 0; isAlias(n); hops++) {
      const target = this.anchored(n);
      if (target === undefined || hops > METADATA_MAX_NODES) {
        throw new StopDecoding(`yaml: unknown anchor '${n.source}' referenced`, this.lineOf(n));
      }
      n = target;
    }
    return n;
  }

  /** Anchored nodes by anchor name, in document order (found in one walk, on first use). */
  private anchors: Map<string, { readonly start: number; readonly node: YamlNode }[]> | undefined;

  /** The node an alias names: the last one anchored with its name before it. */
  private anchored(alias: Alias): YamlNode | undefined {
    if (this.anchors === undefined) {
      const anchors = new Map<string, { start: number; node: YamlNode }[]>();
      visit(this.doc, {
        Node: (_key, node) => {
          if (isNode(node) && !isAlias(node) && node.anchor !== undefined) {
            const list = anchors.get(node.anchor) ?? [];
            list.push({ start: node.range?.[0] ?? 0, node });
            anchors.set(node.anchor, list);
          }
        },
      });
      this.anchors = anchors;
    }
    const list = this.anchors.get(alias.source) ?? [];
    const at = alias.range?.[0] ?? Number.POSITIVE_INFINITY;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid]?.start ?? 0) < at) lo = mid + 1;
      else hi = mid;
    }
    return list[lo - 1]?.node;
  }

  private typeError(node: YamlNode, into: string): void {
    const tag = tagOf(node);
    let value = "";
    if (tag !== "!!seq" && tag !== "!!map") {
      const v = scalarText(node as Scalar);
      value = v.length > 10 ? ` \`${v.slice(0, 7)}...\`` : ` \`${v}\``;
    }
    this.typeErrors.push(`line ${this.lineOf(node)}: cannot unmarshal ${tag}${value} into ${into}`);
  }

  /** A mapping's entries, merge keys (`<<`) expanded: explicit keys win over merged ones. */
  private entries(node: YamlNode, depth: number): [key: YamlNode, value: YamlNode][] {
    if (!isMap(node)) return [];
    const out: [YamlNode, YamlNode][] = [];
    const merged: [YamlNode, YamlNode][] = [];
    for (const pair of node.items) {
      const key = pair.key;
      if (isScalar(key) && key.type === "PLAIN" && key.value === "<<") {
        const v = this.resolve(pair.value, depth + 1);
        const sources = isSeq(v) ? v.items.map((i) => this.resolve(i, depth + 2)) : [v];
        for (const s of sources) {
          if (!isMap(s)) {
            throw new StopDecoding(
              "yaml: map merge requires map or sequence of maps as the value",
              this.lineOf(pair.value),
            );
          }
          merged.push(...this.entries(s, depth + 2));
        }
        continue;
      }
      out.push([key, pair.value]);
    }
    const seen = new Set(out.map(([k]) => this.keyString(k)));
    for (const [k, v] of merged) {
      const name = this.keyString(k);
      if (!seen.has(name)) {
        seen.add(name);
        out.push([k, v]);
      }
    }
    return out;
  }

  /** A mapping key as go-yaml stores it in a string: its text. */
  private keyString(key: YamlNode): string {
    return isScalar(key) ? (key.value === null ? "" : scalarText(key)) : "";
  }

  /** The document into OPA's rawAnnotation struct. */
  rawAnnotation(root: YamlNode): RawAnnotation {
    const raw: RawAnnotation = {
      scope: "",
      title: "",
      description: "",
      entrypoint: false,
      organizations: undefined,
      relatedResources: undefined,
      authors: undefined,
      schemas: undefined,
      custom: undefined,
    };
    if (root === undefined || root === null) return raw;
    const node = this.resolve(root, 0);
    if (isScalar(node) && node.value === null) return raw;
    if (!isMap(node)) {
      this.typeError(node, "ast.rawAnnotation");
      return raw;
    }
    for (const [k, v] of this.entries(node, 0)) {
      switch (this.keyString(k)) {
        case "scope":
          raw.scope = this.string(v, 1);
          break;
        case "title":
          raw.title = this.string(v, 1);
          break;
        case "description":
          raw.description = this.string(v, 1);
          break;
        case "entrypoint":
          raw.entrypoint = this.bool(v, 1);
          break;
        case "organizations":
          raw.organizations = this.stringList(v, 1);
          break;
        case "related_resources":
          raw.relatedResources = this.anyList(v, 1);
          break;
        case "authors":
          raw.authors = this.anyList(v, 1);
          break;
        case "schemas":
          raw.schemas = this.mapList(v, 1);
          break;
        case "custom":
          raw.custom = this.stringMap(v, 1, "map[string]interface {}");
          break;
        default:
          // Not read: OPA's `compile` (partial evaluation settings, which rego.metadata does
          // not return) and unknown keys, which go-yaml skips.
          break;
      }
    }
    return raw;
  }

  private string(n: YamlNode, depth: number): string {
    const node = this.resolve(n, depth);
    if (node === null || node === undefined) return "";
    if (isScalar(node)) return node.value === null ? "" : scalarText(node);
    this.typeError(node, "string");
    return "";
  }

  private bool(n: YamlNode, depth: number): boolean {
    const node = this.resolve(n, depth);
    if (node === null || node === undefined) return false;
    if (isScalar(node)) {
      const v = node.value;
      if (v === null) return false;
      if (typeof v === "boolean") return v;
      // go-yaml's YAML 1.1 compatibility for typed bools.
      if (typeof v === "string") {
        if (["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"].includes(v)) return true;
        if (["n", "N", "no", "No", "NO", "off", "Off", "OFF"].includes(v)) return false;
      }
    }
    this.typeError(node, "bool");
    return false;
  }

  private stringList(n: YamlNode, depth: number): string[] | undefined {
    const node = this.resolve(n, depth);
    if (isNull(node)) return undefined;
    if (!isSeq(node)) {
      this.typeError(node, "[]string");
      return undefined;
    }
    return node.items.map((i) => this.string(i, depth + 1));
  }

  private anyList(n: YamlNode, depth: number): AnnotationValue[] | undefined {
    const node = this.resolve(n, depth);
    if (isNull(node)) return undefined;
    if (!isSeq(node)) {
      this.typeError(node, "[]interface {}");
      return undefined;
    }
    return node.items.map((i) => this.any(i, depth + 1));
  }

  private mapList(
    n: YamlNode,
    depth: number,
  ): (ReadonlyMap<string, AnnotationValue> | undefined)[] | undefined {
    const node = this.resolve(n, depth);
    if (isNull(node)) return undefined;
    if (!isSeq(node)) {
      this.typeError(node, "[]map[string]interface {}");
      return undefined;
    }
    return node.items.map((i) => this.stringMap(i, depth + 1, "map[string]interface {}"));
  }

  /** A mapping into Go's map[string]any: every key becomes its text. */
  private stringMap(
    n: YamlNode,
    depth: number,
    into: string,
  ): ReadonlyMap<string, AnnotationValue> | undefined {
    const node = this.resolve(n, depth);
    if (isNull(node)) return undefined;
    if (!isMap(node)) {
      this.typeError(node, into);
      return undefined;
    }
    const out = new Map<string, AnnotationValue>();
    for (const [k, v] of this.entries(node, depth))
      out.set(this.keyString(this.resolve(k, depth + 1)), this.any(v, depth + 1));
    return out;
  }

  /** Any node into Go's interface{}: scalars typed by YAML's core schema. */
  private any(n: YamlNode, depth: number): AnnotationValue {
    const node = this.resolve(n, depth);
    if (isNull(node)) return null;
    if (isSeq(node)) return node.items.map((i) => this.any(i, depth + 1));
    if (isMap(node)) {
      const out = new Map<string, AnnotationValue>();
      let stringKeys = true;
      for (const [k, v] of this.entries(node, depth)) {
        const key = this.resolve(k, depth + 1);
        if (!isScalar(key) || typeof key.value !== "string") stringKeys = false;
        out.set(this.keyString(key), this.any(v, depth + 1));
      }
      if (!stringKeys) this.nonStringKeys.add(out);
      return out;
    }
    if (isScalar(node)) return scalarValue(node);
    return null;
  }
}

function isNull(node: YamlNode): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** A scalar's value as go-yaml resolves it for interface{} (integers past 64 bits become floats). */
function scalarValue(node: Scalar): AnnotationValue {
  const v = node.value;
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return v >= INT64_MIN && v <= UINT64_MAX ? v : Number(v);
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "string") return v;
  return scalarText(node);
}

/** A scalar's text, as go-yaml keeps it in Node.Value: the source of a plain scalar. */
function scalarText(node: Scalar): string {
  const v = node.value;
  if (typeof v === "string") return v;
  if (typeof node.source === "string") return node.source;
  return String(v);
}

/** go-yaml's short tag of a node. */
function tagOf(node: YamlNode): string {
  if (isMap(node)) return "!!map";
  if (isSeq(node)) return "!!seq";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || v === undefined) return "!!null";
    if (typeof v === "boolean") return "!!bool";
    if (typeof v === "bigint") return "!!int";
    // Integers are read as bigint: a number is a float.
    if (typeof v === "number") return "!!float";
    return "!!str";
  }
  return "!!str";
}

/** Parses a block's YAML and decodes it, or says what is wrong (and on which line, if known). */
function decodeYaml(text: string): Decoded {
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, { intAsBigInt: true, uniqueKeys: true, prettyErrors: false });
  } catch (e) {
    // The yaml package recurses over nesting: a pathological block can exhaust the stack.
    return { ok: false, message: `yaml: ${e instanceof Error ? e.message : String(e)}`, line: undefined };
  }
  const lineAt = lineIndex(text);
  // Like go-yaml's Unmarshal, only the first document is read; none (only comments) is empty.
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (doc === undefined) {
    const empty = new YamlDecoder({} as Document, lineAt);
    return { ok: true, raw: empty.rawAnnotation(null), nonStringKeys: empty.nonStringKeys };
  }
  const err = doc.errors[0];
  if (err) {
    const line = lineAt(err.pos[0]);
    return { ok: false, message: `yaml: line ${line}: ${err.message.split("\n")[0] ?? ""}`, line };
  }
  const decoder = new YamlDecoder(doc, lineAt);
  let raw: RawAnnotation;
  try {
    raw = decoder.rawAnnotation(doc.contents);
  } catch (e) {
    if (e instanceof StopDecoding) return { ok: false, message: e.message, line: e.line };
    if (e instanceof RangeError) return { ok: false, message: `yaml: ${e.message}`, line: undefined };
    throw e;
  }
  if (decoder.typeErrors.length > 0) {
    const first = /^line (\d+):/.exec(decoder.typeErrors[0] ?? "");
    return {
      ok: false,
      message: `yaml: unmarshal errors:\n  ${decoder.typeErrors.join("\n  ")}`,
      line: first ? Number(first[1]) : undefined,
    };
  }
  return { ok: true, raw, nonStringKeys: decoder.nonStringKeys };
}

/**
 * OPA's hint for a YAML error: a `:` followed by something other than a space or a tab on a
 * line (as in `title:x`) is not a key/value separator.
 */
function withHints(message: string, lines: readonly Comment[]): string {
  let out = message;
  for (const c of lines) {
    if (!c.text.includes(":")) continue;
    const parts = c.text.split(":").slice(1);
    const invalid: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      if (part === "" && i === parts.length - 1) break;
      const cp = part.codePointAt(0) ?? 0xfffd;
      if (cp === 0x20 || cp === 0x09) break;
      invalid.push(goQuoteRune(cp));
    }
    if (invalid.length > 0) {
      out += `\n  Hint: on line ${c.location.row}, symbol(s) [${invalid.join(" ")}] immediately following a key/value separator ':' is not a legal yaml space character`;
    }
  }
  return out;
}

/** Go's `%+q` of a rune: single-quoted, ASCII only. */
function goQuoteRune(cp: number): string {
  const named: Record<number, string> = {
    7: "\\a",
    8: "\\b",
    9: "\\t",
    10: "\\n",
    11: "\\v",
    12: "\\f",
    13: "\\r",
  };
  if (cp === 0x27) return "'\\''";
  if (cp === 0x5c) return "'\\\\'";
  const esc = named[cp];
  if (esc !== undefined) return `'${esc}'`;
  if (cp >= 0x20 && cp < 0x7f) return `'${String.fromCodePoint(cp)}'`;
  if (cp < 0x10000) return `'\\u${cp.toString(16).padStart(4, "0")}'`;
  return `'\\U${cp.toString(16).padStart(8, "0")}'`;
}

// ---------------------------------------------------------------------------------------------
// Field checks (OPA: parseRelatedResource, parseAuthor, the schemas loop, custom)

type FieldsChecked =
  | { readonly ok: true; readonly fields: Omit<MetadataBlock, "location"> }
  | { readonly ok: false; readonly message: string };

/** Raised by a field check with OPA's message. */
class FieldError extends Error {}

function checkFields(raw: RawAnnotation, keyed: KeyCheckedMaps): FieldsChecked {
  try {
    const relatedResources = (raw.relatedResources ?? []).map((v) => {
      try {
        return relatedResource(v, keyed);
      } catch (e) {
        if (e instanceof FieldError)
          throw new FieldError(`invalid related-resource definition ${goFormat(v)}: ${e.message}`);
        throw e;
      }
    });
    const schemas = (raw.schemas ?? []).map((pair) => schema(pair, keyed));
    const authors = (raw.authors ?? []).map((v) => {
      try {
        return author(v, keyed);
      } catch (e) {
        if (e instanceof FieldError)
          throw new FieldError(`invalid author definition ${goFormat(v)}: ${e.message}`);
        throw e;
      }
    });
    if (raw.custom) for (const v of raw.custom.values()) checkKeys(v, keyed, []);
    return {
      ok: true,
      fields: {
        scope: raw.scope,
        title: raw.title,
        description: raw.description,
        entrypoint: raw.entrypoint,
        organizations: raw.organizations ?? [],
        relatedResources,
        authors,
        schemas,
        custom: raw.custom,
      },
    };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, message: e.message };
    throw e;
  }
}

/** OPA's convertYAMLMapKeyTypes check: every mapping key is a string. */
function checkKeys(v: AnnotationValue, keyed: KeyCheckedMaps, path: readonly string[]): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      checkKeys(x, keyed, [...path, String(i)]);
    });
  } else if (v instanceof Map) {
    if (keyed.has(v)) throw new FieldError(`invalid map key type(s): ${path.join("/")}`);
    for (const [k, x] of v) checkKeys(x, keyed, [...path, k]);
  }
}

function safeString(m: ReadonlyMap<string, AnnotationValue>, key: string): string {
  const v = m.get(key);
  return typeof v === "string" ? v : "";
}

function relatedResource(v: AnnotationValue, keyed: KeyCheckedMaps): AnnotationRelatedResource {
  checkKeys(v, keyed, []);
  if (typeof v === "string") {
    if (v === "") throw new FieldError("ref URL may not be empty string");
    return { ref: goUrl(v), description: "" };
  }
  if (v instanceof Map) {
    const description = safeString(v, "description").trim();
    const ref = safeString(v, "ref").trim();
    if (ref === "") throw new FieldError("'ref' value required in object");
    return { ref: goUrl(ref), description };
  }
  throw new FieldError("invalid value type, must be string or map");
}

/**
 * A URL checked with Go's url.Parse (the port `uri.parse` uses) and printed back as Go's
 * URL.String does for it: the scheme lower-cased, the rest as written.
 */
function goUrl(s: string): string {
  let scheme: string | undefined;
  try {
    const parts = parseUri(s);
    const sch = parts.get("scheme");
    scheme = typeof sch === "string" ? sch : undefined;
  } catch (e) {
    throw new FieldError(e instanceof Error ? e.message : String(e));
  }
  return scheme === undefined ? s : scheme + s.slice(scheme.length);
}

function author(v: AnnotationValue, keyed: KeyCheckedMaps): AnnotationAuthor {
  checkKeys(v, keyed, []);
  if (typeof v === "string") {
    const words = v.split(/\s+/).filter((w) => w !== "");
    if (words.length === 0) throw new FieldError("author is an empty string");
    const last = words[words.length - 1] as string;
    let email = "";
    if (last.length >= 2 && last.startsWith("<") && last.endsWith(">")) {
      email = last.slice(1, -1);
      words.pop();
    }
    return { name: words.join(" "), email };
  }
  if (v instanceof Map) {
    const name = safeString(v, "name").trim();
    const email = safeString(v, "email").trim();
    if (name === "" && email === "") throw new FieldError("'name' and/or 'email' values required in object");
    return { name, email };
  }
  throw new FieldError("invalid value type, must be string or map");
}

function schema(
  pair: ReadonlyMap<string, AnnotationValue> | undefined,
  keyed: KeyCheckedMaps,
): AnnotationSchema {
  // OPA reads one key of each entry (entries hold one).
  const first = pair?.entries().next();
  const [key, value] = first && !first.done ? first.value : ["", null];
  const path = documentRef(key);
  if (path === undefined) throw new FieldError("invalid document reference");
  if (typeof value === "string") {
    const ref = schemaRef(value);
    if (ref === undefined) throw new FieldError("invalid schema reference");
    return { path, schema: ref, definition: undefined };
  }
  if (value instanceof Map && !keyed.has(value)) {
    try {
      checkKeys(value, keyed, []);
    } catch (e) {
      if (e instanceof FieldError) throw new FieldError(`invalid schema definition: ${e.message}`);
      throw e;
    }
    return { path, schema: undefined, definition: value };
  }
  throw new FieldError(`invalid schema declaration for path ${goQuote(key)}`);
}

/** One Rego term written as text (OPA: ParseTerm), or undefined when the text is not one term. */
function termOf(text: string): Term | undefined {
  const { tokens } = lex("schema", text);
  const parsed = new StatementParser(tokens, 1).parse("query");
  if (parsed.errors.length > 0 || parsed.statements.length !== 1) return undefined;
  const stmt = parsed.statements[0];
  if (stmt?.type !== "body" || stmt.body.length !== 1) return undefined;
  const expr = stmt.body[0];
  if (expr === undefined || expr.negated || expr.with.length > 0 || expr.kind.type !== "term")
    return undefined;
  return expr.kind.term;
}

/** OPA's ParseRef: a reference (bare `input` and `data` are references too). */
function documentRef(text: string): RefTerm | undefined {
  const t = termOf(text);
  if (t === undefined) return undefined;
  if (t.type === "ref" && t.head.type === "var") return t;
  if (t.type === "var" && (t.name === "input" || t.name === "data")) {
    return { type: "ref", head: t, path: [], location: t.location };
  }
  return undefined;
}

/** OPA's ParseSchemaRef: `schema` or a reference below it. */
function schemaRef(text: string): RefTerm | undefined {
  const t = termOf(text);
  if (t?.type === "var" && t.name === "schema")
    return { type: "ref", head: t, path: [], location: t.location };
  if (t?.type === "ref" && t.head.type === "var" && t.head.name === "schema") return t;
  return undefined;
}

/** Go's `%s` of a decoded YAML value, as OPA's error messages print one. */
function goFormat(v: AnnotationValue): string {
  if (v === null) return "%!s(<nil>)";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return `%!s(bool=${v})`;
  if (typeof v === "bigint") return `%!s(int=${v})`;
  if (typeof v === "number") return `%!s(float64=${v})`;
  if (Array.isArray(v)) return `[${v.map(goFormat).join(" ")}]`;
  const m = v as ReadonlyMap<string, AnnotationValue>;
  const keys = [...m.keys()].sort();
  return `map[${keys.map((k) => `${k}:${goFormat(m.get(k) as AnnotationValue)}`).join(" ")}]`;
}
