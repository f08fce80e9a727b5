// Placement: FNV-1a test vectors (here and in spec/kvetch-storage.md, which must agree), bucket ranges,
// and the spread of generated ids over shards.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  ShardMap,
  bucketOfId,
  hashOfId,
  hashOfIndexEntry,
  indexValueKey,
  newId,
  shardOfEdge,
  shardOfId,
  shardOfIndexEntry,
} from "../../src/kvetch/index.js";
import { indexValueHash } from "../../src/kvetch/backend.js";
import { SHARD_DDL, groupEdgeRows } from "../../src/kvetch/mysqlTables.js";
import { fnv1a32 } from "../../src/kvetch/shard.js";

const spec = readFileSync(new URL("../../spec/kvetch-storage.md", import.meta.url), "utf8");
const fourShards = new ShardMap({ shards: 4 });

const ID_VECTORS: [string, number, number, number][] = [
  ["00000000-0000-7000-8000-000000000000", 3945914597, 229, 0],
  ["01890a5d-ac96-774b-bcce-b302099a8057", 491436252, 220, 0],
  ["0192f6a8-3c1e-7b2a-9f4d-6e5c8b7a6d5e", 4045114981, 613, 2],
  ["ffffffff-ffff-7fff-bfff-ffffffffffff", 2030787101, 541, 2],
  ["01a1fb49-4f6c-71d4-872f-0e35b0b481b5", 1779642268, 924, 3],
];

const INDEX_VECTORS: [number, unknown, string, number, number, number][] = [
  [1, "alice", '"alice"', 1886490382, 782, 3],
  [1, "bob", '"bob"', 202408731, 795, 3],
  [2, 42, "42", 2368176731, 603, 2],
  [2, "42", '"42"', 3510275819, 747, 2],
  [3, { b: 1, a: [true, null] }, '{"a":[true,null],"b":1}', 153769445, 485, 1],
];

test("fnv1a32: reference values", () => {
  assert.is(fnv1a32(Buffer.from("")), 0x811c9dc5);
  assert.is(fnv1a32(Buffer.from("a")), 0xe40c292c);
  assert.is(fnv1a32(Buffer.from("foobar")), 0xbf9cf968);
});

test("shardOfId: test vectors (1024 buckets, 4 shards)", () => {
  for (const [id, hash, bucket, shard] of ID_VECTORS) {
    assert.is(hashOfId(id), hash, id);
    assert.is(hashOfId(id), fnv1a32(Buffer.from(id.replace(/-/g, ""), "hex"), 8, 16), id);
    assert.is(bucketOfId(fourShards, id), bucket, id);
    assert.is(shardOfId(fourShards, id), shard, id);
    assert.is(shardOfEdge(fourShards, id), shard, id);
    assert.is(hashOfId(id.toUpperCase()), hash, "case does not change placement");
  }
});

test("hashOfId: FNV-1a over bytes 8-15 for 2,000 random ids, in either case", () => {
  for (let i = 0; i < 2000; i++) {
    const id = i % 2 === 0 ? newId() : randomUUID();
    const hash = fnv1a32(Buffer.from(id.replace(/-/g, ""), "hex"), 8, 16);
    assert.is(hashOfId(id), hash, id);
    assert.is(hashOfId(id.toUpperCase()), hash, id);
  }
});

test("shardOfIndexEntry: test vectors (1024 buckets, 4 shards)", () => {
  for (const [indexId, value, key, hash, bucket, shard] of INDEX_VECTORS) {
    assert.is(indexValueKey(value), key);
    assert.is(hashOfIndexEntry(indexId, key), hash, key);
    assert.is(hash % 1024, bucket, key);
    assert.is(shardOfIndexEntry(fourShards, indexId, key), shard, key);
  }
  assert.is(indexValueHash('"alice"'), "0a50500b2a3435fe7472877eb22d48d4");
  assert.is(indexValueHash("42"), "73475cb40a568e8da8a045ced110137e");
});

test("spec: the id vector table in spec/kvetch-storage.md matches the code", () => {
  const rows = [...spec.matchAll(/^\| `([0-9a-f-]{36})` \| (\d+) \| (\d+) \| (\d+) \|$/gm)];
  assert.is(rows.length, ID_VECTORS.length);
  for (const [, id, hash, bucket, shard] of rows) {
    assert.is(hashOfId(id!), Number(hash));
    assert.is(bucketOfId(fourShards, id!), Number(bucket));
    assert.is(shardOfId(fourShards, id!), Number(shard));
  }
});

