// The plan the engine's warm-up imports besides its own (WarmUpLoads, spec/plan-export.md): loads and lists of
// lists, the code a first request of real operations runs and the warm-up's own operation does not reach.
// Written as plan text, so that no plan of loads is planned in the warm-up (planning it would leave the
// planner's inline caches fed with those steps). The body is what `exportPlan` writes for
// WARM_UP_LOADS_OPERATION over WARM_UP_LOADS_TYPE_DEFS with loadOne/loadMany plans (bench/coldStart/warmUpPlan.ts
// prints it); a body of an older format is refused like any stale plan, which the warm-up test sees.

import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from "graphql";
import { operationHash, planText } from "./store.js";

export const WARM_UP_LOADS_TYPE_DEFS = "type Query { one: Item } type Item { n: Int! name: String items: [Item!]! item: Item }";
export const WARM_UP_LOADS_OPERATION = "{ one { n ...F items { n name items { n item { n name } } } } } fragment F on Item { name }";

/** The named functions the body's loads call: one record per key, and two per key. */
export const WARM_UP_LOADS_FUNCTIONS = {
  warmUpOne: (keys: readonly unknown[]) => keys.map((k) => ({ n: Number(k) || 1, name: "a" })),
  warmUpMany: (keys: readonly unknown[]) => keys.map((k) => [{ n: Number(k) + 1, name: null }, { n: Number(k) + 2, name: "b" }]),
};

/** The step kinds the body names (registered by graphscale/steps): without them the warm-up skips the plan. */
export const WARM_UP_LOADS_KINDS = ["Load", "Access", "Item", "Constant"];

const WARM_UP_LOADS_BODY =
  "{\"purpose\":\"response\",\"kinds\":[\"Constant\",\"Load\",\"Access\",\"Item\"],\"shapes\":\"[[[\\\"dependencyIsGlobal\\\",\\\"dependencyAcceptFlags\\\",\\\"hasSideEffects\\\",\\\"isGlobal\\\",\\\"isAsync\\\",\\\"optimizations\\\",\\\"globalCapable\\\",\\\"inlined\\\",\\\"value\\\"],[0,1,2,3,4,5,6,7],[[0],[0],false,true,false,[0],true,null]],[[\\\"dependencyIsGlobal\\\",\\\"dependencyAcceptFlags\\\",\\\"hasSideEffects\\\",\\\"isGlobal\\\",\\\"isAsync\\\",\\\"optimizations\\\",\\\"globalCapable\\\",\\\"inlined\\\",\\\"callback\\\",\\\"many\\\"],[0,1,2,4,5,7],[[0,false,true],[0,1,1],false,true,[0],null]],[[\\\"dependencyIsGlobal\\\",\\\"dependencyAcceptFlags\\\",\\\"hasSideEffects\\\",\\\"isGlobal\\\",\\\"isAsync\\\",\\\"optimizations\\\",\\\"globalCapable\\\",\\\"inlined\\\",\\\"path\\\"],[0,1,2,4,5],[[0,false],[0,1],false,false,[0]],[-9]],[[\\\"dependencyIsGlobal\\\",\\\"dependencyAcceptFlags\\\",\\\"hasSideEffects\\\",\\\"isGlobal\\\",\\\"isAsync\\\",\\\"optimizations\\\",\\\"globalCapable\\\",\\\"inlined\\\",\\\"listReason\\\"],[0,1,2,3,4,5,6,7],[[0],[0],false,false,false,[0],false,null]],[[\\\"type\\\",\\\"responseKey\\\"]],[[\\\"parentStep\\\",\\\"responseKey\\\",\\\"type\\\"]],[[\\\"listStep\\\",\\\"responseKey\\\",\\\"type\\\"]]]\",\"shapesKey\":\"04f52da4f9de661a\",\"strings\":[\"n\",\"name\"],\"constraints\":[],\"layers\":[-1,4,\"root\",null,3,1,-4,8,3,1,-3,8,-1,[10],false,0,5,[2,3],\"one\",\"nullableBoundary\",0,-1,-1,\"Query\",false,1,6,[2,8],\"items\",\"listItem\",1,9,0,9,\"Item\",false,2,5,[2,9],\"\",\"nullableBoundary\",3,10,-1,14,2,10,14,-1,\"Item\",false,3,6,[2,14],\"items\",\"listItem\",1,15,0,15,\"Item\",false,4,5,[2,15],\"\",\"nullableBoundary\",2,16,19,-1,-1,\"Item\",false,5,5,[2,19],\"item\",\"nullableBoundary\",2,20,-1,0,-1,\"Item\",false],\"steps\":[-1,0,0,0,0,\"1\",-2,1,[10],1,0,2,1,2,1,true,true,[5,\"warmUpOne\"],false,2,0,1,3,2,true,true,null,0,-2,1,true,true,true,1,-1,-1,1,0,2,4,2,1,true,true,[5,\"warmUpMany\"],true,3,2,0,3,[4,2],2,3,1,9,2,false,false,null,0,-2,1,false,false,true,1,-1,-1,1,3,2,10,2,1,false,false,[5,\"warmUpMany\"],true,3,4,0,3,[4,4],2,5,1,15,2,false,false,null,0,-1,-1,1,5,2,16,2,1,false,false,[5,\"warmUpOne\"],false,2,6,1,19,2,false,false,true,0,-2,1,false,false,true,1],\"root\":[\"Query\",[0,0,[\"O\",3,3,1,[1,0,4,10,0,5,2,0,[\"L\",8,2,[\"O\",9,9,3,[3,0,10,4,0,11,5,0,[\"L\",14,4,[\"O\",15,15,5,[6,0,16,7,0,[\"O\",19,19,6,[8,0,20,9,0,21]]]]]]]]]]]],\"source\":-1,\"shape\":[5,3,11,4,0,3,1,\"\",null,4,2,\"\",null,\"\",null]}";

/** The plan text for `schema` (the warm-up's own, made from WARM_UP_LOADS_TYPE_DEFS) and the parsed operation. */
export function warmUpLoadsText(schema: GraphQLSchema, document: DocumentNode): string {
  return planText(schema, operationHash(document, document.definitions[0] as OperationDefinitionNode), WARM_UP_LOADS_BODY);
}
