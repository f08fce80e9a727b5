// The plans annotated SDL gives its fields: each FieldKind becomes the plan a user would write by hand with
// the Kvetch steps (same steps, same store calls, edge→object fusion included). Runs no plan itself.

import type { FieldArgs, PlanResolver, Step, TypePlans } from "../../../src/index.js";
import { each } from "../../../src/index.js";
import { first } from "../../first.js";
import { connection, connectionPlans } from "../connection.js";
import { createObject } from "../createObject.js";
import { IDEMPOTENCY_KEY_ARG } from "./writes.js";
import { deleteObject } from "../deleteObject.js";
import { edgeCount } from "../edgeCount.js";
import { loadEdges } from "../loadEdges.js";
import { loadObject } from "../loadObject.js";
import { queryIndex } from "../queryIndex.js";
import { updateObject } from "../updateObject.js";
import type { KvetchListOptions } from "../kvetchList.js";
import { checkWrite, type WriteRule } from "./checkWrite.js";
import type { FieldKind } from "./model.js";
import { declaredFields } from "./connectionShape.js";
import type { GraphQLSchema } from "graphql";

/** `first` and `after` from the field's arguments of those names, when it has them. */
function paging(args: FieldArgs): KvetchListOptions {
  const has = (name: string) => args.fieldDef.args.some((a) => a.name === name);
  return { first: has("first") ? args.get("first") : undefined, after: has("after") ? args.get("after") : undefined };
}

/** The plan of one annotated field. */
export function planOf(kind: FieldKind, rule: WriteRule | undefined): PlanResolver {
  switch (kind.kind) {
    case "edges": {
      const { edge, nodeType } = kind;
      if (kind.connection) return ($parent: Step, args: FieldArgs) => connection(edge, $parent.get("id"), paging(args));
      return ($parent: Step, args: FieldArgs) =>
        each(loadEdges(edge, $parent.get("id"), paging(args)), ($edge) => loadObject(nodeType, $edge.get("toId")));
    }
    case "objectFromStoredId":
      return ($child: Step) => loadObject(kind.nodeType, $child.get(kind.attr));
    case "edgeCount":
      return ($parent: Step) => edgeCount(kind.edge, $parent.get("id"));
    case "readObject":
      return (_$root: Step, args: FieldArgs) => loadObject(kind.nodeType, args.get(kind.idArg));
    case "queryIndex": {
      const { index, nodeType, valueArg } = kind;
      if (!kind.list) return (_$root: Step, args: FieldArgs) => loadObject(nodeType, first(queryIndex(index, args.get(valueArg), { first: 1 })).get("targetId"));
      return (_$root: Step, args: FieldArgs) =>
        each(queryIndex(index, args.get(valueArg), paging(args)), ($entry) => loadObject(nodeType, $entry.get("targetId")));
    }
    case "createObject":
      return (_$root: Step, args: FieldArgs) =>
        createObject(kind.nodeType, checkWrite(rule!, args.getAll()).get("data"), {
          idempotencyKey: args.fieldDef.args.some((a) => a.name === IDEMPOTENCY_KEY_ARG) ? args.get(IDEMPOTENCY_KEY_ARG) : null,
        });
    case "updateObject":
      return (_$root: Step, args: FieldArgs) => {
        const $write = checkWrite(rule!, args.getAll());
        return updateObject(kind.nodeType, $write.get("id"), $write.get("data"), { ifVersion: rule!.versionArg === null ? null : args.get(rule!.versionArg) });
      };
    case "deleteObject":
      return (_$root: Step, args: FieldArgs) => deleteObject(kind.nodeType, checkWrite(rule!, args.getAll()).get("id"));
  }
}

/** Every annotated field's plan, and the plans of the connection types they return, by type and field. */
export function generatedPlans(fields: ReadonlyMap<string, FieldKind>, rules: ReadonlyMap<string, WriteRule>, schema: GraphQLSchema): Record<string, TypePlans> {
  // Null-prototype maps: a type or field may be named like an Object.prototype member (`type toString`),
  // and a plain `{}` would hand back the inherited function (and the plan would be set on it).
  const plans = planMap<TypePlans>();
  for (const [where, kind] of fields) {
    const [type, field] = where.split(".") as [string, string];
    (plans[type] ??= planMap())[field] = planOf(kind, rules.get(where));
    if (kind.kind === "edges" && kind.connection) {
      const types = connectionPlans({ connection: kind.connection.connection, edge: kind.connection.edge, nodeType: kind.nodeType, pageInfo: kind.connection.pageInfo });
      // Only the fields the SDL declares: a connection may leave out totalCount, an edge its cursor, a PageInfo
      // what it does not page by.
      for (const [name, typePlans] of Object.entries(types)) {
        const declared = declaredFields(schema, name);
        const own = planMap<PlanResolver>();
        for (const [field, plan] of Object.entries(typePlans)) if (declared.has(field)) own[field] = plan as PlanResolver;
        plans[name] = Object.assign(own, plans[name]);
      }
    }
  }
  return plans;
}

/** An empty map with no prototype: every key read from it is its own (makeSchema reads plans by Object.keys). */
export function planMap<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}
