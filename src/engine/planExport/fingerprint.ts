// The schema fingerprint: what an exported plan must have been planned against to be reused. A hash of the
// schema's text (SchemaText), of every plan resolver's and named function's source text;
// a plan from any other schema is planned again. Computed once per schema (counted in fingerprintsComputed).

import * as crypto from "node:crypto";
import * as zlib from "node:zlib";
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isListType,
  isObjectType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLDirective,
  type GraphQLNamedType,
  type GraphQLInputField,
  type GraphQLSchema,
  type GraphQLType,
} from "graphql";
import type { GraphscaleFieldExtensions, GraphscaleTypeExtensions } from "../planning/planResolver.js";
import { schemaFunctions } from "../stepRegistry.js";
import { defaultValueOf, hasDefaultValue } from "../planning/graphqlAdapter.js";

const fingerprints = new WeakMap<GraphQLSchema, string>();

/** Fingerprints computed in this process (each schema's once): what tests count. */
export const fingerprintStats = { computed: 0 };

/** Node's one-shot hash where it has one (20.12 and later): no Hash object per call. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;

export function sha256(text: string): string {
  return oneShot !== undefined ? oneShot("sha256", text, "hex") : crypto.createHash("sha256").update(text).digest("hex");
}

/** Node's CRC-32 (20.15 and later); before, the same sum in JavaScript over the text's UTF-8 bytes. */
const nativeCrc32 = (zlib as { crc32?: (data: string) => number }).crc32;
let crcTable: Uint32Array | undefined;

function crc32Of(bytes: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * spec: PlanChecksum — the CRC-32 (as zlib and gzip compute it) of a text's UTF-8 bytes, as 8 hex digits: what
 * a plan's header holds of its body. It finds a body cut short or corrupted on its way (every burst of up to
 * 32 bits, all but about one in 2^32 of other corruptions) at a third of a SHA-256's cost; neither is a
 * signature (a writer recomputes either).
 */
export function planChecksum(text: string): string {
  return nativeCrc32 !== undefined ? hex8(nativeCrc32(text)) : crc32InJavaScript(text);
}

const utf8 = new TextEncoder();

/** The CRC-32 of a text's UTF-8 bytes computed in JavaScript: planChecksum's before zlib.crc32 (a test holds the two equal). */
export function crc32InJavaScript(text: string): string {
  return hex8(crc32Of(utf8.encode(text)));
}

function hex8(sum: number): string {
  return sum.toString(16).padStart(8, "0");
}

/** Source digests per function object: graphql-js's own (introspection resolvers, scalar functions) recur in every schema. */
const digests = new WeakMap<Function, string>();

/**
 * A named function's source text as its SHA-256, kept per function object for the process: what the
 * fingerprint hashes for it (SchemaFingerprint). The functions every schema holds (introspection's resolvers, the
 * specified scalars' functions, several kilobytes of source) are hashed once per process, not once per schema.
 */
function sourceDigest(fn: Function): string {
  let digest = digests.get(fn);
  if (digest === undefined) digests.set(fn, (digest = sha256(String(fn))));
  return digest;
}

/**
 * spec: SchemaFingerprint — SchemaText, plan resolvers (by field, by source text), named functions (by
 * name and the SHA-256 of their source text), hashed. Source text stands for a function's identity across
 * processes: two processes running the same code agree; any edit to a plan resolver changes it.
 */
export function schemaFingerprint(schema: GraphQLSchema): string {
  let known = fingerprints.get(schema);
  if (known !== undefined) return known;
  fingerprintStats.computed++;
  const parts: string[] = [schemaText(schema)];
  const typeMap = schema.getTypeMap();
  for (const typeName of Object.keys(typeMap).sort()) {
    const type = typeMap[typeName]!;
    if (isInterfaceType(type) || isUnionType(type)) {
      const planType = (type.extensions?.graphscale as GraphscaleTypeExtensions | undefined)?.planType;
      if (planType) parts.push(`${typeName}.__planType=${String(planType)}`);
    }
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    const fields = type.getFields();
    for (const fieldName of Object.keys(fields)) {
      const ext = fields[fieldName]!.extensions?.graphscale as GraphscaleFieldExtensions | undefined;
      if (ext?.plan) parts.push(`${typeName}.${fieldName}.plan=${String(ext.plan)}`);
      if (ext?.subscribePlan) parts.push(`${typeName}.${fieldName}.subscribePlan=${String(ext.subscribePlan)}`);
    }
  }
  for (const [name, fn] of schemaFunctions(schema).byName) parts.push(`fn ${name}=${sourceDigest(fn)}`);
  known = sha256(parts.join("\n"));
  fingerprints.set(schema, known);
  return known;
}

