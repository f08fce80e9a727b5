// The backend contract, part 4: typed and conditional writes — an update names its type and may name the
// version it expects (ifVersion); a refused update or typed delete writes nothing; an update that changes
// nothing writes nothing. Asserts rows, versions and round trips; never depends on a backend's kind.

import type { Kvetch } from "../kvetch.js";
import { KvetchError } from "../errors.js";
import type { DependencyChange } from "../reactivity.js";
import { assert, rejects, rowTotals, shardsOf, total, userWithLists } from "./contractHelpers.js";
import type { ContractTest } from "./contractHelpers.js";

/** Shard and cache round trips since the last resetCounters. */
function roundTrips(kvetch: Kvetch): { shards: number; cache: number } {
  return { shards: total(kvetch.counters.shardQueries), cache: total(Object.values(kvetch.counters.cacheRoundTrips)) };
}

export function typedWriteContract(it: ContractTest): void {
  it("typed updates: an id of another type is refused (WRONG_TYPE); nothing is written, only the rows are read", async (kvetch) => {
    const { user, lists } = await userWithLists(kvetch, "tu", 1);
    const before = await rowTotals(kvetch);
    const [listBefore] = await kvetch.getObjects([lists[0]!.id]);
    kvetch.resetCounters();
    await rejects(
      kvetch.updateObject("User", lists[0]!.id, { username: "hijack", userId: null }),
      "WRONG_TYPE",
      new RegExp(`updateObject: ${lists[0]!.id} is of type TodoList, not User; .*; nothing was written$`),
    );
    assert.equal(roundTrips(kvetch), { shards: 1, cache: 0 }, "one read of the object's shard; no write, no invalidation");
    const [listAfter] = await kvetch.getObjects([lists[0]!.id]);
    assert.equal(listAfter, listBefore, "same data and version");
    assert.equal(await rowTotals(kvetch), before, "no index entry for the username, the list's edge stays");
    assert.equal(await kvetch.countEdges("user_to_list", [user.id]), [1]);
    assert.equal((await kvetch.queryIndex("username", ["hijack"]))[0]!.edges, []);

    // In a batch (the call's type), one wrong id refuses every item: the right one is not written either.
    const other = await kvetch.createObject("User", { username: "tv" });
    kvetch.resetCounters();
    const refused = await kvetch
      .updateObjects(
        [
          { id: other.id, patch: { username: "tw" } },
          { id: lists[0]!.id, patch: { username: "tx" } },
        ],
        { type: "User", partial: true },
      )
      .then(() => null, (error: unknown) => error);
    assert.instance(refused, KvetchError);
    assert.is((refused as KvetchError).code, "WRONG_TYPE");
    assert.is(total(kvetch.counters.shardQueries), shardsOf(kvetch, [other.id, lists[0]!.id]).size, "the reads only");
    assert.equal((await kvetch.getObject(other.id))!.data, { username: "tv" });
    assert.is((await kvetch.getObject(other.id))!.version, 1);
  });

  it("typed updates: a missing object is NOT_FOUND; the type is required and the old (id, patch) call is refused", async (kvetch) => {
    const missing = "01890a5d-ac96-774b-bcce-b302099a8057";
    await rejects(kvetch.updateObject("Todo", missing, { n: 1 }), "NOT_FOUND", /updateObject: no Todo with id 01890a5d-ac96-774b-bcce-b302099a8057 \(shard \d\); nothing was written$/);
    const todo = await kvetch.createObject("Todo", { n: 1 });
    kvetch.resetCounters();
    const oldCall = kvetch.updateObject as unknown as (id: string, patch: object) => Promise<unknown>;
    await rejects(oldCall.call(kvetch, todo.id, { n: 2 }), "BAD_ARGUMENT", /updateObject takes \(type, id, patch, \{ ifVersion \}\?\): the object type first, e\.g\. updateObject\("Todo", id/);
    await rejects(kvetch.updateObjects([{ id: todo.id, patch: { n: 2 } }]), "BAD_ARGUMENT", /updateObjects items\[0\] names no type: give \{ type, id, patch \} or updateObjects\(items, \{ type: "Todo" \}\)/);
    await rejects(kvetch.updateObjects([{ type: "User", id: todo.id, patch: { n: 2 } }], { type: "Todo" }), "BAD_ARGUMENT", /items\[0\] has type User but the call's type is Todo/);
    await rejects(kvetch.updateObject("Nope", todo.id, { n: 2 }), "UNKNOWN_NAME", /Nope/);
    assert.equal(roundTrips(kvetch), { shards: 0, cache: 0 }, "refused before any I/O");
    assert.is((await kvetch.getObject(todo.id))!.version, 1);
  });

  it("empty updates: {} or a patch equal to the stored data writes nothing, keeps the version and bumps no dependency", async (kvetch) => {
    const { user, lists } = await userWithLists(kvetch, "eu", 1);
    const list = lists[0]!;
    const keys = [`object:${list.id}`, `edges:user_to_list:${user.id}`, `object:${user.id}`];
    const versions = await kvetch.dependencyVersions(keys);
    for (const patch of [{}, { userId: user.id }, { title: "eu 0", gone: undefined }]) {
      kvetch.resetCounters();
      const same = await kvetch.updateObject("TodoList", list.id, patch);
      assert.equal(roundTrips(kvetch), { shards: 1, cache: 0 }, `${JSON.stringify(patch)}: the read only — no write, no invalidation`);
      assert.equal(same, list, "returns the object as stored");
    }
    kvetch.resetCounters();
    const [a, b] = await kvetch.updateObjects([
      { type: "TodoList", id: list.id, patch: { title: "eu 0" } },
      { type: "User", id: user.id, patch: { username: "eu" } },
    ]);
    assert.equal([a!.version, b!.version], [1, 1]);
    assert.is(total(kvetch.counters.shardQueries), shardsOf(kvetch, [list.id, user.id]).size, "the reads only");
    assert.equal(await kvetch.dependencyVersions(keys), versions, "no dependency key moved");
    assert.equal(await kvetch.getObject(list.id), list);

    // A patch that does change something is written as always, and only then does the version move.
    const changed = await kvetch.updateObject("TodoList", list.id, { title: "eu 1" });
    assert.is(changed.version, 2);
    assert.ok((await kvetch.dependencyVersions(keys))[0]! !== versions[0], "the object's key moved");
  });

  it("empty updates: no invalidation reaches onInvalidate listeners, so no live query wakes up", async (kvetch) => {
    const { user, lists } = await userWithLists(kvetch, "el", 1);
    const list = lists[0]!;
    const heard: (DependencyChange | null)[] = [];
    const stop = kvetch.onInvalidate((change) => heard.push(change));
    try {
      // Until the listener hears a key of its own (with Redis: until the subscription is confirmed).
      const heardKey = async (key: string, write?: () => Promise<unknown>): Promise<void> => {
        for (let t = 0; t < 300; t++) {
          if (heard.some((change) => change === null || change.touches(key))) return;
          if (write !== undefined && t % 10 === 0) await write();
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        assert.unreachable(`the listener never heard ${key}`);
      };
      await heardKey("contract:probe", () => kvetch.invalidateDependency("contract:probe"));
      heard.length = 0;
      await kvetch.updateObject("TodoList", list.id, {});
      await kvetch.updateObject("TodoList", list.id, { userId: user.id, title: "el 0" });
      // A real write after them: its change arrives after any they would have sent.
      await kvetch.updateObject("User", user.id, { age: 1 });
      await heardKey(`object:${user.id}`);
      assert.equal(heard.filter((change) => change === null || change.touches(`object:${list.id}`) || change.touches(`edges:user_to_list:${user.id}`)).length, 0);
    } finally {
      stop();
    }
  });

  it("ifVersion: applies at that version; at another it is a CONFLICT with the current version and nothing is written", async (kvetch) => {
    const { user } = await userWithLists(kvetch, "iv", 0);
    const first = await kvetch.updateObject("User", user.id, { n: 1 }, { ifVersion: 1 });
    assert.is(first.version, 2);
    const before = await rowTotals(kvetch);
    kvetch.resetCounters();
    let conflict: unknown = null;
    await kvetch.updateObject("User", user.id, { n: 2, username: "moved" }, { ifVersion: 1 }).catch((error: unknown) => (conflict = error));
    assert.instance(conflict, KvetchError);
    assert.is((conflict as KvetchError).code, "CONFLICT");
    assert.is((conflict as KvetchError).currentVersion, 2);
    assert.match((conflict as Error).message, new RegExp(`updateObject: User ${user.id} is at version 2, not ifVersion 1; read it again and retry from version 2; nothing was written$`));
    assert.equal(roundTrips(kvetch), { shards: 1, cache: 0 }, "one read; no compare-and-set, no invalidation");
    const stored = (await kvetch.getObject(user.id))!;
    assert.equal([stored.version, stored.data], [2, { username: "iv", n: 1 }]);
    assert.equal(await rowTotals(kvetch), before);
    assert.equal((await kvetch.queryIndex("username", ["moved"]))[0]!.edges, [], "no index entry for the refused value");

    // In a batch, per item: one stale item refuses the call; nothing of the others is written.
    const todo = await kvetch.createObject("Todo", { n: 0 });
    await rejects(
      kvetch.updateObjects([
        { type: "Todo", id: todo.id, patch: { n: 1 }, ifVersion: 1 },
        { type: "User", id: user.id, patch: { n: 3 }, ifVersion: 1 },
      ]),
      "CONFLICT",
      /items\[1\]: User .* is at version 2, not ifVersion 1/,
    );
    assert.is((await kvetch.getObject(todo.id))!.version, 1);
    const [t, u] = await kvetch.updateObjects([
      { type: "Todo", id: todo.id, patch: { n: 1 }, ifVersion: 1 },
      { type: "User", id: user.id, patch: { n: 3 }, ifVersion: 2 },
    ]);
    assert.equal([t!.version, u!.version, u!.data.n], [2, 3, 3]);
    await rejects(kvetch.updateObject("Todo", todo.id, { n: 5 }, { ifVersion: 0 }), "BAD_ARGUMENT", /ifVersion must be a positive integer/);
    await rejects(
      kvetch.updateObjects([
        { type: "Todo", id: todo.id, patch: { a: 1 }, ifVersion: 2 },
        { type: "Todo", id: todo.id, patch: { b: 1 }, ifVersion: 3 },
      ]),
      "BAD_ARGUMENT",
      /items\[1\] gives .* ifVersion 3, an earlier item 2/,
    );
  });

  it("ifVersion on an update that changes nothing: checked all the same; at its version nothing is written", async (kvetch) => {
    const todo = await kvetch.createObject("Todo", { n: 1 });
    await rejects(kvetch.updateObject("Todo", todo.id, {}, { ifVersion: 7 }), "CONFLICT", /is at version 1, not ifVersion 7/);
    kvetch.resetCounters();
    assert.equal(await kvetch.updateObject("Todo", todo.id, { n: 1 }, { ifVersion: 1 }), todo);
    assert.is(total(kvetch.counters.shardQueries), 1);
  });

  it("typed deletes: a batch naming one id of another type deletes nothing, with or without partial", async (kvetch) => {
    const { user, lists } = await userWithLists(kvetch, "td", 2);
    const before = await rowTotals(kvetch);
    for (const partial of [false, true]) {
      kvetch.resetCounters();
      const error = await kvetch.deleteObjects([lists[0]!.id, user.id, lists[1]!.id], { type: "TodoList", partial: partial as true }).then(
        () => null,
        (thrown: unknown) => thrown,
      );
      assert.instance(error, KvetchError);
      assert.is((error as KvetchError).code, "WRONG_TYPE");
      assert.match((error as Error).message, new RegExp(`deleteObjects: ${user.id} is of type User, not TodoList; nothing was deleted$`));
      assert.is(total(kvetch.counters.shardQueries), shardsOf(kvetch, [user.id, ...lists.map((l) => l.id)]).size, "the reads only");
      assert.equal(await rowTotals(kvetch), before, "every object, edge and index entry stays");
    }
    assert.equal(await kvetch.deleteObjects([lists[0]!.id, lists[1]!.id], { type: "TodoList" }), [true, true]);
    assert.equal(await kvetch.countEdges("user_to_list", [user.id]), [0]);
  });
}