test("spec: the index vector table in spec/kvetch-storage.md matches the code", () => {
  const rows = [...spec.matchAll(/^\| (\d+) \| `([^`]+)` \| `([^`]+)` \| (\d+) \| (\d+) \| (\d+) \|$/gm)];
  assert.is(rows.length, INDEX_VECTORS.length);
  for (const [, indexId, valueJson, key, hash, bucket, shard] of rows) {
    assert.is(indexValueKey(JSON.parse(valueJson!)), key);
    assert.is(hashOfIndexEntry(Number(indexId), key!), Number(hash));
    assert.is(Number(hash) % 1024, Number(bucket));
    assert.is(shardOfIndexEntry(fourShards, Number(indexId), key!), Number(shard));
  }
});

test("spec: the DDL quoted in spec/kvetch-storage.md is the DDL migrate runs", () => {
  const block = /```sql\n([\s\S]*?)\n```/.exec(spec);
  assert.ok(block, "spec has a sql block");
  assert.is(block![1], SHARD_DDL);
});

test("shardOfId: 10,000 generated ids fall within ±10% per shard across 4 shards", () => {
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 10_000; i++) counts[shardOfId(fourShards, newId())]!++;
  for (const count of counts) assert.ok(count >= 2250 && count <= 2750, `per-shard counts ${counts.join(", ")}`);
});

test("ShardMap: default ranges are contiguous and cover every bucket", () => {
  const map = new ShardMap({ shards: 3, buckets: 10 });
  assert.equal(map.ranges, [
    { first: 0, last: 3, shard: 0 },
    { first: 4, last: 6, shard: 1 },
    { first: 7, last: 9, shard: 2 },
  ]);
});

test("ShardMap: resharding moves buckets, not ids", () => {
  // shard 0's upper half moves to a new shard 4; every other bucket stays where it was
  const moved = new ShardMap({
    shards: 5,
    ranges: [
      { first: 0, last: 127, shard: 0 },
      { first: 128, last: 255, shard: 4 },
      { first: 256, last: 511, shard: 1 },
      { first: 512, last: 767, shard: 2 },
      { first: 768, last: 1023, shard: 3 },
    ],
  });
  for (let i = 0; i < 2000; i++) {
    const id = newId();
    const before = shardOfId(fourShards, id);
    const after = shardOfId(moved, id);
    const bucket = bucketOfId(fourShards, id);
    assert.is(bucketOfId(moved, id), bucket);
    if (bucket >= 128 && bucket <= 255) assert.is(after, 4);
    else assert.is(after, before);
  }
});

test("ShardMap: bad ranges say which bucket or range is wrong", () => {
  assert.throws(() => new ShardMap({ shards: 2, buckets: 4, ranges: [{ first: 0, last: 2, shard: 0 }] }), /bucket 3 is in no range/);
  assert.throws(
    () => new ShardMap({ shards: 2, buckets: 4, ranges: [{ first: 0, last: 2, shard: 0 }, { first: 2, last: 3, shard: 1 }] }),
    /bucket 2 is in more than one range \(range 1\)/,
  );
  assert.throws(() => new ShardMap({ shards: 2, buckets: 4, ranges: [{ first: 0, last: 3, shard: 2 }] }), /names shard 2; shards are 0\.\.1/);
  assert.throws(() => new ShardMap({ shards: 0 }), /shard count must be an integer from 1/);
  assert.throws(() => new ShardMap({ shards: 8, buckets: 4 }), /bucket count must be an integer from the shard count \(8\)/);
});

test("groupEdgeRows: parents in key order, each parent's edges in toId order, whatever order the batch gave", () => {
  const a = "00000000-0000-7000-8000-00000000000a";
  const b = "00000000-0000-7000-8000-00000000000b";
  const c = "00000000-0000-7000-8000-00000000000c";
  const rows = [
    { edgeId: 1, fromId: b, toId: c },
    { edgeId: 1, fromId: a, toId: c },
    { edgeId: 1, fromId: b, toId: a },
    { edgeId: 1, fromId: a, toId: b },
    { edgeId: 1, fromId: a, toId: a },
  ];
  const order = (batch: typeof rows): string[][] => groupEdgeRows(batch).map((group) => group.map((row) => `${row.fromId.slice(-1)}→${row.toId.slice(-1)}`));
  assert.equal(order(rows), [["a→a", "a→b", "a→c"], ["b→a", "b→c"]]);
  assert.equal(order(rows.slice().reverse()), order(rows), "two writers with the same rows in other orders lock them alike");
});

test.run();
