// Dependencies are complete (spec/reactivity.md): seeded rounds of a random todo query with deps, a few
// random writes (texts, done flags, items moved between lists, lists moved between users, usernames, names,
// creates and deletes), then checkDeps on the response's deps. Whenever checkDeps says nothing moved, the
// same query run again must give the same response: a write that changes what a query returns always moves
// one of the keys the query recorded.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { dependenciesOf, execute } from "../../src/index.js";
import { todoSchema } from "../../examples/todo/schema.js";
import { draws, prng } from "../safety/fuzz.js";
import { todoQuery } from "../kvetch-steps/todoQueries.js";
import { randomTodoStore } from "./todoWrites.js";

test("seeded rounds: when checkDeps reports nothing moved, the query's response has not changed", async () => {
  const tally = { rounds: 0, unmoved: 0, moved: 0 };
  for (const seed of [1, 2, 3]) {
    const random = prng(seed);
    const { int, pick } = draws(random);
    const store = await randomTodoStore({ random, int, pick });
    const kvetch = store.kvetch;
    try {
      for (let round = 0; round < 60; round++) {
        const args = {
          schema: todoSchema,
          document: todoQuery({ int, pick }),
          variableValues: { id: pick([...store.users, ...store.lists, ...store.items]), u: `user${int(8)}`, f: pick([1, 2, 10]), g: pick([1, 2, 5]), after: null },
          contextValue: { kvetch },
          deps: true,
        };
        const before = await execute(args);
        const writes: string[] = [];
        for (let w = 1 + int(3); w > 0; w--) writes.push(await store.write());
        const moved = await kvetch.checkDeps(dependenciesOf(before));
        tally.rounds++;
        if (moved.length > 0) {
          tally.moved++;
          continue;
        }
        tally.unmoved++;
        const after = await execute(args);
        const where = `seed ${seed} round ${round}: ${args.document.loc!.source.body} ${JSON.stringify(args.variableValues)} after ${writes.join("; ")}`;
        assert.is(JSON.stringify({ data: after.data, errors: after.errors }), JSON.stringify({ data: before.data, errors: before.errors }), where);
      }
    } finally {
      await kvetch.close();
    }
  }
  // Both outcomes were seen often: writes that touched the query's keys, and writes that did not.
  assert.ok(tally.unmoved > tally.rounds / 2, `unmoved: ${tally.unmoved} of ${tally.rounds}`);
  assert.ok(tally.moved > 10, `moved: ${tally.moved} of ${tally.rounds}`);
});

test.run();
