// LruMap (spec/plan-cache.md): the plan cache's bound on operation texts, least recently used out first.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { LruMap } from "../../src/engine/planning/lruMap.js";

test("LruMap: past its size the least recently used entry goes; get and set make an entry the most recent", () => {
  const map = new LruMap<string, number>(3);
  map.set("a", 1);
  map.set("b", 2);
  map.set("c", 3);
  assert.is(map.get("a"), 1); // a is now the most recent: b is the least
  map.set("d", 4);
  assert.is(map.size, 3);
  assert.is(map.get("b"), undefined);
  assert.equal([map.get("a"), map.get("c"), map.get("d")], [1, 3, 4]);
  map.set("c", 30); // c most recent; the order is now a, d, c
  map.set("e", 5);
  assert.is(map.get("a"), undefined);
  assert.equal([map.get("d"), map.get("c"), map.get("e")], [4, 30, 5]);
});

test("LruMap: a size of one keeps the last entry; a size that is not an integer of 1 or more is refused", () => {
  const map = new LruMap<string, number>(1);
  map.set("a", 1);
  map.set("b", 2);
  assert.equal([map.get("a"), map.get("b"), map.size], [undefined, 2, 1]);
  for (const size of [0, -1, 1.5, Number.NaN]) assert.throws(() => new LruMap(size), /size of 1 or more/);
});

test.run();
