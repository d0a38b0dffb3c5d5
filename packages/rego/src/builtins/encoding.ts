// Builtins: encodings (`base64.*`, `base64url.*`, `hex.*`, `json.*` text, `yaml.*`, `urlquery.*`).

import { isMap, isScalar, isSeq, parseAllDocuments, stringify } from "yaml";
import { type BuiltinDecl, BuiltinError } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { isValidJsonText, marshalJson, parseJsonText } from "./json-text.js";
import { arg, fromBigInt, normalizeNumber, objectArg, stringArg } from "./operands.js";
import { T_ANY, T_BOOL, T_STR, tArray, tObject, tOneOf, tSet } from "./type-specs.js";
import { BigNumber } from "../value/big-number.js";
import { toJson } from "../value/json.js";
import { RegoObject, RegoSet, type Value, typeName } from "../value/value.js";

const STR1: BuiltinDecl = { args: [T_STR], result: T_STR };
const IS_VALID: BuiltinDecl = { args: [T_STR], result: T_BOOL };
const UTF8 = new TextEncoder();
const UTF8_OUT = new TextDecoder();

const STD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Decodes padded base64 as strictly as Go's base64.Encoding.DecodeString, with its error text. */
function decodeBase64(input: string, alphabet: string): Uint8Array {
  const s = input.replace(/[\r\n]/g, "");
  const bytes: number[] = [];
  let bits = 0;
  let acc = 0;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "=") break;
    const v = alphabet.indexOf(c);
    if (v < 0) throw new BuiltinError("builtin", `illegal base64 data at input byte ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((acc >> bits) & 0xff);
    }
  }
  const dataChars = i;
  const padding = s.length - dataChars;
  const rem = dataChars % 4;
  const wantPad = rem === 0 ? 0 : 4 - rem;
  if (rem === 1 || padding !== wantPad || !/^=*$/.test(s.slice(dataChars))) {
    const at = rem === 1 ? dataChars - 1 : padding > wantPad ? dataChars + wantPad : s.length;
    throw new BuiltinError("builtin", `illegal base64 data at input byte ${Math.max(at, 0)}`);
  }
  return Uint8Array.from(bytes);
}

function encodeBase64(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(bytes.length - i, 3) + 1;
    for (let j = 0; j < 4; j++) {
      if (j < chars) out += alphabet[(n >> (18 - 6 * j)) & 63];
      else if (pad) out += "=";
    }
  }
  return out;
}

function hexDecode(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i + 1 < s.length; i += 2) {
    for (const ch of [s[i] as string, s[i + 1] as string]) {
      if (!/[0-9a-fA-F]/.test(ch)) {
        const cp = ch.codePointAt(0) ?? 0;
        const name = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
        throw new BuiltinError("builtin", `encoding/hex: invalid byte: ${name} '${ch}'`);
      }
    }
    out.push(Number.parseInt(s.slice(i, i + 2), 16));
  }
  if (s.length % 2 === 1) {
    const last = s[s.length - 1] as string;
    if (!/[0-9a-fA-F]/.test(last)) {
      const cp = last.codePointAt(0) ?? 0;
      throw new BuiltinError(
        "builtin",
        `encoding/hex: invalid byte: U+${cp.toString(16).toUpperCase().padStart(4, "0")} '${last}'`,
      );
    }
    throw new BuiltinError("builtin", "encoding/hex: odd length hex string");
  }
  return Uint8Array.from(out);
}

/** Go's url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of UTF8.encode(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Go's url.QueryUnescape, with its error for a bad escape. */
export function queryUnescape(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "%") {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
        throw new BuiltinError("builtin", `invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      }
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (c === "+") {
      bytes.push(0x20);
    } else {
      bytes.push(...UTF8.encode(c));
    }
  }
  return UTF8_OUT.decode(Uint8Array.from(bytes));
}

