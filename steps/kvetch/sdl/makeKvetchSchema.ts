// makeKvetchSchema({ typeDefs, plans }): annotated SDL → the Kvetch schema (defineSchema) and the executable
// GraphQL schema planned with the Kvetch steps, at run time (no code generation step). Hand-written plans
// override or add fields. Directive misuse is a schema-build error naming the type, field and directive.

import { parse, print, printSchema, type DocumentNode, type GraphQLError, type GraphQLSchema } from "graphql";
import { makeSchema, type MakeSchemaConfig, type TypePlans } from "../../../src/index.js";
import { defineSchema, type KvetchSchema } from "../../../src/kvetch/index.js";
import { KVETCH_SCHEMA_KEY } from "../kvetchStore.js";
import { readAnnotatedSdl } from "./model.js";
import { generateWrites } from "./writes.js";
import { generatedPlans, planMap } from "./plans.js";

export interface KvetchSchemaOptions extends Omit<MakeSchemaConfig, "planContext"> {
  /** Extra plan context besides the Kvetch schema (see makeSchema). */
  planContext?: { readonly [key: string]: unknown };
  /** Told each warning as the schema is built (they are also returned); default: none printed. */
  onWarning?: (warning: GraphQLError) => void;
}

export interface AnnotatedSchema {
  /** The executable GraphQL schema: annotated fields planned with the Kvetch steps. */
  schema: GraphQLSchema;
  /** The store's schema (objects, edges, indexes) for `new Kvetch({ schema: kvetchSchema, backend })`. */
  kvetchSchema: KvetchSchema;
  /** The resolved SDL: directives expanded away, generated inputs and connection types included. */
  resolvedTypeDefs: string;
  /** What the SDL may have wrong without being invalid (an attr no field declares), located like errors. */
  warnings: GraphQLError[];
}

function toDocument(typeDefs: MakeSchemaConfig["typeDefs"]): DocumentNode {
  const parts = Array.isArray(typeDefs) ? typeDefs : [typeDefs];
  const definitions = parts.flatMap((p: string | DocumentNode) => (typeof p === "string" ? parse(p) : p).definitions);
  return { kind: "Document" as DocumentNode["kind"], definitions };
}

/** spec (annotated-sdl.md): MakeKvetchSchema */
export function makeKvetchSchema(options: KvetchSchemaOptions): AnnotatedSchema {
  const model = readAnnotatedSdl(toDocument(options.typeDefs));
  for (const warning of model.warnings) options.onWarning?.(warning);
  let kvetchSchema: KvetchSchema;
  try {
    kvetchSchema = defineSchema({ objects: model.objects, edges: model.edges, indexes: model.indexes });
  } catch (error) {
    throw new Error(`makeKvetchSchema: the directives declare an invalid Kvetch schema: ${(error as Error).message}`);
  }
  const userPlans = options.plans ?? {};
  const planned = new Set(Object.entries(userPlans).flatMap(([type, fields]) => Object.keys(fields).map((f) => `${type}.${f}`)));
  const { rules, document } = generateWrites(model, planned);
  const plans: Record<string, TypePlans> = generatedPlans(model.fields, rules, model.schema);
  // `plans` has no prototype (plans.ts): a type named `toString` merges like any other.
  for (const [type, fields] of Object.entries(userPlans)) plans[type] = Object.assign(planMap(), plans[type], fields);
  const { onWarning: _told, ...config } = options;
  const schema = makeSchema({
    ...config,
    typeDefs: document,
    plans,
    planContext: { ...options.planContext, [KVETCH_SCHEMA_KEY]: kvetchSchema },
  });
  return { schema, kvetchSchema, resolvedTypeDefs: printResolved(schema, document), warnings: model.warnings };
}

/**
 * The resolved SDL as graphql-js prints the schema; graphql-js cannot print an object or list default of a
 * custom scalar's argument (`meta: JSON = {a: 1}`), and then it is the resolved document as written.
 */
function printResolved(schema: GraphQLSchema, document: DocumentNode): string {
  try {
    return printSchema(schema);
  } catch {
    return print(document);
  }
}
