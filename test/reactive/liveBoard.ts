// What the live-query tests share besides the todo example: a small store of boards, cards and notes behind
// a custom load step that records `k:<id>` for every record it reads (so every position kind — root list
// items, nullable objects, non-null fields, an abstract list, a JSON scalar — has dependencies), the store
// as its own LiveSource, and an RFC 6902 patch applier written from the RFC (independent of the engine's).

import { parse, type ExecutionResult } from "graphql";
import { Step, execute, makeSchema, recordDependency, subscribe, type ExecutionDetails, type FieldArgs, type LiveOptions, type LiveRunInfo, type LiveSource } from "../../src/index.js";
import { each } from "../../steps/index.js";

type Change = { touches(key: string): boolean } | null;

/** Records by id; every write bumps the record's version and tells the listeners which key moved. */
export class BoardStore implements LiveSource {
  readonly records = new Map<string, Record<string, unknown>>();
  readonly versions = new Map<string, number>();
  /** Calls of the load step (one per layer it runs in, whatever the batch). */
  calls = 0;
  private readonly listeners = new Set<(change: Change) => void>();

  onInvalidate(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  write(id: string, record: Record<string, unknown> | null): void {
    if (record === null) this.records.delete(id);
    else this.records.set(id, record);
    this.versions.set(id, (this.versions.get(id) ?? 0) + 1);
    for (const listener of [...this.listeners]) listener({ touches: (key) => key === `k:${id}` });
  }

  update(id: string, fields: Record<string, unknown>): void {
    this.write(id, { ...(this.records.get(id) ?? {}), ...fields });
  }

  /** The feed was lost: every live query must assume anything changed. */
  lose(): void {
    for (const listener of [...this.listeners]) listener(null);
  }
}

/** loadRecord($id): the record of each entry's id (null for none), recording `k:<id>` at the entry. */
class LoadRecordStep extends Step<Record<string, unknown> | null> {
  constructor($id: Step) {
    super();
    this.addDependency($id);
  }