/** Converts a node tree from the `yaml` package to a value, numbers exact where YAML wrote them so. */
function fromYaml(node: unknown): Value {
  if (isMap(node)) {
    const o = new RegoObject();
    for (const pair of node.items) {
      const k = fromYaml(pair.key);
      o.set(typeof k === "string" ? k : marshalJson(k), fromYaml(pair.value));
    }
    return o;
  }
  if (isSeq(node)) return node.items.map(fromYaml);
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || v === undefined) return null;
    if (typeof v === "bigint") return fromBigInt(v);
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new BuiltinError("builtin", `yaml: cannot represent ${v} as a number`);
      const src = node.source;
      if (typeof src === "string") {
        const exact = BigNumber.parse(src.replace(/^\+/, ""));
        if (exact) return normalizeNumber(exact);
      }
      return v;
    }
    if (typeof v === "string" || typeof v === "boolean") return v;
    return String(v);
  }
  return null;
}

function parseYaml(text: string): Value {
  // Like go-yaml, only the first document of a multi-document stream is read.
  const docs = parseAllDocuments(text, { intAsBigInt: true, uniqueKeys: false, version: "1.1", merge: true });
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (doc === undefined) return null;
  const err = doc.errors[0];
  if (err) throw new BuiltinError("builtin", `yaml: ${err.message.split("\n")[0] ?? ""}`);
  return fromYaml(doc.contents);
}

function marshalOptions(opts: RegoObject): { pretty: boolean; prefix: string; indent: string } {
  let pretty: boolean | undefined;
  let prefix = "";
  let indent = "\t";
  let implicit = false;
  opts.entries().forEach(({ key, value }, idx) => {
    if (typeof key !== "string") {
      throw new BuiltinError("type", `operand 2 failed to stringify key ${marshalJson(key)} at index ${idx}`);
    }
    const quoted = JSON.stringify(key);
    if (key === "pretty") {
      if (typeof value !== "boolean")
        throw new BuiltinError("type", `operand 2 key ${quoted} failed cast to bool`);
      pretty = value;
    } else if (key === "prefix" || key === "indent") {
      if (typeof value !== "string") {
        const got = `operand ${idx} must be string but got ${typeName(value)}`;
        throw new BuiltinError("type", `operand 2 key ${quoted} failed cast to string: ${got}`);
      }
      if (key === "prefix") prefix = value;
      else indent = value;
      implicit = true;
    } else {
      throw new BuiltinError("type", `operand 2 object contained unknown key ${quoted}`);
    }
  });
  return { pretty: pretty ?? implicit, prefix, indent };
}

const ENCODE_OBJECT_ERROR = "operand 1 values must be string, array[string], or set[string]";

function queryValues(v: Value): string[] {
  if (typeof v === "string") return [v];
  const items = Array.isArray(v) ? (v as readonly Value[]) : v instanceof RegoSet ? v.values() : undefined;
  if (items === undefined) throw new BuiltinError("type", ENCODE_OBJECT_ERROR);
  return items.map((x) => {
    if (typeof x !== "string") throw new BuiltinError("type", ENCODE_OBJECT_ERROR);
    return x;
  });
}

