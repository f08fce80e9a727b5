// What a live board view keeps, by kind of heap object: N live views held (memory backend), then N more,
// with a heap snapshot after full GCs at each; prints the heap per live query of each half and the snapshot
// difference over N by constructor (strings by their first characters, ids shown as <id>), largest first.
// The second half's figure leaves out what the first paid once (compiled code, tables filled on first use).
// Alone: `npx tsx --expose-gc bench/liveScaleHeap.ts [N] [retainEntries]`; NOSNAP=1 skips the snapshots
// (the heap figures only), SNAP=<path prefix> also writes both snapshots (<prefix>-0/-1.heapsnapshot).

import { parse, type ExecutionResult } from "graphql";
import v8 from "node:v8";
import { subscribe } from "../src/index.js";
import { Kvetch, memoryBackend } from "../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../examples/todo/schema.js";
import { seedTodo } from "../examples/todo/seed.js";

type Kinds = Map<string, { count: number; size: number }>;

/** Count and self size of the heap's objects by kind (constructor, or string prefix). */
async function heapKinds(): Promise<Kinds> {
  const kinds: Kinds = new Map();
  if (process.env.NOSNAP) return kinds;
  const chunks: Buffer[] = [];
  const stream = v8.getHeapSnapshot();
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const snapshot = JSON.parse(Buffer.concat(chunks).toString()) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = [fields.indexOf("type"), fields.indexOf("name"), fields.indexOf("self_size")];
  const { nodes, strings } = snapshot;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]!]!;
    const name = strings[nodes[i + nameAt]!]!;
    let kind = type;
    if (type === "object" || type === "closure" || type === "native" || type === "array") kind = `${type}:${name}`;
    else if (type === "string") kind = `string:${name.startsWith("{") ? "{json" : name.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>").slice(0, 40)}`;
    const k = kinds.get(kind) ?? { count: 0, size: 0 };
    k.count++;
    k.size += nodes[i + sizeAt]!;
    kinds.set(kind, k);
  }
  return kinds;
}

const n = Number(process.argv[2] ?? 1000);
const retainEntries = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
await kvetch.migrate();
const first = await seedTodo(kvetch, { users: n, listsPerUser: 5, itemsPerList: 5 });
const second = await seedTodo(kvetch, { users: n, listsPerUser: 5, itemsPerList: 5 });
const document = parse(todoViewQuery.replace("query TodoView($id: ID!)", "query TodoView($id: ID!) @live"));
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc");

async function settled(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage();
}

let firsts = 0;
const held: AsyncGenerator<ExecutionResult>[] = [];
async function hold(userIds: readonly string[]): Promise<void> {
  const want = firsts + userIds.length;
  for (const id of userIds) {
    const live = { source: kvetch, maxLiveQueries: 1e6, retainEntries };
    const iterator = (await subscribe({ schema: todoSchema, document, variableValues: { id }, contextValue: { kvetch }, live })) as AsyncGenerator<ExecutionResult>;
    held.push(iterator);
    void (async () => {
      for await (const _ of iterator) firsts++;
    })();
  }
  while (firsts < want) await new Promise((resolve) => setTimeout(resolve, 5));
}

const before = await settled();
await hold(first.userIds);
const middle = await settled();
const kinds0 = await heapKinds();
if (process.env.SNAP) v8.writeHeapSnapshot(`${process.env.SNAP}-0.heapsnapshot`);
await hold(second.userIds);
const after = await settled();
const kinds1 = await heapKinds();
if (process.env.SNAP) v8.writeHeapSnapshot(`${process.env.SNAP}-1.heapsnapshot`);
const per = (a: NodeJS.MemoryUsage, b: NodeJS.MemoryUsage) => ((b.heapUsed - a.heapUsed) / n).toFixed(0);
console.log(`${n} live board views: heap per live query ${per(before, middle)} B (first ${n}), ${per(middle, after)} B (next ${n})`);
const rows = [...kinds1]
  .map(([kind, k]) => {
    const was = kinds0.get(kind) ?? { count: 0, size: 0 };
    return { kind, count: (k.count - was.count) / n, size: (k.size - was.size) / n };
  })
  .filter((r) => Math.abs(r.size) >= 40)
  .sort((a, b) => b.size - a.size);
for (const r of rows.slice(0, 40)) console.log(`${r.size.toFixed(0).padStart(7)} B ${r.count.toFixed(2).padStart(7)} ×  ${r.kind}`);
await Promise.all(held.map((iterator) => iterator.return(undefined)));
await kvetch.close();