/**
 * spec: SchemaText — every named type (sorted by name) with what planning and execution read of it: kind,
 * fields with their arguments, types and defaults, interfaces, union members, enum values, input fields; then
 * every directive with its arguments, locations and repeatability. A plain walk (no printer, no AST made for
 * default values): `printSchema` was most of a fresh process's first import. Descriptions are left out, as
 * no plan reads them.
 */
export function schemaText(schema: GraphQLSchema): string {
  const typeMap = schema.getTypeMap();
  let text = `schema ${schema.getQueryType()?.name ?? ""} ${schema.getMutationType()?.name ?? ""} ${schema.getSubscriptionType()?.name ?? ""}\n`;
  for (const name of Object.keys(typeMap).sort()) text += typeLine(typeMap[name]!);
  for (const directive of schema.getDirectives()) {
    let line = directiveLines.get(directive);
    if (line === undefined) {
      line = "directive @" + directive.name + argsText(directive.args) + (directive.isRepeatable ? " repeatable" : "") + " on " + directive.locations.join("|") + "\n";
      directiveLines.set(directive, line);
    }
    text += line;
  }
  return text;
}

/**
 * A named type's line of SchemaText, kept per type object: the introspection types, the specified scalars
 * and directives are the same objects in every schema of the process, so their text is written once.
 */
const typeLines = new WeakMap<GraphQLNamedType, string>();
const directiveLines = new WeakMap<GraphQLDirective, string>();

function typeLine(type: GraphQLNamedType): string {
  let line = typeLines.get(type);
  if (line === undefined) typeLines.set(type, (line = namedTypeText(type)));
  return line;
}

function namedTypeText(type: GraphQLNamedType): string {
  const name = type.name;
  if (isObjectType(type) || isInterfaceType(type)) {
    let text = (isObjectType(type) ? "type " : "interface ") + name;
    for (const i of type.getInterfaces()) text += " &" + i.name;
    text += "{";
    const fields = type.getFields();
    for (const fieldName of Object.keys(fields)) {
      const field = fields[fieldName]!;
      text += fieldName + argsText(field.args) + ":" + typeText(field.type) + deprecationText(field.deprecationReason) + ";";
    }
    return text + "}\n";
  }
  if (isUnionType(type)) return "union " + name + "=" + type.getTypes().map((t) => t.name).join("|") + "\n";
  if (isEnumType(type)) return "enum " + name + "{" + type.getValues().map((v) => v.name + deprecationText(v.deprecationReason)).join(" ") + "}\n";
  if (isInputObjectType(type)) return "input " + name + "{" + Object.values(type.getFields()).map(inputText).join(";") + "}\n";
  return "scalar " + name + ((type as { specifiedByURL?: string | null }).specifiedByURL ? "@" + String((type as { specifiedByURL?: string | null }).specifiedByURL) : "") + "\n";
}

function argsText(args: readonly GraphQLArgument[]): string {
  return args.length === 0 ? "" : "(" + args.map(inputText).join(",") + ")";
}

function inputText(input: GraphQLArgument | GraphQLInputField): string {
  // 16's `defaultValue`, 17's `default` (graphqlAdapter): the coerced default either way.
  const value = hasDefaultValue(input) ? "=" + defaultText(defaultValueOf(input)) : "";
  return input.name + ":" + typeText(input.type) + value + deprecationText(input.deprecationReason);
}

function typeText(type: GraphQLType): string {
  if (isNonNullType(type)) return typeText(type.ofType) + "!";
  if (isListType(type)) return "[" + typeText(type.ofType) + "]";
  return type.name;
}

function deprecationText(reason: string | null | undefined): string {
  return reason == null ? "" : "@deprecated(" + JSON.stringify(reason) + ")";
}

/** A default value as data (it is the coerced internal value): JSON, with what JSON cannot write named by type. */
function defaultText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" || typeof v === "function" || typeof v === "symbol" ? `<${typeof v} ${String(v)}>` : v === undefined ? "<undefined>" : v)) ?? "<undefined>";
}