/** Encoding builtins. */
export const ENCODING_BUILTINS = defineBuiltins(
  {
    "base64.encode": STR1,
    "base64.decode": STR1,
    "base64.is_valid": IS_VALID,
    "base64url.encode": STR1,
    "base64url.encode_no_pad": STR1,
    "base64url.decode": STR1,
    "hex.encode": STR1,
    "hex.decode": STR1,
    "json.marshal": { args: [T_ANY], result: T_STR },
    "json.marshal_with_options": {
      args: [
        T_ANY,
        {
          type: "object",
          static: [
            { key: "indent", value: T_STR },
            { key: "prefix", value: T_STR },
            { key: "pretty", value: T_BOOL },
          ],
          dynamic: { key: T_STR, value: T_ANY },
        },
      ],
      result: T_STR,
    },
    "json.unmarshal": { args: [T_STR], result: T_ANY },
    "json.is_valid": IS_VALID,
    "yaml.marshal": { args: [T_ANY], result: T_STR },
    "yaml.unmarshal": { args: [T_STR], result: T_ANY },
    "yaml.is_valid": IS_VALID,
    "urlquery.encode": STR1,
    "urlquery.decode": STR1,
    "urlquery.encode_object": {
      args: [tObject(T_STR, tOneOf(T_STR, tArray(T_STR), tSet(T_STR)))],
      result: T_STR,
    },
    "urlquery.decode_object": { args: [T_STR], result: tObject(T_STR, tArray(T_STR)) },
  } satisfies Record<string, BuiltinDecl>,
  {
    "base64.encode": (args) => encodeBase64(UTF8.encode(stringArg(args, 0)), STD_ALPHABET, true),
    "base64.decode": (args) => UTF8_OUT.decode(decodeBase64(stringArg(args, 0), STD_ALPHABET)),
    "base64.is_valid": (args) => {
      try {
        decodeBase64(stringArg(args, 0), STD_ALPHABET);
        return true;
      } catch (e) {
        if (e instanceof BuiltinError && e.kind === "builtin") return false;
        throw e;
      }
    },
    "base64url.encode": (args) => encodeBase64(UTF8.encode(stringArg(args, 0)), URL_ALPHABET, true),
    "base64url.encode_no_pad": (args) => encodeBase64(UTF8.encode(stringArg(args, 0)), URL_ALPHABET, false),
    "base64url.decode": (args) => {
      let s = stringArg(args, 0);
      if (!s.endsWith("=")) {
        const rem = s.length % 4;
        if (rem === 1) throw new BuiltinError("builtin", `illegal base64url string: ${s}`);
        if (rem === 2) s += "==";
        if (rem === 3) s += "=";
      }
      return UTF8_OUT.decode(decodeBase64(s, URL_ALPHABET));
    },
    "hex.encode": (args) =>
      [...UTF8.encode(stringArg(args, 0))].map((b) => b.toString(16).padStart(2, "0")).join(""),
    "hex.decode": (args) => UTF8_OUT.decode(hexDecode(stringArg(args, 0))),
    "json.marshal": (args) => marshalJson(arg(args, 0)),
    "json.marshal_with_options": (args) => {
      const { pretty, prefix, indent } = marshalOptions(objectArg(args, 1));
      if (!pretty) return marshalJson(arg(args, 0));
      return prefix + marshalJson(arg(args, 0), { prefix, indent });
    },
    "json.unmarshal": (args) => parseJsonText(stringArg(args, 0)),
    "json.is_valid": (args) => {
      const v = arg(args, 0);
      return typeof v === "string" && isValidJsonText(v);
    },
    "yaml.marshal": (args) =>
      stringify(toJson(arg(args, 0)), { indentSeq: false, sortMapEntries: true, version: "1.1" }),
    "yaml.unmarshal": (args) => parseYaml(stringArg(args, 0)),
    "yaml.is_valid": (args) => {
      const v = arg(args, 0);
      if (typeof v !== "string") return false;
      try {
        parseYaml(v);
        return true;
      } catch (e) {
        if (e instanceof BuiltinError) return false;
        throw e;
      }
    },
    "urlquery.encode": (args) => queryEscape(stringArg(args, 0)),
    "urlquery.decode": (args) => queryUnescape(stringArg(args, 0)),
    "urlquery.encode_object": (args) => {
      const parts: string[] = [];
      for (const { key, value } of objectArg(args, 0).entries()) {
        const k = typeof key === "string" ? key : marshalJson(key);
        for (const v of queryValues(value)) parts.push(`${queryEscape(k)}=${queryEscape(v)}`);
      }
      return parts.join("&");
    },
    "urlquery.decode_object": (args) => {
      const out = new Map<string, string[]>();
      for (const part of stringArg(args, 0).split(/&/)) {
        if (part === "") continue;
        if (part.includes(";")) throw new BuiltinError("builtin", "invalid semicolon separator in query");
        const eq = part.indexOf("=");
        const k = queryUnescape(eq < 0 ? part : part.slice(0, eq));
        const v = eq < 0 ? "" : queryUnescape(part.slice(eq + 1));
        const list = out.get(k) ?? [];
        list.push(v);
        out.set(k, list);
      }
      return RegoObject.of([...out.entries()]);
    },
  },
);
