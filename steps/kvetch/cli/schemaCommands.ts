// `graphscale schema print <file>` and `graphscale typegen <file>`: the commands over annotated SDL. A
// .graphql file is read directly; a .js/.ts module is imported (TypeScript through tsx when it is installed).
// Prints to `out`; never touches a store.

import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { printSchema, type GraphQLSchema } from "graphql";
import type { KvetchSchema } from "../../../src/kvetch/index.js";
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
makeKvetchSchema() as \`default\`. TypeScript modules load through tsx when it is installed (npm i -D tsx);
otherwise run the command as \`node --import tsx node_modules/graphscale/dist/graphscale.js ...\`.`;

interface LoadedSchema {
  schema: GraphQLSchema;
  kvetchSchema: KvetchSchema | null;
}

/** Reads annotated SDL, or imports a module exporting a schema. */
export async function loadSchemaFile(path: string, cwd: string): Promise<LoadedSchema> {
  const full = resolve(cwd, path);
  if (/\.(graphql|gql)$/.test(full)) {
    const { schema, kvetchSchema } = makeKvetchSchema({ typeDefs: readFileSync(full, "utf8") });
    return { schema, kvetchSchema };
  }
  const module = (await importModule(full)) as Record<string, any>;
  const source = module.schema ? module : module.default?.schema ? module.default : null;
  if (!source) throw new Error(`${path} exports no \`schema\` (exports: ${Object.keys(module).join(", ") || "none"}).`);
  return { schema: source.schema, kvetchSchema: source.kvetchSchema ?? null };
}

async function importModule(full: string): Promise<unknown> {
  if (/\.[cm]?ts$/.test(full)) {
    try {
      const loader = "tsx/esm/api"; // a variable: the bundler must leave tsx to the user's install
      const tsx = (await import(loader)) as { register(): unknown };
      tsx.register();
    } catch {
      throw new Error(
        `${full} is TypeScript and tsx is not installed. Install it (npm i -D tsx), run with \`node --import tsx\`, or compile the module and pass the .js file.`,
      );
    }
  }
  return import(pathToFileURL(full).href);
}

/** The Kvetch schema as text: one line per object type, edge and index. */
export function describeKvetchSchema(kvetch: KvetchSchema): string {
  const lines = ["# Kvetch schema"];
  for (const o of kvetch.objects) lines.push(`object ${o.name} (typeId ${o.typeId})`);
  for (const e of kvetch.edges) {
    const how = e.derived ? `derived from ${e.storedOnType}.${e.storedIdAttr}` : "stored";
    lines.push(`edge ${e.name} (edgeId ${e.edgeId}): ${e.fromType ?? "?"} -> ${e.toType ?? "?"}, ${how}`);
  }
  for (const i of kvetch.indexes) lines.push(`index ${i.name} (indexId ${i.indexId}): ${i.indexedType}.${i.indexedAttr}`);
  return lines.join("\n");
}

function kvetchJSON(kvetch: KvetchSchema | null) {
  return kvetch && { objects: kvetch.objects.map(({ name, typeId }) => ({ name, typeId })), edges: kvetch.edges, indexes: kvetch.indexes };
}

/** Runs `schema print` or `typegen`; returns the exit code. */
export async function runSchemaCli(argv: readonly string[], io: { cwd: string; out: NodeJS.WritableStream; err: NodeJS.WritableStream }): Promise<number> {
  const [command, ...rest] = argv[0] === "schema" ? [`schema ${argv[1] ?? ""}`.trim(), ...argv.slice(2)] : argv;
  const flags = new Set(rest.filter((a) => a.startsWith("--")));
  const outAt = rest.indexOf("--out");
  const file = rest.filter((a, i) => !a.startsWith("--") && !(outAt >= 0 && i === outAt + 1))[0];
  try {
    if (command === "schema print" && flags.has("--directives")) {
      io.out.write(kvetchDirectiveTypeDefs.trim() + "\n");
      return 0;
    }
    if ((command !== "schema print" && command !== "typegen") || !file) {
      io.err.write(`${SCHEMA_USAGE}\n`);
      return command === "--help" || command === "help" ? 0 : 2;
    }
    const { schema, kvetchSchema } = await loadSchemaFile(file, io.cwd);
    if (command === "typegen") {
      const text = typegen(schema);
      if (outAt >= 0 && rest[outAt + 1]) writeFileSync(resolve(io.cwd, rest[outAt + 1]!), text);
      else io.out.write(text);
      return 0;
    }
    if (flags.has("--json")) {
      io.out.write(JSON.stringify({ sdl: printSchema(schema), kvetch: kvetchJSON(kvetchSchema) }, null, 2) + "\n");
      return 0;
    }
    io.out.write(printSchema(schema) + "\n");
    if (kvetchSchema) io.out.write("\n" + describeKvetchSchema(kvetchSchema).replace(/^/gm, "# ").replace(/^# # /, "# ") + "\n");
    return 0;
  } catch (error) {
    io.err.write(`graphscale: ${(error as Error).message}\n`);
    return 1;
  }
}
