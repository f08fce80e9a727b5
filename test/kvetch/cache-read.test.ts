// readNode (spec/kvetch-storage.md §7.2): a single node's cache read sends each entry's value key with the write
// counter and the epoch; only entries that missed get their generation read, in a second MGET, and only those
// get a refill token. Driven through a recording client: the keys of each MGET, in order, and the replies given.

import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Redis } from "ioredis";
import type { CacheLink } from "../../src/kvetch/cacheLink.js";
import { epochKey } from "../../src/kvetch/cacheFlush.js";
import { writeCounterKey } from "../../src/kvetch/cacheIdentity.js";
import { readNode, type NodeReader } from "../../src/kvetch/cacheRead.js";

const PREFIX = "t:";
const COUNTER = writeCounterKey(PREFIX);
const EPOCH = epochKey(PREFIX);

/** A NodeReader over a client that answers each MGET from `store` (or fails the `failAt`-th one), recording it. */
function reader(store: Record<string, string>, options: { failAt?: number; counterAfterFirst?: string; replacedAt?: number } = {}) {
  const sent: string[][] = [];
  const events: string[] = [];
  let observed = 0;
  const client = {
    sendCommand(command: { name: string; args: string[] }) {
      const keys = [...command.args];
      sent.push(keys);
      if (options.failAt === sent.length) return Promise.reject(new Error("Connection is closed."));
      if (sent.length > 1 && options.counterAfterFirst !== undefined) store[COUNTER] = options.counterAfterFirst;
      return Promise.resolve(keys.map((key) => store[key] ?? null));
    },
  };
  const link = {
    incarnation: 7,
    clock: { floor: () => ({ counter: 0, epoch: 0 }) },
    breaker: { succeeded: () => events.push("succeeded"), failed: () => events.push("failed") },
    // As CacheLink.observe: a counter that went backwards (here: the `replacedAt`-th observation) means a
    // replaced Redis, and the link's incarnation moves on.
    observe(this: { incarnation: number }) {
      if (++observed !== options.replacedAt) return true;
      this.incarnation++;
      return false;
    },
  } as unknown as CacheLink;
  const r: NodeReader = { client: client as unknown as Redis, prefix: PREFIX, link, count: () => events.push("round trip") };
  return { r, sent, events };
}

const value = (tag: string) => `${PREFIX}{${tag}}:v`;
const gen = (tag: string) => `${PREFIX}{${tag}}:g`;

test("readNode: a warm read is one MGET of the value keys, the counter and the epoch: no generation key", async () => {
  const { r, sent, events } = reader({ [value("o:a")]: "A", [value("o:b")]: "B", [gen("o:a")]: "3", [COUNTER]: "12" });
  const read = await readNode(r, "node", ["o:a", "o:b"], "v");
  assert.equal(read, { values: ["A", "B"], gens: [null, null] });
  assert.equal(sent, [[value("o:a"), value("o:b"), COUNTER, EPOCH]]);
  assert.ok(!sent[0]!.some((key) => key.endsWith(":g")), "no generation key on a warm read");
  assert.equal(events, ["round trip", "succeeded"]);
});

test("readNode: misses get their generations read in a second MGET, and only they get a refill token", async () => {
  const { r, sent, events } = reader({ [value("o:b")]: "B", [gen("o:a")]: "3", [gen("o:b")]: "9", [COUNTER]: "12" });
  const read = await readNode(r, "node", ["o:a", "o:b", "o:c"], "v");
  assert.equal(read?.values, [null, "B", null]);
  assert.equal(read?.gens, ["7/12/3", null, "7/12/"], "connection / write counter / generation ('' when never bumped)");
  assert.equal(sent[1], [gen("o:a"), gen("o:c"), COUNTER, EPOCH], "the missed entries' generations, then the counter and epoch");
  assert.equal(events, ["round trip", "succeeded", "round trip", "succeeded"]);
});

test("readNode: the refill token carries the counter read with the generations, not with the values", async () => {
  const { r } = reader({ [COUNTER]: "12" }, { counterAfterFirst: "13" });
  const read = await readNode(r, "node", ["o:a"], "v");
  assert.equal(read?.gens, ["7/13/"]);
});

test("readNode: a failed generation read keeps the hits and refills nothing; a failed value read is all misses", async () => {
  const second = reader({ [value("o:b")]: "B", [COUNTER]: "1" }, { failAt: 2 });
  const read = await readNode(second.r, "node", ["o:a", "o:b"], "v");
  assert.equal(read, { values: [null, "B"], gens: [null, null] });
  assert.equal(second.events, ["round trip", "succeeded", "round trip", "failed"]);

  const first = reader({ [value("o:b")]: "B" }, { failAt: 1 });
  assert.equal(await readNode(first.r, "node", ["o:a", "o:b"], "v"), { values: [null, null], gens: [null, null] });
  assert.is(first.sent.length, 1, "no generation read after a failed value read");
  assert.equal(first.events, ["round trip", "failed"]);
});

test("readNode: a Redis replaced between the value read and the generation read answers null", async () => {
  const { r, sent } = reader({ [value("o:b")]: "B", [COUNTER]: "5" }, { replacedAt: 2 });
  assert.is(await readNode(r, "node", ["o:a", "o:b"], "v"), null);
  assert.is(sent.length, 2);
});

test("readNode: a read across a reconnect answers null", async () => {
  const { r } = reader({ [value("o:a")]: "A", [COUNTER]: "1" });
  const client = r.client as unknown as { sendCommand: (command: unknown) => Promise<unknown> };
  const send = client.sendCommand.bind(client);
  client.sendCommand = (command) => {
    (r.link as unknown as { incarnation: number }).incarnation++; // the connection was replaced while the MGET was out
    return send(command);
  };
  assert.is(await readNode(r, "node", ["o:a"], "v"), null);
});

test.run();
