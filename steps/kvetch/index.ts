// graphscale/kvetch: the store's public API (src/kvetch) and the steps over it, where the engine meets the
// store. Each read step fetches its whole layer with one store call; each write step writes its whole layer
// with one store call. This entry sits above both layers; nothing in src/ imports it.

export * from "../../src/kvetch/index.js";

export { loadObject, LoadObjectStep } from "./loadObject.js";
export { loadEdges, loadEdgePage, LoadEdgesStep } from "./loadEdges.js";
export { queryIndex, queryIndexPage, QueryIndexStep } from "./queryIndex.js";
export { edgeCount, EdgeCountStep } from "./edgeCount.js";
export { recordDependency, RecordDependencyStep } from "./recordDependency.js";
export { connection, connectionPlans, type ConnectionTypes } from "./connection.js";
export { LoadNodesStep, type NodeItem } from "./loadNodes.js";
export { KvetchListStep, type KvetchListOptions, type ListMode, type ListItem } from "./kvetchList.js";
export { kvetchStore, plannedKvetchSchema, KVETCH_SCHEMA_KEY, type KvetchStepOptions } from "./kvetchStore.js";
export { createObject, CreateObjectStep, type CreateObjectOptions } from "./createObject.js";
export { updateObject, UpdateObjectStep, type UpdateObjectOptions } from "./updateObject.js";
export { deleteObject, DeleteObjectStep } from "./deleteObject.js";
export { insertEdge, InsertEdgeStep, type InsertedEdge } from "./insertEdge.js";
export type { DataArgument } from "./dataArgument.js";
export { makeKvetchSchema, type KvetchSchemaOptions, type AnnotatedSchema } from "./sdl/makeKvetchSchema.js";
export { kvetchDirectiveTypeDefs } from "./sdl/directives.js";
export { checkWrite, CheckWriteStep, type WriteRule, type CheckedWrite } from "./sdl/checkWrite.js";
