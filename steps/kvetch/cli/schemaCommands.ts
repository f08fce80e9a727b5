// `graphscale schema print <file>` and `graphscale typegen <file>`: the commands over annotated SDL. A
// .graphql file is read directly; a .js/.ts module is imported (TypeScript through the project's tsx).
// Prints to `out`; never touches a store.

import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { printSchema, type GraphQLSchema } from "graphql";
import type { KvetchSchema } from "../../../src/kvetch/index.js";
import { importUserModule } from "../../../src/kvetch/cliModule.js";
import { usageLine } from "../../../src/kvetch/commandLine.js";
import { makeKvetchSchema } from "../sdl/makeKvetchSchema.js";
import { kvetchDirectiveTypeDefs } from "../sdl/directives.js";
import { typegen } from "./typegen.js";

export const SCHEMA_USAGE = `Usage: graphscale schema print <schema.graphql | module.js | module.ts> [--json] [--directives]
       graphscale typegen <schema.graphql | module> [--out <file.ts>]

  schema print   the resolved SDL (Kvetch directives expanded, generated inputs and connection types)
                 and the Kvetch schema (objects, edges, indexes) the directives declare
                 --json: one JSON object { sdl, kvetch }; --directives: the directive definitions, for editors
  typegen        TypeScript types for the schema's plans (TypePlans keys, field names, argument names)

A module must export \`schema\` (a GraphQLSchema) and may export \`kvetchSchema\`, or export the result of
makeKvetchSchema() as \`default\`. TypeScript modules (.ts, .mts, .cts) load through your project's tsx
(npm i -D tsx).`;

interface LoadedSchema {
  schema: GraphQLSchema;
  kvetchSchema: KvetchSchema | null;
  /** makeKvetchSchema's warnings, each `file:line:column: message`. */
  warnings: string[];
}

/** What the schema commands were given that they cannot run with: exit 2, the message, then the usage. */
class SchemaUsageError extends Error {}

const SDL_FILE = /\.(graphql|gql)$/;
const MODULE_FILE = /\.[cm]?[jt]s$/;
const MODULE_EXPORTS = "a module must export `schema` (a GraphQLSchema) and may export `kvetchSchema`, or export makeKvetchSchema()'s result as `default`";

/** `file: message`, or `file:line:column: message` for an error graphql-js located in the SDL (a syntax error). */
function locatedError(path: string, error: unknown): Error {
  const at = (error as { locations?: readonly { line: number; column: number }[] })?.locations?.[0];
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`${path}${at ? `:${at.line}:${at.column}` : ""}: ${message}`, { cause: error });
}

function describeValue(value: unknown): string {
  if (value === null || typeof value !== "object") return typeof value === "string" ? `the string ${JSON.stringify(value.slice(0, 40))}` : String(value);
  return `an object with keys ${Object.keys(value).slice(0, 6).join(", ") || "none"}`;
}

/** Reads annotated SDL, or imports a module exporting a schema. */
export async function loadSchemaFile(path: string, cwd: string): Promise<LoadedSchema> {
  const full = resolve(cwd, path);
  if (SDL_FILE.test(full)) {
    const typeDefs = readFileSync(full, "utf8");
    try {
      const { schema, kvetchSchema, warnings } = makeKvetchSchema({ typeDefs });
      return { schema, kvetchSchema, warnings: warnings.map((warning) => locatedError(path, warning).message) };
    } catch (error) {
      throw locatedError(path, error);
    }
  }
  let module: Record<string, any>;
  try {
    module = await importUserModule(full, path);
  } catch (error) {
    throw new Error(`cannot load ${path}: ${(error as Error).message}`, { cause: error });
  }
  const source = module.schema ? module : module.default?.schema ? module.default : null;
  if (!source) throw new Error(`${path} exports no \`schema\` (exports: ${Object.keys(module).join(", ") || "none"}); ${MODULE_EXPORTS}.`);
  // Duck-typed: the module may use another copy of graphql-js, whose schemas are not instances of ours.
  const schema = source.schema as Partial<GraphQLSchema>;
  if (typeof schema !== "object" || typeof schema.getTypeMap !== "function" || typeof schema.getDirectives !== "function") {
    throw new Error(`${path} exports \`schema\` as ${describeValue(source.schema)}, not a GraphQLSchema; ${MODULE_EXPORTS}.`);
  }
  const kvetch = source.kvetchSchema as Partial<KvetchSchema> | null | undefined;
  if (kvetch != null && !(Array.isArray(kvetch.objects) && Array.isArray(kvetch.edges) && Array.isArray(kvetch.indexes))) {
    throw new Error(`${path} exports \`kvetchSchema\` as ${describeValue(kvetch)}, not a Kvetch schema (the defineSchema or makeKvetchSchema result).`);
  }
  return { schema: source.schema, kvetchSchema: (kvetch as KvetchSchema | null | undefined) ?? null, warnings: [] };
}

/** readSdlKvetchSchema: the Kvetch schema annotated SDL declares (for the store's commands: repair, deps invalidate). */
export function readSdlKvetchSchema(path: string): KvetchSchema {
  try {
    return makeKvetchSchema({ typeDefs: readFileSync(path, "utf8") }).kvetchSchema;
  } catch (error) {
    throw locatedError(path, error);
  }
}

