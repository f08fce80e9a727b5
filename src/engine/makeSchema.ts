// makeSchema({ typeDefs, plans }): an SDL schema whose fields carry plan resolvers. The result is a plain
// graphql-js GraphQLSchema: fields with a plan keep it in `extensions.graphscale.plan`, so code-first
// schemas can attach plans the same way. A field may also take a graphql-js `resolve` here.

import {
  GraphQLSchema,
  assertValidSchema,
  buildASTSchema,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
  parse,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLIsTypeOfFn,
  type GraphQLTypeResolver,
} from "graphql";
import type { GraphscaleFieldExtensions, GraphscaleTypeExtensions, PlanResolver, TypePlanner } from "./operationPlan.js";

/** A field's entry in `plans`: a plan resolver, or an object naming a plan and/or graphql-js resolvers. */
export type FieldPlanSpec =
  | PlanResolver
  | {
      plan?: PlanResolver;
      resolve?: GraphQLFieldResolver<any, any, any>;
      subscribe?: GraphQLFieldResolver<any, any, any>;
    };

/** A type's entry in `plans`: its fields, plus `__planType`/`__resolveType` (abstract) or `__isTypeOf` (object). */
export interface TypePlans {
  __planType?: TypePlanner;
  __resolveType?: GraphQLTypeResolver<any, any>;
  __isTypeOf?: GraphQLIsTypeOfFn<any, any>;
  [fieldName: string]: FieldPlanSpec | TypePlanner | GraphQLTypeResolver<any, any> | GraphQLIsTypeOfFn<any, any> | undefined;
}

/** A custom scalar's entry in `plans`: graphql-js's scalar functions. */
export interface ScalarPlans {
  serialize?: (value: unknown) => unknown;
  parseValue?: (value: unknown) => unknown;
  parseLiteral?: (...args: any[]) => unknown;
}

export interface MakeSchemaConfig {
  typeDefs: string | DocumentNode | ReadonlyArray<string | DocumentNode>;
  plans?: { readonly [typeName: string]: TypePlans | ScalarPlans };
  /** How many distinct operation texts keep their plans (default 500). */
  planCacheSize?: number;
}

function toDocument(typeDefs: MakeSchemaConfig["typeDefs"]): DocumentNode {
  const parts = Array.isArray(typeDefs) ? typeDefs : [typeDefs];
  const definitions = parts.flatMap((p: string | DocumentNode) => (typeof p === "string" ? parse(p) : p).definitions);
  return { kind: "Document" as DocumentNode["kind"], definitions };
}

export function makeSchema(config: MakeSchemaConfig): GraphQLSchema {
  const built = buildASTSchema(toDocument(config.typeDefs));
  const schema = new GraphQLSchema({
    ...built.toConfig(),
    extensions: { ...built.extensions, graphscale: { planCacheSize: config.planCacheSize } },
  });
  const plans = config.plans ?? {};
  for (const typeName of Object.keys(plans)) {
    const type = schema.getType(typeName);
    const spec = plans[typeName] as Record<string, unknown>;
    if (!type) throw new Error(`makeSchema: plans name a type "${typeName}" that typeDefs do not define.`);
    if (isScalarType(type)) {
      const scalar = type as unknown as Record<string, unknown>;
      for (const fn of ["serialize", "parseValue", "parseLiteral"]) if (typeof spec[fn] === "function") scalar[fn] = spec[fn];
      continue;
    }
    if (isUnionType(type) || isInterfaceType(type)) {
      const t = type as unknown as { extensions: Record<string, unknown>; resolveType?: unknown };
      if (spec.__planType) t.extensions = { ...t.extensions, graphscale: { planType: spec.__planType as TypePlanner } satisfies GraphscaleTypeExtensions };
      if (spec.__resolveType) t.resolveType = spec.__resolveType;
    }
    if (isObjectType(type) && spec.__isTypeOf) (type as unknown as { isTypeOf: unknown }).isTypeOf = spec.__isTypeOf;
    if (!isObjectType(type) && !isInterfaceType(type)) {
      const extra = Object.keys(spec).filter((k) => !k.startsWith("__"));
      if (extra.length > 0) throw new Error(`makeSchema: "${typeName}" has no fields, but plans give it ${extra.join(", ")}.`);
      continue;
    }
    const fields = type.getFields();
    for (const fieldName of Object.keys(spec)) {
      if (fieldName.startsWith("__")) continue;
      const field = fields[fieldName] as unknown as { extensions: Record<string, unknown>; resolve?: unknown; subscribe?: unknown } | undefined;
      if (!field) {
        throw new Error(`makeSchema: plans give ${typeName}.${fieldName}, but ${typeName} has no field "${fieldName}" (fields: ${Object.keys(fields).join(", ")}).`);
      }
      const entry = spec[fieldName] as FieldPlanSpec;
      const plan = typeof entry === "function" ? entry : entry.plan;
      if (plan) field.extensions = { ...field.extensions, graphscale: { plan } satisfies GraphscaleFieldExtensions };
      if (typeof entry === "object") {
        if (entry.resolve) field.resolve = entry.resolve;
        if (entry.subscribe) field.subscribe = entry.subscribe;
      }
    }
  }
  // An interface field's plan serves every implementation that has none of its own.
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isInterfaceType(type)) continue;
    for (const [name, field] of Object.entries(type.getFields())) {
      const plan = (field.extensions?.graphscale as GraphscaleFieldExtensions | undefined)?.plan;
      if (!plan) continue;
      for (const impl of schema.getPossibleTypes(type)) {
        const implField = impl.getFields()[name] as unknown as { extensions: Record<string, unknown> } | undefined;
        if (implField && !(implField.extensions?.graphscale as GraphscaleFieldExtensions | undefined)?.plan) {
          implField.extensions = { ...implField.extensions, graphscale: { plan } };
        }
      }
    }
  }
  assertValidSchema(schema);
  return schema;
}
