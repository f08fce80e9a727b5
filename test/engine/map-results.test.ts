// MapResults (spec/execution.md): a step's `execute` returns `mapResults(promise, map)` instead of
// `promise.then(map)`: the executor maps the promise's value in its own callback. Same results, a map that
// throws fails the call's entries as a rejection does, the batching executor takes it too, and a request
// whose last step answers this way settles one microtask sooner (counted, not timed).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { Step, createBatchedExecute, execute, makeSchema, mapResults, type ExecutionDetails, type ExecutionResults } from "../../src/index.js";
import { lambda } from "../../steps/index.js";

/** How the next Double step answers: through mapResults, through `.then`, with a map that throws, or a rejection. */
let mode: "mapped" | "then" | "mapThrows" | "rejects" = "mapped";
let maps = 0;
let executions = 0;

/** Doubles each entry's number; its data source answers the whole batch with a promise. */
class DoubleStep extends Step<number> {
  constructor($n: Step) {
    super();
    this.addDependency($n);
  }
  override isAsync = true;
  execute({ count, values: [ns] }: ExecutionDetails<[readonly number[]]>): ExecutionResults<number> {
    executions++;
    const answer = mode === "rejects" ? Promise.reject(new Error("source down")) : Promise.resolve(ns.slice(0, count));
    const map = (got: readonly number[]): number[] => {
      maps++;
      if (mode === "mapThrows") throw new Error("cannot map");
      return got.map((n) => n * 2);
    };
    return mode === "then" ? answer.then(map) : mapResults(answer, map);
  }
}

const schema = makeSchema({
  typeDefs: `type Query { doubled(n: Int!): Int numbers(upTo: Int!): [Number!]! } type Number { n: Int! doubled: Int }`,
  plans: {
    Query: {
      doubled: (_$root, args) => new DoubleStep(args.get("n")),
      numbers: (_$root, args) => lambda(args.get("upTo"), (upTo: number) => Array.from({ length: upTo }, (_, i) => ({ n: i + 1 }))),
    },
    Number: { doubled: ($number: Step) => new DoubleStep($number.get("n")) },
  },
});

const json = (value: unknown) => JSON.stringify(value);

test("mapResults: the map runs once per call, with the promise's value", async () => {
  mode = "mapped";
  maps = 0;
  executions = 0;
  const result = await execute({ schema, document: parse(`{ doubled(n: 21) numbers(upTo: 3) { n doubled } }`) });
  assert.is(json(result), json({ data: { doubled: 42, numbers: [{ n: 1, doubled: 2 }, { n: 2, doubled: 4 }, { n: 3, doubled: 6 }] } }));
  assert.is(executions, 2); // the root field, and the three numbers in one batch
  assert.is(maps, 2);
});

test("mapResults: a map that throws fails every entry of the call, as a rejection does", async () => {
  const document = parse(`{ numbers(upTo: 2) { n doubled } }`);
  mode = "mapThrows";
  const thrown = (await execute({ schema, document })) as ExecutionResult;
  mode = "rejects";
  const rejected = (await execute({ schema, document })) as ExecutionResult;
  for (const [result, message] of [
    [thrown, "cannot map"],
    [rejected, "source down"],
  ] as const) {
    assert.is(json(result.data), json({ numbers: [{ n: 1, doubled: null }, { n: 2, doubled: null }] }));
    assert.equal(
      result.errors!.map((e) => [e.message, e.path]),
      [
        [message, ["numbers", 0, "doubled"]],
        [message, ["numbers", 1, "doubled"]],
      ],
    );
  }
  mode = "mapped";
});

test("mapResults: the batching executor maps joint calls and single ones", async () => {
  mode = "mapped";
  const batched = createBatchedExecute({ schema, windowMs: 1 });
  const document = parse(`query($n: Int!) { doubled(n: $n) }`);
  executions = 0;
  const results = await Promise.all([1, 2, 3].map((n) => batched({ schema, document, variableValues: { n } })));
  assert.equal(results.map((r) => (r as ExecutionResult).data), [{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }]);
  assert.is(executions, 1); // one joint call for the three requests
  const alone = await batched({ schema, document, variableValues: { n: 5 } });
  assert.equal((alone as ExecutionResult).data, { doubled: 10 });
});

/** Microtasks that run between starting the request and its result (a ticker queues one after another). */
async function ticksUntilResult(): Promise<number> {
  let ticks = 0;
  let running = true;
  const tick = (): void => {
    if (!running) return;
    ticks++;
    queueMicrotask(tick);
  };
  const pending = execute({ schema, document: parse(`{ doubled(n: 1) }`) }) as Promise<ExecutionResult>;
  queueMicrotask(tick);
  await pending;
  running = false;
  return ticks;
}

test("mapResults: a request settles one microtask sooner than with promise.then(map)", async () => {
  mode = "then";
  await ticksUntilResult(); // plans the operation and compiles its output
  const withThen = await ticksUntilResult();
  mode = "mapped";
  const mapped = await ticksUntilResult();
  assert.is(mapped, withThen - 1);
});

test.run();
