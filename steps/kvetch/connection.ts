// connection(edge, $fromId, { first, after }): a Relay-style connection for plan resolvers, built on
// loadEdgePage — one getEdges call per layer with `first`/`after` in the query — plus connectionPlans(),
// the plans of the Connection, Edge and PageInfo types (`edges { cursor node }`, `pageInfo { ... }`).
// The `node` plan is loadObject over the edge's toId, which optimize() loads right behind the page.

import type { Step } from "../../src/index.js";
import type { TypePlans } from "../../src/index.js";
import { constant } from "../../src/index.js";
import { lambda } from "../lambda.js";
import { edgeCount } from "./edgeCount.js";
import type { KvetchListOptions } from "./kvetchList.js";
import { LoadEdgesStep, loadEdgePage } from "./loadEdges.js";
import { loadObject } from "./loadObject.js";
import type { KvetchStepOptions } from "./kvetchStore.js";

/** Each entry's page of `edge` from `$fromId`: `{ edges, hasNextPage, endCursor }`. */
export function connection(edge: string, $fromId: Step, options?: KvetchListOptions): LoadEdgesStep {
  return loadEdgePage(edge, $fromId, options);
}

export interface ConnectionTypes extends KvetchStepOptions {
  /** The connection type, e.g. "TodoListConnection" (fields: edges, pageInfo, optionally totalCount). */
  connection: string;
  /** The edge type, e.g. "TodoListEdge" (fields: cursor, node). */
  edge: string;
  /** The Kvetch object type of the nodes, e.g. "TodoList". */
  nodeType: string;
  /** The page info type (fields: hasNextPage, endCursor, hasPreviousPage, startCursor); default "PageInfo". */
  pageInfo?: string;
}

function startCursorOf(page: { edges: readonly { cursor: string }[] } | null): string | null {
  return page !== null && page.edges.length > 0 ? page.edges[0]!.cursor : null;
}

/** The plans for a connection's types, to spread into makeSchema's `plans`. */
export function connectionPlans(types: ConnectionTypes): Record<string, TypePlans> {
  const { nodeType } = types;
  const options: KvetchStepOptions | undefined = types.store ? { store: types.store } : undefined;
  return {
    [types.connection]: {
      edges: ($page: Step) => $page.get("edges"),
      pageInfo: ($page: Step) => $page,
      // The stored count of the parent's edges (one countEdges call per layer).
      totalCount: ($page: Step) => ($page instanceof LoadEdgesStep ? edgeCount($page.name, $page.keyStep(), options) : constant(null)),
    },
    [types.edge]: {
      cursor: ($edge: Step) => $edge.get("cursor"),
      node: ($edge: Step) => loadObject(nodeType, $edge.get("toId"), options),
    },
    [types.pageInfo ?? "PageInfo"]: {
      hasNextPage: ($page: Step) => $page.get("hasNextPage"),
      endCursor: ($page: Step) => $page.get("endCursor"),
      // Forward pagination only: Relay allows false when counting backwards is not cheap.
      hasPreviousPage: () => constant(false),
      startCursor: ($page: Step) => lambda($page, startCursorOf),
    },
  };
}