/** The Kvetch schema as text: one line per object type, edge and index. */
export function describeKvetchSchema(kvetch: KvetchSchema): string {
  const lines = ["# Kvetch schema"];
  for (const o of kvetch.objects) lines.push(`object ${o.name} (typeId ${o.typeId})`);
  for (const e of kvetch.edges) {
    const how = e.derived ? `derived from ${e.storedOnType}.${e.storedIdAttr}${e.onDelete ? `, onDelete ${e.onDelete}` : ""}` : "stored";
    lines.push(`edge ${e.name} (edgeId ${e.edgeId}): ${e.fromType ?? "?"} -> ${e.toType ?? "?"}, ${how}`);
  }
  for (const i of kvetch.indexes) lines.push(`index ${i.name} (indexId ${i.indexId}): ${i.indexedType}.${i.indexedAttr}${i.unique ? ", unique" : ""}`);
  return lines.join("\n");
}

function kvetchJSON(kvetch: KvetchSchema | null) {
  return kvetch && { objects: kvetch.objects.map(({ name, typeId }) => ({ name, typeId })), edges: kvetch.edges, indexes: kvetch.indexes };
}

interface SchemaArgs {
  command: "schema print" | "typegen";
  file: string | null;
  json: boolean;
  directives: boolean;
  out: string | null;
}

/** The commands each option belongs to. */
const SCHEMA_OPTIONS: Record<string, readonly string[]> = { "--json": ["schema print"], "--directives": ["schema print"], "--out": ["typegen"] };

function optionsOf(command: string): string {
  return Object.keys(SCHEMA_OPTIONS).filter((option) => SCHEMA_OPTIONS[option]!.includes(command)).join(", ");
}

/** The arguments, checked: an unknown command or option, a stray word or a missing value is refused, never ignored. */
function parseSchemaArgs(argv: readonly string[]): SchemaArgs | "help" {
  if (argv.includes("--help") || argv.includes("-h") || (argv[0] === "schema" && argv[1] === "help")) return "help";
  if (argv[0] === "schema" && argv[1] !== "print") {
    const what = argv[1] === undefined ? "schema needs a command" : `unknown schema command "${argv[1]}"`;
    throw new SchemaUsageError(`${what}; the command is: graphscale schema print <file>`);
  }
  const command = argv[0] === "schema" ? "schema print" : "typegen";
  const rest = argv.slice(command === "typegen" ? 1 : 2);
  const args: SchemaArgs = { command, file: null, json: false, directives: false, out: null };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith("-")) {
      if (args.file !== null) throw new SchemaUsageError(`unexpected argument "${arg}": ${command} takes one schema file (and "${args.file}" was given)`);
      args.file = arg;
    } else if (SCHEMA_OPTIONS[arg] === undefined) {
      throw new SchemaUsageError(`unknown option ${arg}; ${command} takes ${optionsOf(command)}`);
    } else if (!SCHEMA_OPTIONS[arg]!.includes(command)) {
      throw new SchemaUsageError(`${arg} is not an option of ${command}; ${command} takes ${optionsOf(command)}`);
    } else if (arg === "--out") {
      const value = rest[++i];
      if (value === undefined || value.startsWith("--")) throw new SchemaUsageError("--out needs a value (the .ts file to write)");
      args.out = value;
    } else if (arg === "--json") args.json = true;
    else args.directives = true;
  }
  if (args.directives) {
    if (args.file !== null || args.json) throw new SchemaUsageError("--directives prints only the directive definitions: it takes no schema file and no --json");
  } else if (args.file === null) {
    throw new SchemaUsageError(`${command} needs a schema file (annotated SDL, or a module exporting \`schema\`)`);
  } else if (!SDL_FILE.test(args.file) && !MODULE_FILE.test(args.file)) {
    throw new SchemaUsageError(`${args.file} is neither annotated SDL (.graphql, .gql) nor a module (.js, .mjs, .cjs, .ts, .mts, .cts)`);
  }
  return args;
}

/** Runs `schema print` or `typegen`; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function runSchemaCli(argv: readonly string[], io: { cwd: string; out: NodeJS.WritableStream; err: NodeJS.WritableStream }): Promise<number> {
  try {
    const args = parseSchemaArgs(argv);
    if (args === "help") {
      io.out.write(`${SCHEMA_USAGE}\n`);
      return 0;
    }
    if (args.directives) {
      io.out.write(kvetchDirectiveTypeDefs.trim() + "\n");
      return 0;
    }
    const { schema, kvetchSchema, warnings } = await loadSchemaFile(args.file!, io.cwd);
    for (const warning of warnings) io.err.write(`graphscale: warning: ${warning}\n`);
    if (args.command === "typegen") {
      const text = typegen(schema, kvetchSchema);
      if (args.out !== null) writeFileSync(resolve(io.cwd, args.out), text);
      else io.out.write(text);
      return 0;
    }
    if (args.json) {
      io.out.write(JSON.stringify({ sdl: printSchema(schema), kvetch: kvetchJSON(kvetchSchema) }, null, 2) + "\n");
      return 0;
    }
    io.out.write(printSchema(schema) + "\n");
    if (kvetchSchema) io.out.write("\n" + describeKvetchSchema(kvetchSchema).replace(/^/gm, "# ").replace(/^# # /, "# ") + "\n");
    return 0;
  } catch (error) {
    if (error instanceof SchemaUsageError) {
      io.err.write(usageLine(error.message, `graphscale ${argv[0] === "typegen" ? "typegen" : "schema"} --help`));
      return 2;
    }
    io.err.write(`graphscale: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
