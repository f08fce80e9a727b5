// eachShardChunk (spec/kvetch-storage.md §5 and §11.4): every shard's chunks run concurrently, at most
// chunksAtOnce of them per shard at once (the rest in their order as earlier ones finish); a shard failure goes
// to `failed` and the other chunks still run; any other error stops further chunks and rejects the call once
// the running ones ended, with the first error in the order the calls started. Counted, never timed.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { DEFAULT_CHUNKS_AT_ONCE, eachShardChunk, type ShardChunk } from "../../src/kvetch/store.js";
import { shardError } from "../../src/kvetch/errors.js";

const chunk = (shard: number, position: number): ShardChunk => ({ shard, positions: [position] });
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));
/** What a call rejected with (null when it resolved). */
const rejectionOf = (call: Promise<void>): Promise<Error | null> => call.then(() => null, (e: unknown) => e as Error);

test("every chunk runs once, at most chunksAtOnce per shard at once, shards side by side", async () => {
  const chunks = [...Array.from({ length: 10 }, (_, i) => chunk(0, i)), chunk(1, 10), chunk(2, 11)];
  const running = new Map<number, number>();
  const most = new Map<number, number>();
  const ran: number[] = [];
  await eachShardChunk(
    chunks,
    async (c) => {
      running.set(c.shard, (running.get(c.shard) ?? 0) + 1);
      most.set(c.shard, Math.max(most.get(c.shard) ?? 0, running.get(c.shard)!));
      await tick();
      ran.push(c.positions[0]!);
      running.set(c.shard, running.get(c.shard)! - 1);
    },
    () => assert.unreachable("no chunk failed"),
  );
  assert.equal([...ran].sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i));
  assert.is(most.get(0), DEFAULT_CHUNKS_AT_ONCE);
  assert.is(most.get(1), 1);
  await eachShardChunk([], async () => assert.unreachable("no chunk"), () => assert.unreachable("no chunk"));
});

test("a shard failure goes to `failed` and the call resolves; the shard's other chunks and other shards still run", async () => {
  const failedAt: number[] = [];
  const ran: number[] = [];
  await eachShardChunk(
    [chunk(0, 0), chunk(0, 1), chunk(1, 2)],
    async (c) => {
      await tick();
      if (c.positions[0] === 0) throw shardError(0, "no connection", "a test read", new Error("cut"));
      ran.push(c.positions[0]!);
    },
    (c, error) => {
      assert.is(error.code, "SHARD_UNAVAILABLE");
      failedAt.push(c.positions[0]!);
    },
  );
  assert.equal(failedAt, [0]);
  assert.equal(ran.sort(), [1, 2]);
});

test("other errors: the first in start order rejects, after the running calls ended; no further chunk starts", async () => {
  const ended: number[] = [];
  const started: number[] = [];
  // Shard 0's six chunks run four at once: chunk 1 fails late, chunk 2 fails early; chunks 4 and 5 never start.
  const run = async (c: ShardChunk) => {
    const at = c.positions[0]!;
    started.push(at);
    if (at === 1) {
      await tick();
      await tick();
      ended.push(at);
      throw new Error("late failure of chunk 1");
    }
    if (at === 2) {
      ended.push(at);
      throw new Error("early failure of chunk 2");
    }
    await tick();
    await tick();
    await tick();
    ended.push(at);
  };
  const chunks = Array.from({ length: 6 }, (_, i) => chunk(0, i));
  const error = await rejectionOf(eachShardChunk(chunks, run, () => assert.unreachable("not a shard failure")));
  assert.is(error?.message, "late failure of chunk 1", "the second lane's error: it started before the third's, which failed first");
  assert.equal(started.sort(), [0, 1, 2, 3]);
  assert.equal(ended.sort(), [0, 1, 2, 3], "every running call ended before the rejection");
  // Without lanes (chunks within chunksAtOnce), the start order decides, not the time: chunk 0 fails last.
  const second = await rejectionOf(eachShardChunk(
    [chunk(0, 0), chunk(1, 1)],
    async (c) => {
      if (c.positions[0] === 0) {
        await tick();
        throw new Error("chunk 0, later");
      }
      throw new Error("chunk 1, at once");
    },
    () => assert.unreachable("not a shard failure"),
  ));
  assert.is(second?.message, "chunk 0, later");
});

test("a `failed` that throws, a run that throws synchronously and a malformed chunk list reject the call", async () => {
  const fromFailed = await rejectionOf(eachShardChunk(
    [chunk(0, 0), chunk(1, 1)],
    async (c) => {
      if (c.positions[0] === 0) throw shardError(0, "failed", "a test read", new Error("down"));
    },
    () => {
      throw new Error("failed threw");
    },
  ));
  assert.is(fromFailed?.message, "failed threw");
  const synchronous = await rejectionOf(eachShardChunk(
    [chunk(0, 0)],
    () => {
      throw new Error("thrown before a promise");
    },
    () => assert.unreachable("not a shard failure"),
  ));
  assert.is(synchronous?.message, "thrown before a promise");
  // A throw before any call starts (here: no chunk where one is expected) rejects too, never throws at the caller.
  const malformed = eachShardChunk([null as unknown as ShardChunk], async () => undefined, () => undefined);
  assert.instance(await rejectionOf(malformed), TypeError);
});

test.run();
