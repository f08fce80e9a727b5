// mgetText: the RESP text of one node's MGET, made in one join, byte for byte what ioredis's own Command writes
// for the same keys (ASCII, multi-byte, empty, and longer than the kept length heads).
import { randomUUID } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Command } from "ioredis";
import { mgetText } from "../../src/kvetch/cacheScripts.js";

/** What ioredis writes for `MGET keys…` (its Command's own toWritable; a string for string arguments). */
function ioredisText(keys: string[]): string {
  const written = new Command("mget", keys).toWritable(null as never);
  return typeof written === "string" ? written : written.toString("utf8");
}

test("a cache read's keys: value and generation per tag, then the write counter and the epoch", () => {
  const keys: string[] = [];
  for (let i = 0; i < 52; i++) keys.push(`graphscale-test:1:{o:${randomUUID()}}:v`, `graphscale-test:1:{o:${randomUUID()}}:g`);
  keys.push("graphscale-test:1:{k:writes}", "graphscale-test:1:{k:epoch}:epoch");
  const text = mgetText(keys);
  assert.is(text, ioredisText(keys));
  assert.ok(text.startsWith("*107\r\n$4\r\nmget\r\n$"), text.slice(0, 20));
  assert.ok(text.endsWith("}:epoch\r\n"));
});

test("multi-byte keys count their UTF-8 bytes, not their characters", () => {
  const keys = ["é∂{ü}:v", "日本語", "🙂", "plain"];
  assert.is(mgetText(keys), ioredisText(keys));
  assert.ok(mgetText(["🙂"]).includes("$4\r\n🙂\r\n"), "an emoji is 4 bytes");
});

test("empty keys, no keys, and keys longer than the kept length heads", () => {
  for (const keys of [[""], [], ["x".repeat(1023)], ["x".repeat(1024)], ["y".repeat(70_000), "", "z"]]) {
    assert.is(mgetText(keys), ioredisText(keys), `${keys.length} keys of ${keys.map((k) => k.length).join(",")} characters`);
  }
});

test.run();
