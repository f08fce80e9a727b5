// The schema fingerprint: what an exported plan must have been planned against to be reused. A hash of the
// printed schema, of every plan resolver's and named function's source text;
// a plan from any other schema is planned again. Computed once per schema.

import * as crypto from "node:crypto";
import { isInterfaceType, isObjectType, isUnionType, printSchema, type GraphQLSchema } from "graphql";
import type { GraphscaleFieldExtensions, GraphscaleTypeExtensions } from "../planning/planResolver.js";
import { schemaFunctions } from "../stepRegistry.js";

const fingerprints = new WeakMap<GraphQLSchema, string>();

/** Node's one-shot hash where it has one (20.12 and later): no Hash object per call. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;

export function sha256(text: string): string {
  return oneShot !== undefined ? oneShot("sha256", text, "hex") : crypto.createHash("sha256").update(text).digest("hex");
}

/**
 * spec: SchemaFingerprint — printed schema, plan resolvers (by field, by source text), named functions (by
 * name and source text), hashed. Source text stands for a function's identity across
 * processes: two processes running the same code agree; any edit to a plan resolver changes it.
 */
export function schemaFingerprint(schema: GraphQLSchema): string {
  let known = fingerprints.get(schema);
  if (known !== undefined) return known;
  const parts: string[] = [printSchema(schema)];
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
  for (const [name, fn] of schemaFunctions(schema).byName) parts.push(`fn ${name}=${String(fn)}`);
  known = sha256(parts.join("\n"));
  fingerprints.set(schema, known);
  return known;
}
