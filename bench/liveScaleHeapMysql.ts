// What a live board view keeps on 4 MySQL shards + Redis (bench/liveScaleMysqlHarness.ts), by kind of heap
// object: N live views held, then N more, with a heap snapshot after full GCs at each; prints the heap and
// RSS per live query of each half and the snapshot difference over N by constructor (strings by their
// first characters, ids shown as <id>), largest first. On MySQL a row is a fresh object per read, so the
// kept values and the result's strings count in full (bench/liveScaleHeap.ts is the memory backend's).
// Alone: `npx tsx --expose-gc bench/liveScaleHeapMysql.ts [N] [retainEntries]`; SNAP=<path prefix> also
// writes both snapshots (<prefix>-0/-1.heapsnapshot: node ids are stable across them, so the objects new
// in the second are those of the second N views). Skipped with a message when MySQL or Redis is not reachable.

import v8 from "node:v8";
import { LiveScaleMysql, settledMemory } from "./liveScaleMysqlHarness.js";
import { MYSQL, reachable } from "./servers.js";

type Kinds = Map<string, { count: number; size: number }>;

/** Count and self size of the heap's objects by kind (constructor, or string prefix). */
async function heapKinds(): Promise<Kinds> {
  const chunks: Buffer[] = [];
  for await (const chunk of v8.getHeapSnapshot()) chunks.push(chunk as Buffer);
  const snapshot = JSON.parse(Buffer.concat(chunks).toString()) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = [fields.indexOf("type"), fields.indexOf("name"), fields.indexOf("self_size")];
  const kinds: Kinds = new Map();
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const type = types[snapshot.nodes[i + typeAt]!]!;
    const name = snapshot.strings[snapshot.nodes[i + nameAt]!]!;
    const kind = type.endsWith("string") ? `${type}:${name.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>").replace(/\d+/g, "#").slice(0, 40)}` : `${type}:${name}`;
    const k = kinds.get(kind) ?? { count: 0, size: 0 };
    k.count++;
    k.size += snapshot.nodes[i + sizeAt]!;
    kinds.set(kind, k);
  }
  return kinds;
}

const n = Number(process.argv[2] ?? 1000);
const retainEntries = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
if (!(await reachable(MYSQL.host, MYSQL.port)) || !(await reachable("127.0.0.1", 6379))) {
  console.log("live-scale-heap-mysql: SKIPPED — MySQL (127.0.0.1:3306) or Redis (127.0.0.1:6379) is not reachable");
  process.exit(0);
}
const scale = await LiveScaleMysql.open({ name: "liveheap", users: 2 * n });
try {
  const live = retainEntries === undefined ? {} : { retainEntries };
  const before = await settledMemory();
  await scale.subscribe(Array.from({ length: n }, (_, i) => i), live);
  const middle = await settledMemory();
  const kinds0 = await heapKinds();
  if (process.env.SNAP) v8.writeHeapSnapshot(`${process.env.SNAP}-0.heapsnapshot`);
  await scale.subscribe(Array.from({ length: n }, (_, i) => n + i), live);
  const after = await settledMemory();
  const kinds1 = await heapKinds();
  if (process.env.SNAP) v8.writeHeapSnapshot(`${process.env.SNAP}-1.heapsnapshot`);
  const per = (a: number | null, b: number | null) => (a === null || b === null ? "?" : ((b - a) / n).toFixed(0));
  console.log(`${n} live board views on MySQL: heap per live query ${per(before.heap, middle.heap)} B (first ${n}), ${per(middle.heap, after.heap)} B (next ${n}); RSS ${per(before.rss, middle.rss)} B (first ${n}; the next includes the first snapshot's)`);
  const rows = [...kinds1]
    .map(([kind, k]) => {
      const was = kinds0.get(kind) ?? { count: 0, size: 0 };
      return { kind, count: (k.count - was.count) / n, size: (k.size - was.size) / n };
    })
    .filter((r) => Math.abs(r.size) >= 40)
    .sort((a, b) => b.size - a.size);
  for (const r of rows.slice(0, 40)) console.log(`${r.size.toFixed(0).padStart(7)} B ${r.count.toFixed(2).padStart(7)} ×  ${r.kind}`);
} finally {
  await scale.close();
}
