// @stream items are deferred (spec/incremental.md, DeliverStreams): the steps below a streamed list's items
// from initialCount on run after the initial payload, once for all the streamed items of a layer (one
// batch), and a consumer that stops after the initial payload never reaches their data source.
// graphql 17 only (graphql 16 has no @stream).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { versionInfo } from "graphql";
import { calls, json, slowNameBatches, slowNames, start, settles, type Payload } from "./schema.js";

if (versionInfo.major < 17) {
  console.log("SKIPPED test/incremental/stream.test.ts: graphql 16 has no @stream");
} else {
  test("the initial payload is out before a streamed item's step settles; the streamed items are one batch, sent one per payload", async () => {
    const before = calls.slowNames!;
    slowNameBatches.length = 0;
    const result = await start(`{ users @stream(initialCount: 2) { id slowPlanName } }`);
    // The initial payload: two items, one loader call for both.
    assert.equal(json(result.initialResult), { data: { users: [{ id: "u1", slowPlanName: "User 1" }, { id: "u2", slowPlanName: "User 2" }] }, pending: [{ id: "0", path: ["users"] }], hasNext: true });
    assert.is(calls.slowNames! - before, 1);
    // The streamed items' step has not started: nothing read for them yet.
    assert.equal(slowNameBatches, [2]);
    const release = slowNames.hold();
    const next = result.subsequentResults.next();
    assert.is(await settles(next), false, "the payload of streamed items waits for their step");
    assert.equal(slowNameBatches, [2, 4], "one call for the four streamed items");
    release();
    // The items waited (one batch): graphql-js sends each item that waited in a payload of its own.
    const later = [json((await next).value)];
    for await (const payload of result.subsequentResults) later.push(json(payload));
    assert.equal(
      later,
      [3, 4, 5, 6].map((i) => ({ hasNext: i < 6, incremental: [{ id: "0", items: [{ id: `u${i}`, slowPlanName: `User ${i}` }] }], ...(i === 6 ? { completed: [{ id: "0" }] } : {}) })),
    );
    assert.equal(slowNameBatches, [2, 4], "still one call for the four streamed items");
    assert.is(calls.slowNames! - before, 2);
  });

  test("initialCount 0: the initial payload resolves while every item's step is held, before it even starts", async () => {
    const before = calls.slowNames!;
    const release = slowNames.hold();
    try {
      const pending = start(`{ hello users @stream(initialCount: 0) { slowPlanName } }`);
      assert.is(await settles(pending), true, "the initial payload does not wait for the held step");
      const result = await pending;
      assert.equal(json(result.initialResult), { data: { hello: "world", users: [] }, pending: [{ id: "0", path: ["users"] }], hasNext: true });
      assert.is(calls.slowNames! - before, 0);
      const next = result.subsequentResults.next();
      assert.is(await settles(next), false);
      assert.is(calls.slowNames! - before, 1);
      release();
      const payloads = [(await next).value as Payload];
      for await (const payload of result.subsequentResults) payloads.push(payload);
      assert.is(calls.slowNames! - before, 1, "one call for the six items");
      assert.is(payloads.length, 6, "one payload per item that waited, as graphql-js sends them");
    } finally {
      release();
    }
  });

  test("early exit: a consumer that stops after the initial payload never reaches the streamed items' data source", async () => {
    const before = calls.slowNames!;
    const result = await start(`{ users @stream(initialCount: 1) { slowPlanName } }`);
    assert.is(calls.slowNames! - before, 1);
    await result.subsequentResults.return();
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.is(calls.slowNames! - before, 1, "no call for the streamed items");
  });

  test("streams of one layer are one batch: every user's streamed friends' names in one loader call", async () => {
    const before = calls.names!;
    const result = await start(`{ users { friends @stream(initialCount: 1) { name } } }`);
    assert.is(calls.names! - before, 1, "the initial payload: the first friend of every user, one call");
    const later: Payload[] = [];
    for await (const payload of result.subsequentResults) later.push(payload);
    assert.is(calls.names! - before, 2, "the streamed friends of all five users: one call");
    assert.is(later.length, 1);
    assert.is((later[0]!.incremental as unknown[]).length, 5);
  });

  test("a non-null item that fails fails only its stream: the list stays in the initial payload", async () => {
    const result = await start(`{ users @stream(initialCount: 1) { id flakyNN } }`);
    assert.equal(json(result.initialResult), { data: { users: [{ id: "u1", flakyNN: "steady u1" }] }, pending: [{ id: "0", path: ["users"] }], hasNext: true });
    const later: Payload[] = [];
    for await (const payload of result.subsequentResults) later.push(json(payload) as Payload);
    assert.equal(later[0], { hasNext: true, incremental: [{ id: "0", items: [2, 3].map((i) => ({ id: `u${i}`, flakyNN: `steady u${i}` })) }] });
    assert.equal(later[1]!.completed, [{ id: "0", errors: [{ message: "flakyNN u4", locations: [{ line: 1, column: 39 }], path: ["users", 3, "flakyNN"] }] }]);
  });
}

test.run();
