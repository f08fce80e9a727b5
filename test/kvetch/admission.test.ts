// Admission to a shard's connections, without servers: calls wait instead of failing, lanes are served in
// turn (one request's many calls do not starve another request's), a wait ends at queueTimeoutMs or when its
// request's signal aborts, a full queue refuses at once — each refusal an OVERLOADED error that GraphQL
// clients see with extensions.code and that the breaker does not count.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Admission, CONTEXT_QUIET_MS, keepsRequestContext, withRequest } from "../../src/kvetch/admission.js";
import { KvetchError } from "../../src/kvetch/index.js";
import { shardFailureOf } from "../../src/kvetch/errors.js";

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Admits `n` calls of one request (its own signal), each recording its name when admitted. */
function calls(admission: Admission, name: string, n: number, order: string[], signal = new AbortController().signal): Promise<void>[] {
  return withRequest({ signal }, () =>
    Array.from({ length: n }, () =>
      admission.admit("readObjects").then(() => {
        order.push(name);
      }),
    ),
  );
}

test("admission: calls beyond the free slots wait instead of failing, and each release admits one", async () => {
  const admission = new Admission(0, 2, 10_000, 60_000);
  const order: string[] = [];
  const admitted = calls(admission, "a", 500, order);
  await tick();
  assert.is(order.length, 2, "two slots: two calls run");
  assert.is(admission.queued, 498);
  for (let i = 0; i < 498; i++) admission.release();
  await Promise.all(admitted);
  assert.is(order.length, 500, "every call was served, none refused");
  assert.is(admission.queued, 0);
});

test("admission: one request's 1000 waiting calls do not starve another request's 3 — lanes are served in turn", async () => {
  const admission = new Admission(0, 1, 10_000, 60_000);
  const order: string[] = [];
  const big = calls(admission, "big", 1000, order);
  await tick();
  const small = calls(admission, "small", 3, order);
  await tick();
  for (let i = 0; i < 6; i++) {
    admission.release();
    await tick();
  }
  // the first call of big held the slot; then the lanes alternate: big, small, big, small, big, small
  assert.equal(order.slice(0, 7), ["big", "big", "small", "big", "small", "big", "small"]);
  await Promise.all(small);
  for (let i = 0; i < 1000; i++) admission.release();
  await Promise.all(big);
  assert.is(order.filter((name) => name === "big").length, 1000);
});

test("admission: a wait past queueTimeoutMs is refused with OVERLOADED (extensions.code, not masked, not a failure the breaker counts)", async () => {
  const admission = new Admission(3, 1, 10_000, 20);
  await admission.admit("readObjects");
  const refused = await admission.admit("readObjects").then(
    () => null,
    (error: unknown) => error,
  );
  assert.instance(refused, KvetchError);
  const error = refused as KvetchError & { extensions?: { code?: string }; retryAfterSeconds?: number };
  assert.is(error.code, "OVERLOADED");
  assert.equal(error.extensions, { code: "OVERLOADED" });
  assert.is(error.retryAfterSeconds, 1);
  assert.is(shardFailureOf(error), "overloaded");
  assert.match(error.message, /shard 3 is overloaded: readObjects waited 20 ms for a connection/);
  assert.is(Object.getOwnPropertySymbols(error).length, 0, "not marked internal: clients see it as it is");
  assert.is(admission.queued, 0, "the refused waiter is gone");
  admission.release();
  await admission.admit("readObjects"); // the slot came back
});

test("admission: a waiting call stops waiting when its request's signal aborts; calls after the end are refused at once", async () => {
  const admission = new Admission(0, 1, 10_000, 60_000);
  await admission.admit("readObjects");
  const controller = new AbortController();
  const waiting = withRequest({ signal: controller.signal }, () => admission.admit("readEdgeRanges"));
  const outcome = waiting.then(
    () => "admitted",
    (error: KvetchError) => error.message,
  );
  await tick();
  assert.is(admission.queued, 1);
  controller.abort();
  assert.match(await outcome, /readEdgeRanges was still waiting for a connection when its request ended/);
  assert.is(admission.queued, 0);
  const late = await withRequest({ signal: controller.signal }, () => admission.admit("readObjects")).then(
    () => "admitted",
    (error: KvetchError) => error.message,
  );
  assert.match(late, /was called after its request ended/);
  admission.release();
});

test("admission: queueLimit bounds the calls waiting at once (memory); one more is OVERLOADED at once", async () => {
  const admission = new Admission(1, 1, 5, 60_000);
  await admission.admit("readObjects");
  const order: string[] = [];
  const waiting = calls(admission, "w", 5, order);
  const refused = await admission.admit("readObjects").then(
    () => null,
    (error: KvetchError) => error,
  );
  assert.is(refused?.code, "OVERLOADED");
  assert.match(refused!.message, /found 5 calls waiting for its 1 connections \(queueLimit\)/);
  for (let i = 0; i < 5; i++) admission.release();
  await Promise.all(waiting);
  assert.is(order.length, 5);
});

test("admission: a lane whose calls timed out leaves the turn order; the slot goes to the next lane", async () => {
  const admission = new Admission(0, 1, 10_000, 30);
  await admission.admit("readObjects");
  const order: string[] = [];
  const early = calls(admission, "early", 2, order).map((call) => call.catch(() => order.push("refused")));
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(order, ["refused", "refused"]);
  const later = calls(admission, "later", 1, order);
  admission.release();
  await Promise.all([...early, ...later]);
  assert.equal(order, ["refused", "refused", "later"]);
});


test("admission: withRequest keeps the async context only from a queued call until CONTEXT_QUIET_MS pass with none waiting", async () => {
  const now = Date.now;
  let clock = now.call(Date) + 1_000_000;
  Date.now = () => clock;
  try {
    const admission = new Admission(0, 1, 10_000, 60_000);
    // quiet for longer than CONTEXT_QUIET_MS: the next request keeps no async context
    clock += CONTEXT_QUIET_MS + 1;
    withRequest({}, () => undefined);
    assert.is(keepsRequestContext(), false, "no call queued lately: no AsyncLocalStorage in use");
    await admission.admit("readObjects"); // the one slot, taken at once: nothing queued
    assert.is(keepsRequestContext(), false);
    // a call that queues turns it on; a request started from then on finds its lane after an await
    const controller = new AbortController();
    const first = withRequest({ signal: controller.signal }, () => admission.admit("readObjects"));
    assert.is(keepsRequestContext(), true, "a queued call: the async context is kept");
    const later = withRequest({ signal: controller.signal }, async () => {
      await tick();
      return admission.admit("readEdgeRanges");
    });
    const outcomes = Promise.all([first, later].map((p) => p.then(() => "admitted", (error: KvetchError) => error.message)));
    await tick();
    await tick();
    assert.is(admission.queued, 2);
    controller.abort();
    const [a, b] = await outcomes;
    assert.match(a!, /readObjects was still waiting/);
    assert.match(b!, /readEdgeRanges was still waiting/, "admitted after an await, the call still stopped with its request");
    // still kept within CONTEXT_QUIET_MS of the last queued call; off after it, once no call waits
    clock += CONTEXT_QUIET_MS - 1;
    withRequest({}, () => undefined);
    assert.is(keepsRequestContext(), true);
    clock += 2;
    withRequest({}, () => undefined);
    assert.is(keepsRequestContext(), false, "quiet again: the async context is let go");
    admission.release();
  } finally {
    Date.now = now;
  }
});
test.run();
