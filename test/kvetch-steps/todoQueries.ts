// Random todo queries for the seeded tests over the todo schema: one or two roots (a user by id or by
// username, a list, an item), nested down to items, their lists and owners, with pages (`first` literal or
// `$f`/`$g`, sometimes `after: $after`), connections and counts. Every query declares the same variables:
// `$id: ID!, $u: String!, $f: Int!, $g: Int!, $after: String`.

import { parse, type DocumentNode } from "graphql";
import type { Draws } from "../safety/fuzz.js";

export function todoQuery({ int, pick }: Draws): DocumentNode {
  const item = (depth: number): string =>
    [pick(["text", "id", "done"]), depth < 4 && int(4) === 0 ? `list { name ${depth < 3 && int(2) ? "owner { name username }" : ""} }` : ""].join(" ");
  const list = (depth: number): string =>
    [
      pick(["name", "id"]),
      int(2) ? `todoItems(first: ${pick(["$g", "5", "2", "1"])}${int(4) === 0 ? ", after: $after" : ""}) { ${item(depth + 1)} }` : "",
      depth < 3 && int(4) === 0 ? `owner { ${pick(["name", "id", "username"])} }` : "",
    ].join(" ");
  const user = (depth: number): string =>
    [
      pick(["name", "id", "username"]),
      int(2) ? `todoLists(first: ${pick(["$f", "1", "3", "10"])}${int(3) === 0 ? ", after: $after" : ""}) { ${list(depth + 1)} }` : "",
      int(3) === 0 ? "todoListCount" : "",
      int(3) === 0 ? `todoListsConnection(first: ${pick(["$f", "2"])}) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${list(depth + 1)} } } }` : "",
    ].join(" ");
  const roots = Array.from({ length: 1 + int(2) }, (_, k) => {
    const r = int(5);
    if (r === 0) return `r${k}: todoList(id: $id) { ${list(1)} }`;
    if (r === 1) return `r${k}: todoItem(id: $id) { ${item(1)} }`;
    if (r === 2) return `r${k}: userByUsername(username: $u) { ${user(1)} }`;
    return `r${k}: todoUser(id: $id) { ${user(1)} }`;
  });
  return parse(`query Q($id: ID!, $u: String!, $f: Int!, $g: Int!, $after: String) { ${roots.join(" ")} }`);
}
