// The cache breaker's and the write counter's rules without a server: what opens the breaker, that a probe
// runs once at a time and never for a caller to wait on, and that a counter or epoch below the floor taken
// when a round trip was sent (not merely below the highest seen since) says the Redis went back in time.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CacheBreaker, pipelineFailure } from "../../src/kvetch/cacheBreaker.js";
import { CacheClock } from "../../src/kvetch/cacheIdentity.js";
import { Kvetch, KvetchError, memoryBackend } from "../../src/kvetch/index.js";
import { contractSchema } from "../../src/kvetch/testing/index.js";

const timeout = (): Error => new Error("Command timed out");
function replyError(): Error {
  const error = new Error("ERR wrong number of arguments");
  error.name = "ReplyError";
  return error;
}

test("breaker: opens after failureThreshold round trips without an answer; an answer in between resets the count", () => {
  const breaker = new CacheBreaker({ failureThreshold: 3, probeIntervalMs: 60_000 }, async () => true);
  breaker.failed(timeout());
  breaker.failed(timeout());
  breaker.succeeded();
  breaker.failed(timeout());
  breaker.failed(timeout());
  assert.is(breaker.allows(), true, "2 consecutive failures: still closed");
  breaker.failed(timeout());
  assert.is(breaker.allows(), false);
  assert.is(breaker.state, "open");
  assert.is(breaker.probes, 0, "no probe before probeIntervalMs has passed");
});

test("breaker: an error reply is Redis answering and never counts; a timed-out pipeline reply does", () => {
  const breaker = new CacheBreaker({ failureThreshold: 1, probeIntervalMs: 60_000 }, async () => true);
  breaker.failed(replyError());
  assert.is(breaker.allows(), true);
  const notReady = new Error("the Cluster has no master yet");
  notReady.name = "CacheNotReady";
  breaker.failed(notReady);
  assert.is(breaker.allows(), true, "a check that could not be made yet is not Redis failing to answer");
  assert.is(pipelineFailure([[replyError(), null], [null, "OK"]]), null);
  const failure = pipelineFailure([[null, "OK"], [timeout(), null]]);
  assert.ok(failure !== null);
  breaker.failed(failure);
  assert.is(breaker.allows(), false);
});

test("breaker: once due, one probe at a time, in the background; its answer closes the breaker, its failure re-opens it", async () => {
  let answer = false;
  let release!: () => void;
  const breaker = new CacheBreaker({ failureThreshold: 1, probeIntervalMs: 0 }, () => new Promise((resolve) => (release = () => resolve(answer))));
  breaker.failed(timeout());
  assert.is(breaker.allows(), false, "a due probe starts, and the caller still bypasses the cache");
  assert.is(breaker.allows(), false);
  assert.is(breaker.probes, 1, "one probe in flight at a time");
  release();
  await new Promise((resolve) => setImmediate(resolve));
  assert.is(breaker.state === "closed", false, "no answer: open again");
  answer = true;
  assert.is(breaker.allows(), false);
  assert.is(breaker.probes, 2);
  release();
  await new Promise((resolve) => setImmediate(resolve));
  assert.is(breaker.allows(), true, "answered: closed");
  assert.is(breaker.consecutiveFailures, 0);
});

test("breaker: false turns it off, bad settings are a BAD_CONFIG naming the option", () => {
  const off = new CacheBreaker(false, async () => true);
  for (let i = 0; i < 10; i++) off.failed(timeout());
  assert.is(off.allows(), true);
  try {
    new Kvetch({ schema: contractSchema, backend: memoryBackend({ redis: { url: "redis://127.0.0.1:1", breaker: { failureThreshold: 0 } } }) });
    assert.unreachable("accepted failureThreshold 0");
  } catch (error) {
    assert.ok(error instanceof KvetchError);
    assert.is(error.code, "BAD_CONFIG");
    assert.match(error.message, "breaker.failureThreshold");
  }
});

test("observeWriteCounter: below the floor of its own round trip is a replacement; below a later reply's value is not", () => {
  const clock = new CacheClock();
  const early = clock.floor();
  assert.is(clock.observeWriteCounter(clock.floor(), 10, "1"), true);
  // A reply to a round trip sent before 10 was seen, handled after it: not a replacement.
  assert.is(clock.observeWriteCounter(early, 9, "1"), true);
  assert.is(clock.counter, 10);
  assert.is(clock.observeWriteCounter(clock.floor(), 9), false, "the counter went back");
  assert.is(clock.observeWriteCounter(clock.floor(), 11, "0"), false, "the epoch went back");
  assert.is(clock.observeWriteCounter(clock.floor(), null, null), false, "both gone: an empty Redis");
  assert.is(clock.observeWriteCounter(clock.floor(), 12, "2"), true);
  assert.equal([clock.counter, clock.epoch], [12, 2]);
});

test.run();
