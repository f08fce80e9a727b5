// Changes heard while a live query's run is in flight are checked against the run's keys through their
// routes (keysTouchedBy, spec/reactivity.md LiveQuery 3): each key's route once against the union of the
// changes' routes, never each change's `touches` against each key — at 10,000 live views on a loaded machine a
// run heard hundreds of writes while it waited on its store, and paid for each of them against each key.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { subscribe, type LiveSource } from "../../src/index.js";
import { keysTouchedBy } from "../../src/engine/live/liveRouter.js";
import { boardQuery, boardSchema, seededBoards, until } from "./liveBoard.js";

test("keysTouchedBy: routed keys are found through the changes' routes without a touches call; a key without a route asks each change", () => {
  let touches = 0;
  const changes = Array.from({ length: 100 }, (_, i) => ({ routes: [`r:${i}`], touches: (key: string) => (touches++, key === `free:${i}`) }));
  const source: LiveSource = { onInvalidate: () => () => undefined, routeOf: (key) => (key.startsWith("free:") ? null : `r:${key.slice(2)}`) };
  const keys = ["k:5", "k:99", "k:100", "k:-1", "free:7", "free:200"];
  const into = new Set<string>();
  keysTouchedBy(source, changes, keys, into);
  assert.equal([...into], ["k:5", "k:99", "free:7"]);
  // Only the two keys without a route asked the changes: free:7 stops at the 8th, free:200 asks all 100.
  assert.is(touches, 8 + 100);
});

test("a live query's run that heard 50 unrelated writes and one of its own re-runs for its own, with no touches call", async () => {
  const store = seededBoards();
  let writing = "";
  let touches = 0;
  // The board store as a routed source: each change names the route of the record written (routeOf: the key itself).
  const source: LiveSource = {
    onInvalidate: (listener) =>
      store.onInvalidate((change) => listener(change === null ? null : { routes: [`k:${writing}`], touches: (key) => (touches++, change.touches(key)) })),
    routeOf: (key) => key,
  };
  const write = (id: string, fields: Record<string, unknown>) => {
    writing = id;
    store.update(id, fields);
  };
  const sent: ExecutionResult[] = [];
  const kinds: string[] = [];
  const live = {
    source,
    onRun: (info: { kind: string }) => void kinds.push(info.kind),
    // Run 2 is in flight (its router entry running) when these writes are heard.
    beforeRun: (run: number) => {
      if (run !== 2) return;
      for (let i = 0; i < 50; i++) write(`x${i}`, { v: i });
      write("c1", { text: "written while running" });
    },
  };
  const iterator = (await subscribe({ schema: boardSchema, document: parse(boardQuery), variableValues: { ids: ["b1"] }, contextValue: { store }, live })) as AsyncGenerator<ExecutionResult>;
  void (async () => {
    for await (const result of iterator) sent.push(result);
  })();
  assert.ok(await until(() => sent.length === 1));
  write("c2", { text: "card 2, changed" });
  assert.ok(await until(() => kinds.length === 3), `runs: ${kinds.join(", ")}`);
  assert.ok(await until(() => JSON.stringify(sent.at(-1)).includes("written while running")), "the write heard while running is shown");
  assert.is(touches, 0, "every change was routed: no touches call");
  await iterator.return(undefined);
});

test.run();
