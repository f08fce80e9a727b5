// Clients of the bucket-move load test (spec/kvetch-storage.md §11) speaking GraphQL over HTTP to the serving
// processes (moveServerProcess.ts): each owns its share of the items (so the model of acknowledged writes is
// exact), alternates between the processes, and sends reads of the todo view (95%) and writes (5%: creates,
// updates, moves, deletes in turn) until the move settles. Every read is compared with the model.
import type { KvetchData } from "../../src/kvetch/index.js";
import { TAGS, type LoadResult, type MoveModel } from "../kvetch/reshardLoad.js";

const VIEW = `query ($id: ID!) { todoItem(id: $id) { id listId text tag list { id name } } }`;
const ITEM = `id listId text tag`;
const CREATE = `mutation ($listId: ID!, $text: String!, $tag: String!, $key: String!) { createTodoItem(listId: $listId, text: $text, tag: $tag, idempotencyKey: $key) { ${ITEM} } }`;
const UPDATE = `mutation ($id: ID!, $text: String!, $tag: String!) { updateTodoItem(id: $id, text: $text, tag: $tag) { ${ITEM} } }`;
const MOVE = `mutation ($id: ID!, $listId: ID!) { moveTodoItem(id: $id, listId: $listId) { ${ITEM} } }`;
const DELETE = `mutation ($id: ID!) { deleteTodoItem(id: $id) }`;

interface Item {
  id: string;
  listId: string;
  text: string;
  tag: string;
  list?: { id: string; name: string } | null;
}

/** An item's data as the store holds it (its keys in the order the seed and the creates write them). */
function dataOf(item: Item): KvetchData {
  return { listId: item.listId, text: item.text, tag: item.tag };
}

/** POSTs one GraphQL request: its data, or throws with the HTTP status and the errors. */
async function post<T>(url: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (response.status !== 200 || body.errors !== undefined) throw new Error(`${response.status} ${body.errors?.map((e) => e.message).join("; ") ?? ""}`);
  return body.data!;
}

export interface HttpLoadResult extends LoadResult {
  /** Acknowledged reads, and acknowledged writes by kind. */
  reads: number;
  writes: { create: number; update: number; move: number; delete: number };
}

/**
 * runHttpClients: `clients` loops over the processes at `urls` until `until` settles (at least 20 requests
 * each, so writes straddle every phase of a fast move too); every acknowledged write goes into the model.
 * Creates carry idempotency keys `<keyPrefix>-<client>-<n>`: each run over one model needs its own prefix.
 */
export async function runHttpClients(urls: readonly string[], model: MoveModel, clients: number, until: Promise<unknown>, keyPrefix: string): Promise<HttpLoadResult> {
  const result: HttpLoadResult = { ops: 0, durations: [], failed: [], wrongReads: [], reads: 0, writes: { create: 0, update: 0, move: 0, delete: 0 } };
  let done = false;
  void until.then(
    () => (done = true),
    () => (done = true),
  );
  const all = [...model.items.keys()];
  const loops = Array.from({ length: clients }, async (_, c) => {
    const own = all.filter((_, i) => i % clients === c);
    for (let n = 0; !done || n < 20; n++) {
      const url = urls[(c + n) % urls.length]!;
      const live = own.filter((id) => model.items.get(id) !== null);
      const id = live[(n * 7 + c) % Math.max(live.length, 1)];
      // One request in 20 writes, each client at its own offsets; the kinds take turns.
      const write = (n + c) % 20 === 0 ? (Math.floor((n + c) / 20) + c) % 4 : -1;
      result.ops++;
      const started = performance.now();
      try {
        if (write === 1 && id !== undefined) {
          const { updateTodoItem } = await post<{ updateTodoItem: Item }>(url, UPDATE, { id, text: `c${c}-${n}`, tag: TAGS[(n + c) % TAGS.length]! });
          model.items.set(id, dataOf(updateTodoItem));
          result.writes.update++;
        } else if (write === 2 && id !== undefined) {
          const { moveTodoItem } = await post<{ moveTodoItem: Item }>(url, MOVE, { id, listId: model.lists[(n + c) % model.lists.length]! });
          model.items.set(id, dataOf(moveTodoItem));
          result.writes.move++;
        } else if (write === 3 && id !== undefined) {
          const { deleteTodoItem } = await post<{ deleteTodoItem: boolean }>(url, DELETE, { id });
          if (deleteTodoItem !== true) throw new Error(`deleteTodoItem(${id}) answered ${deleteTodoItem}`);
          model.items.set(id, null);
          result.writes.delete++;
        } else if (write !== -1) {
          const data = { listId: model.lists[(n * 3 + c) % model.lists.length]!, text: `new-${c}-${n}`, tag: TAGS[n % TAGS.length]! };
          const { createTodoItem } = await post<{ createTodoItem: Item }>(url, CREATE, { ...data, key: `${keyPrefix}-${c}-${n}` });
          model.items.set(createTodoItem.id, dataOf(createTodoItem));
          own.push(createTodoItem.id);
          result.writes.create++;
        } else {
          // Own items, deleted ones too (those must read as absent).
          const read = own[(n * 5 + c) % own.length]!;
          const { todoItem } = await post<{ todoItem: Item | null }>(url, VIEW, { id: read });
          result.reads++;
          const expected = model.items.get(read) ?? null;
          const got = todoItem === null ? null : dataOf(todoItem);
          if (JSON.stringify(got) !== JSON.stringify(expected) || (todoItem !== null && todoItem.list?.id !== todoItem.listId)) {
            result.wrongReads.push(`${read} from ${url}: read ${JSON.stringify(todoItem)}, acknowledged ${JSON.stringify(expected)}`);
          }
        }
      } catch (error) {
        result.failed.push(`client ${c} request ${n} to ${url}: ${(error as Error).message}`);
      }
      result.durations.push(performance.now() - started);
    }
  });
  await Promise.all(loops);
  return result;
}
