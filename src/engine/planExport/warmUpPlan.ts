// The plan the engine's warm-up imports besides its own (WarmUpLoads, spec/plan-export.md): loads and lists of
// lists, the code a first request of real operations runs and the warm-up's own operation does not reach.
// Written as plan text, so that no plan of loads is planned in the warm-up (planning it would leave the
// planner's inline caches fed with those steps). The body is what `exportPlan` writes for
// WARM_UP_LOADS_OPERATION over WARM_UP_LOADS_TYPE_DEFS with loadOne/loadMany plans (bench/coldStart/warmUpPlan.ts
// prints it); a body of an older format is refused like any stale plan, which the warm-up test sees.

import { Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { documentText } from "./documentText.js";
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

// Arguments, directives and variables of every kind of value: the warm-up's plans have none, and a first
// import of an operation with arguments compiled DocumentText's argument and value writers in the request
// (a quarter of a million instructions of a nested operation's import). Only its text is taken: never
// planned, so the planner's inline caches see none of it; and written as the nodes `parse` makes of
// WARM_UP_TEXT_SOURCE (a test holds the two to the same text), since parsing it compiled graphql-js's parser
// for values and variables in makeSchema (5 M instructions) for no request's sake.
export const WARM_UP_TEXT_SOURCE =
  'query W($a: Int = 1, $b: [String!]) @d(x: $a) { f(a: $a, b: "s", c: 1.5, d: true, e: null, f: E, g: [1], h: {j: []}) @d { ...F ... on T @d { g } } } fragment F on T { g }';
const name = (value: string) => ({ kind: Kind.NAME, value });
const named = (value: string) => ({ kind: Kind.NAMED_TYPE, name: name(value) });
const variable = (value: string) => ({ kind: Kind.VARIABLE, name: name(value) });
const argument = (n: string, value: object) => ({ kind: Kind.ARGUMENT, name: name(n), value });
const directive = (args: object[]) => ({ kind: Kind.DIRECTIVE, name: name("d"), arguments: args });
const leaf = (n: string) => ({ kind: Kind.FIELD, name: name(n) });
const selections = (items: object[]) => ({ kind: Kind.SELECTION_SET, selections: items });
const values = [
  variable("a"),
  { kind: Kind.STRING, value: "s" },
  { kind: Kind.FLOAT, value: "1.5" },
  { kind: Kind.BOOLEAN, value: true },
  { kind: Kind.NULL },
  { kind: Kind.ENUM, value: "E" },
  { kind: Kind.LIST, values: [{ kind: Kind.INT, value: "1" }] },
  { kind: Kind.OBJECT, fields: [{ kind: Kind.OBJECT_FIELD, name: name("j"), value: { kind: Kind.LIST, values: [] } }] },
];
const WARM_UP_TEXT_DOCUMENT = {
  kind: Kind.DOCUMENT,
  definitions: [
    {
      kind: Kind.OPERATION_DEFINITION,
      operation: "query",
      name: name("W"),
      variableDefinitions: [
        { kind: Kind.VARIABLE_DEFINITION, variable: variable("a"), type: named("Int"), defaultValue: { kind: Kind.INT, value: "1" } },
        { kind: Kind.VARIABLE_DEFINITION, variable: variable("b"), type: { kind: Kind.LIST_TYPE, type: { kind: Kind.NON_NULL_TYPE, type: named("String") } } },
      ],
      directives: [directive([argument("x", variable("a"))])],
      selectionSet: selections([
        {
          ...leaf("f"),
          arguments: values.map((value, i) => argument(String.fromCharCode(97 + i), value)),
          directives: [directive([])],
          selectionSet: selections([
            { kind: Kind.FRAGMENT_SPREAD, name: name("F") },
            { kind: Kind.INLINE_FRAGMENT, typeCondition: named("T"), directives: [directive([])], selectionSet: selections([leaf("g")]) },
          ]),
        },
      ]),
    },
    { kind: Kind.FRAGMENT_DEFINITION, name: name("F"), typeCondition: named("T"), selectionSet: selections([leaf("g")]) },
  ],
} as unknown as DocumentNode;

/** The warm-up's DocumentText (spec/plan-cache.md, WarmUpLoads): its writers run once on arguments of every kind. */
export function warmUpDocumentText(): string {
  return documentText(WARM_UP_TEXT_DOCUMENT);
}