  execute({ count, values: [ids], deps, request }: ExecutionDetails<[readonly unknown[]]>): Array<Record<string, unknown> | null> {
    const store = (request.contextValue as { store: BoardStore }).store;
    store.calls++;
    const out = new Array<Record<string, unknown> | null>(count);
    for (let i = 0; i < count; i++) {
      const id = ids[i];
      if (typeof id !== "string") {
        out[i] = null;
        continue;
      }
      deps?.record(i, `k:${id}`, store.versions.get(id) ?? 0);
      out[i] = store.records.get(id) ?? null;
    }
    return out;
  }
}

const loadRecord = ($id: Step): Step => new LoadRecordStep($id);

export const boardSchema = makeSchema({
  typeDefs: /* GraphQL */ `
    directive @live on QUERY
    scalar JSON
    type Query { boards(ids: [ID!]!): [Board]! card(id: ID!): Card stamp: Int }
    type Board { id: ID! title: String cards: [Card!]! pinned: Card items: [Item]! meta: JSON }
    type Card { id: ID! text: String! tags: [String!] note: Note }
    type Note { id: ID! body: String }
    union Item = Card | Note
  `,
  plans: {
    Query: {
      boards: (_$root: Step, args: FieldArgs) => each(args.get("ids"), ($id) => loadRecord($id)),
      card: (_$root: Step, args: FieldArgs) => loadRecord(args.get("id")),
    },
    Board: {
      cards: ($board: Step) => each($board.get("cardIds"), ($id) => loadRecord($id)),
      pinned: ($board: Step) => loadRecord($board.get("pinnedId")),
      items: ($board: Step) => each($board.get("itemIds"), ($id) => loadRecord($id)),
    },
    Card: { note: ($card: Step) => loadRecord($card.get("noteId")) },
    Item: { __planType: ($item: Step) => $item.get("type") },
  },
  resolvers: {
    // A resolver field: its dependency is recorded for the whole response (recordDependency).
    Query: {
      stamp: (_root: unknown, _args: unknown, context: { store: BoardStore }) => {
        recordDependency(context, "k:stamp", context.store.versions.get("stamp") ?? 0);
        return (context.store.records.get("stamp")?.value as number | undefined) ?? 0;
      },
    },
  },
});

/** Three boards over six cards and three notes; card c6 is on no board. */
export function seededBoards(): BoardStore {
  const store = new BoardStore();
  for (let n = 1; n <= 3; n++) store.write(`n${n}`, { type: "Note", id: `n${n}`, body: `note ${n}` });
  for (let c = 1; c <= 6; c++) store.write(`c${c}`, { type: "Card", id: `c${c}`, text: `card ${c}`, tags: [`t${c}`], noteId: c % 2 === 0 ? `n${c / 2}` : null });
  store.write("b1", { type: "Board", id: "b1", title: "one", cardIds: ["c1", "c2"], pinnedId: "c1", itemIds: ["c1", "n1"], meta: { "a/b": 1, "m~n": [1] } });
  store.write("b2", { type: "Board", id: "b2", title: "two", cardIds: ["c3", "c4", "c2"], pinnedId: null, itemIds: ["n2", "c4", "x"], meta: null });
  store.write("b3", { type: "Board", id: "b3", title: "three", cardIds: [], pinnedId: "c5", itemIds: [], meta: { "": "empty key" } });
  store.write("stamp", { value: 1 });
  store.calls = 0;
  return store;
}

export const boardQuery = /* GraphQL */ `
  query Boards($ids: [ID!]!) @live {
    stamp
    boards(ids: $ids) {
      id title meta
      cards { id text tags note { body } }
      pinned { text note { id body } }
      items { __typename ... on Card { text } ... on Note { body } }
    }
    card(id: "c6") { text }
  }
`;

/** A live query's runs and results, as a test follows them. */
export interface Followed {
  readonly runs: Array<LiveRunInfo & { calls: number }>;
  readonly sent: ExecutionResult[];
  stop(): Promise<unknown>;
}

/** Subscribes and follows: every run (with the store calls counted around it) and every value sent. */
export async function follow(args: Parameters<typeof subscribe>[0], live: LiveOptions, calls: () => number): Promise<Followed> {
  let before = 0;
  const followed: Followed = { runs: [], sent: [], stop: async () => undefined };
  const iterator = (await subscribe({
    ...args,
    live: { ...live, beforeRun: () => void (before = calls()), onRun: (info) => void followed.runs.push({ ...info, calls: calls() - before }) },
  })) as AsyncGenerator<ExecutionResult>;
  if (typeof iterator.next !== "function") throw new Error(`subscribe gave a result, not a stream: ${JSON.stringify(iterator)}`);
  followed.stop = () => iterator.return(undefined);
  void (async () => {
    for await (const value of iterator) followed.sent.push(value);
  })();
  return followed;
}

/** The board query executed afresh (no live), as the JSON a client would see: data and errors. */
export async function freshBoards(store: BoardStore, ids: readonly string[]): Promise<string> {
  const result = await execute({ schema: boardSchema, document: parse(boardQuery.replace(" @live", "")), variableValues: { ids }, contextValue: { store } });
  return JSON.stringify({ data: result.data, errors: result.errors });
}

/** A run's result as the same JSON. */
export function shown(result: ExecutionResult): string {
  return JSON.stringify({ data: result.data, errors: result.errors });
}

/** Macrotask turns (bounded; no clock) until `done` holds. */
export async function until(done: () => boolean | Promise<boolean>, turns = 2000): Promise<boolean> {
  for (let turn = 0; turn < turns; turn++) {
    if (await done()) return true;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return done();
}

/** RFC 6902 applied as the RFC says (add, remove, replace, move; RFC 6901 pointers), on a copy of `document`. */
export function applyPatch(document: unknown, patch: ReadonlyArray<{ op: string; path: string; value?: unknown; from?: string }>): unknown {
  let doc: unknown = structuredClone(document);
  for (const op of patch) {
    if (op.path === "") {
      if (op.op !== "replace") throw new Error(`applyPatch: ${op.op} at the root`);
      doc = structuredClone(op.value);
      continue;
    }
    if (op.op === "move") {
      // RFC 6902 §4.4: the value at `from` is removed, then added at `path` (evaluated after the removal).
      const [parent, last] = locate(doc, op.from ?? "");
      const value = Array.isArray(parent) ? parent[arrayIndex(last, parent.length - 1)] : parent[last];
      change(doc, "remove", op.from!, undefined);
      change(doc, "add", op.path, value);
    } else change(doc, op.op, op.path, structuredClone(op.value));
  }
  return doc;
}

function locate(doc: unknown, path: string): [any, string] {
  if (!path.startsWith("/")) throw new Error(`applyPatch: bad pointer ${path}`);
  const tokens = path.slice(1).split("/").map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
  const last = tokens.pop()!;
  let parent: any = doc;
  for (const token of tokens) {
    parent = Array.isArray(parent) ? parent[arrayIndex(token, parent.length - 1)] : parent[token];
    if (parent === null || typeof parent !== "object") throw new Error(`applyPatch: ${path} does not exist`);
  }
  return [parent, last];
}

function change(doc: unknown, op: string, path: string, value: unknown): void {
  const [parent, last] = locate(doc, path);
  if (Array.isArray(parent)) {
    if (op === "add") parent.splice(last === "-" ? parent.length : arrayIndex(last, parent.length), 0, value);
    else if (op === "remove") parent.splice(arrayIndex(last, parent.length - 1), 1);
    else if (op === "replace") parent[arrayIndex(last, parent.length - 1)] = value;
    else throw new Error(`applyPatch: unknown op ${op}`);
  } else {
    const has = Object.prototype.hasOwnProperty.call(parent, last);
    if (op === "add") parent[last] = value;
    else if (op === "remove" && has) delete parent[last];
    else if (op === "replace" && has) parent[last] = value;
    else throw new Error(`applyPatch: ${op} ${path}: no such member`);
  }
}

function arrayIndex(token: string, max: number): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token) || Number(token) > max) throw new Error(`applyPatch: bad array index ${token} (at most ${max})`);
  return Number(token);
}
