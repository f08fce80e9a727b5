// Live queries miss nothing (spec/reactivity.md), in seeded rounds over one store with many live queries at
// once: random todo queries (test/kvetch-steps/todoQueries.ts) with random variables, each with its own random
// options (patches or full results, subtree re-runs or full ones, multiplexed or not, state kept or keys
// only, a throttle or none), and a few random writes a round (test/reactive/todoWrites.ts) made one after
// another without waiting for the live queries, so that changes arrive while re-runs are in flight. After
// each round every live query's last result (its patches applied) becomes what a fresh execute of the same
// operation returns; at the end, a few turns later, it still is. Used by test/reactive/live-random.test.ts
// (memory) and test/integration/live-random-mysql.test.ts (writes through another instance, over Redis).

import * as assert from "uvu/assert";
import { parse, print, type ExecutionResult } from "graphql";
import { execute, subscribe, type LiveOptions } from "../../src/index.js";
import type { Kvetch } from "../../src/kvetch/index.js";
import { todoSchema } from "../../examples/todo/schema.js";
import { draws, prng, type Draws } from "../safety/fuzz.js";
import { todoQuery } from "../kvetch-steps/todoQueries.js";
import { applyPatch } from "./liveBoard.js";
import type { RandomTodoStore } from "./todoWrites.js";

type Patch = Array<{ op: string; path: string; value?: unknown; from?: string }>;

/** One live query: what it runs, and its last result as a client rebuilds it. */
interface Watched {
  readonly where: string;
  readonly args: Parameters<typeof execute>[0];
  readonly iterator: AsyncGenerator<ExecutionResult | { patch: Patch }>;
  latest: { data?: unknown; errors?: unknown } | null;
  results: number;
  failure: unknown;
}

/** The store of one seed: the writes go through `store`, the live queries and fresh executes through `reader`. */
export interface LiveRandomStore {
  readonly store: RandomTodoStore;
  readonly reader: Kvetch;
  close(): Promise<void>;
}

export interface LiveRandomOptions {
  readonly seeds: readonly number[];
  readonly rounds: number;
  readonly liveQueries: number;
  /** How long a live query may take to show a round's writes (it normally shows them within a few turns). */
  readonly settleMs: number;
  open(draws: Draws & { random: () => number }): Promise<LiveRandomStore>;
}

/** What the rounds did: query-rounds whose fresh result changed, results and patches the live queries sent. */
export interface LiveRandomTally {
  rounds: number;
  writes: number;
  changed: number;
  results: number;
  patched: number;
}

/** The part of a result a client compares: data, and errors by message and path. */
function shown(result: { data?: unknown; errors?: unknown } | null): string {
  if (result === null) return "nothing yet";
  const errors = (result.errors as Array<{ message: string; path?: unknown }> | undefined)?.map((e) => ({ message: e.message, path: e.path }));
  return JSON.stringify({ data: result.data, errors });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function liveRandomRounds(options: LiveRandomOptions): Promise<LiveRandomTally> {
  const tally: LiveRandomTally = { rounds: 0, writes: 0, changed: 0, results: 0, patched: 0 };
  for (const seed of options.seeds) {
    const random = prng(seed * 7919);
    const { int, pick } = draws(random);
    const { store, reader, close } = await options.open({ random, int, pick });
    const watched: Watched[] = [];
    try {
      for (let q = 0; q < options.liveQueries; q++) {
        const document = parse(print(todoQuery({ int, pick })).replace(/^query Q\(([^)]*)\)/, "query Q($1) @live"));
        // A user half the time (the views most writes reach), else any list or item.
        const variableValues = { id: int(2) === 0 ? pick(store.users) : pick([...store.lists, ...store.items]), u: `user${int(8)}`, f: pick([1, 2, 10]), g: pick([1, 2, 5]), after: null };
        const live: LiveOptions = {
          source: reader,
          patch: int(2) === 0,
          subtrees: int(4) !== 0,
          multiplex: int(4) !== 0,
          ...(int(4) === 0 ? { retainEntries: 0 } : {}),
          ...(int(5) === 0 ? { throttleMs: 2 } : {}),
        };
        const args = { schema: todoSchema, document, variableValues, contextValue: { kvetch: reader } };
        const iterator = (await subscribe({ ...args, live })) as Watched["iterator"];
        const where = `seed ${seed} query ${q} ${JSON.stringify({ ...live, source: undefined })}: ${print(document).replace(/\s+/g, " ")} ${JSON.stringify(variableValues)}`;
        const w: Watched = { where, args, iterator, latest: null, results: 0, failure: null };
        watched.push(w);
        void (async () => {
          try {
            for await (const value of iterator) {
              w.results++;
              if ("patch" in value) {
                tally.patched++;
                w.latest = applyPatch(w.latest, value.patch) as Watched["latest"];
              } else w.latest = { data: value.data, errors: value.errors };
            }
          } catch (error) {
            w.failure = error;
          }
        })();
      }
      const history: string[] = [];
      for (let round = 0; round < options.rounds; round++) {
        const before = await Promise.all(watched.map(async (w) => shown(await execute(w.args))));
        const writes: string[] = [];
        for (let n = 1 + int(4); n > 0; n--) writes.push(await store.write());
        history.push(`round ${round}: ${writes.join("; ")}`);
        tally.rounds++;
        tally.writes += writes.length;
        for (let i = 0; i < watched.length; i++) {
          const w = watched[i]!;
          const fresh = shown(await execute(w.args));
          if (fresh !== before[i]) tally.changed++;
          for (let waited = 0; shown(w.latest) !== fresh && w.failure === null && waited < options.settleMs; waited += 5) await sleep(5);
          assert.is(w.failure, null, `${w.where}: the live query failed`);
          assert.is(shown(w.latest), fresh, `${w.where}, after ${history.slice(-3).join(" | ")}`);
        }
      }
      // Settled stays settled: a few more turns bring no result that differs from a fresh one.
      await sleep(20);
      for (const w of watched) assert.is(shown(w.latest), shown(await execute(w.args)), `${w.where}: at the end`);
      for (const w of watched) tally.results += w.results;
    } finally {
      await Promise.all(watched.map((w) => w.iterator.return(undefined)));
      await close();
    }
  }
  return tally;
}
