// EntryWait (spec/execution.md, SettleResults): the promises among a step's results, and a list layer's
// promised items, are awaited with a callback pair each and a count of those left — no Promise.all is given
// any of them — settling in any order, a rejection failing its own entry, a thenable's `then` called once, a
// `then` calling back at once not ending the wait early. Asserts counts and responses, never times.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { execute, makeSchema, Step, type ExecutionDetails } from "../../src/index.js";
import { constant, each } from "../../steps/index.js";

/** Promises made by the test's steps (and, while `counting` runs, the promises their `then` calls made). */
const made = new WeakSet<object>();
function later<T>(value: T, turns: number, rejects = false): Promise<T> {
  const promise = new Promise<T>((resolve, reject) => {
    const step = (left: number): void => void (left === 0 ? (rejects ? reject(new Error(typeof value === "string" ? value : JSON.stringify(value))) : resolve(value)) : setImmediate(() => step(left - 1)));
    step(turns);
  });
  made.add(promise);
  return promise;
}

/**
 * Runs `run` counting the Promise.all calls given one of the test's promises or a promise made by a `then` of
 * one (a derived promise is tagged as it is made), and the Promise.resolve calls given one of them.
 */
async function counting<T>(run: () => Promise<T>): Promise<{ result: T; allCalls: number; resolveCalls: number }> {
  const { all, resolve } = { all: Promise.all, resolve: Promise.resolve };
  const then = Promise.prototype.then;
  const ours = (v: unknown): boolean => typeof v === "object" && v !== null && made.has(v);
  let allCalls = 0;
  let resolveCalls = 0;
  Promise.all = function (this: PromiseConstructor, values: Iterable<unknown>) {
    const list = [...values];
    if (list.some(ours)) allCalls++;
    return all.call(this, list);
  } as typeof Promise.all;
  Promise.resolve = function (this: PromiseConstructor, value?: unknown) {
    if (ours(value)) resolveCalls++;
    return resolve.call(this, value);
  } as typeof Promise.resolve;
  Promise.prototype.then = function (this: Promise<unknown>, ...handlers: Parameters<Promise<unknown>["then"]>) {
    const derived = then.apply(this, handlers);
    if (made.has(this)) made.add(derived);
    return derived;
  } as typeof Promise.prototype.then;
  try {
    return { result: await run(), allCalls, resolveCalls };
  } finally {
    Object.assign(Promise, { all, resolve });
    Promise.prototype.then = then;
  }
}

const plain = (r: ExecutionResult) => JSON.parse(JSON.stringify(r));

/** A step answering each of its entries (their values, in order) with what `answer` makes of them. */
class PerEntry extends Step<string> {
  override isAsync = true;
  constructor(
    $v: Step,
    readonly answer: (values: string[]) => ReadonlyArray<PromiseLike<string>>,
  ) {
    super();
    this.addDependency($v);
  }
  execute(details: ExecutionDetails): ReadonlyArray<PromiseLike<string>> {
    return this.answer(details.values[0] as string[]);
  }
}

/** Per entry a promise settling in the reverse of the entries' order; "bad" rejects, "thenable" is a thenable. */
const thenCalls: string[] = [];
const slow = (values: string[]): ReadonlyArray<PromiseLike<string>> =>
  values.map((v, i) => {
    if (v === "thenable") return { then: (resolve: (s: string) => void) => (thenCalls.push(v), resolve(`t-${v}`)) } as PromiseLike<string>;
    return later(`s-${v}`, values.length - i, v === "bad");
  });

test("entry waits: a step's per-entry promises settle in any order into their own entries, a rejection failing its entry only, no Promise.all", async () => {
  const schema = makeSchema({
    typeDefs: "type Query { names: [Name] } type Name { v: String slow: String }",
    plans: {
      Query: { names: () => each(constant(["a", "bad", "thenable", "b", "c"]), ($v: Step) => $v) },
      Name: { v: ($v: Step) => $v, slow: ($v: Step) => new PerEntry($v, slow) },
    } as any,
  });
  thenCalls.length = 0;
  const { result, allCalls, resolveCalls } = await counting(async () => plain((await execute({ schema, document: parse("{ names { v slow } }") })) as ExecutionResult));
  assert.equal(
    result.data.names.map((n: { v: string; slow: string | null }) => [n.v, n.slow]),
    [["a", "s-a"], ["bad", null], ["thenable", "t-thenable"], ["b", "s-b"], ["c", "s-c"]],
  );
  assert.equal(result.errors.map((e: { message: string; path: unknown[] }) => [e.message, e.path]), [["s-bad", ["names", 1, "slow"]]]);
  assert.equal(thenCalls, ["thenable"]);
  // Each native promise awaited as it is (no Promise.resolve), none of them, nor their callbacks' promises, in a Promise.all.
  assert.is(resolveCalls, 0);
  assert.is(allCalls, 0);
});

test("entry waits: a list step's promised items settle into their own items, a rejection failing its item only, no Promise.all", async () => {
  /** Per entry, a list of items: two promised (settling in reverse order), one plain, one rejecting. */
  class Items extends Step<unknown[]> {
    override isAsync = true;
    execute(details: ExecutionDetails): ReadonlyArray<unknown[]> {
      return Array.from({ length: details.count }, () => [later({ n: 1 }, 3), { n: 2 }, later({ n: 3 }, 1, true), later({ n: 4 }, 2)]);
    }
  }
  const schema = makeSchema({ typeDefs: "type Query { items: [Item] } type Item { n: Int }", plans: { Query: { items: () => new Items() } } as any });
  const { result, allCalls, resolveCalls } = await counting(async () => plain((await execute({ schema, document: parse("{ items { n } }") })) as ExecutionResult));
  assert.equal(result.data, { items: [{ n: 1 }, { n: 2 }, null, { n: 4 }] });
  assert.equal(result.errors.map((e: { message: string; path: unknown[] }) => [e.message, e.path]), [[JSON.stringify({ n: 3 }), ["items", 2]]]);
  assert.is(resolveCalls, 0);
  assert.is(allCalls, 0);
});

test("entry waits: a per-entry promise whose own `then` calls back at once does not end the wait before the last entry is added", async () => {
  /** The first entry's promise has an own `then` that calls back at once; the others settle a turn later. */
  const atOnce = (values: string[]): ReadonlyArray<PromiseLike<string>> =>
    values.map((v, i) => {
      if (i !== 0) return later(`l-${v}`, 1);
      const promise = Promise.resolve(`now-${v}`);
      Object.defineProperty(promise, "then", { value: (onFulfilled?: (s: string) => unknown) => Promise.resolve(typeof onFulfilled === "function" ? onFulfilled(`now-${v}`) : `now-${v}`) });
      return promise;
    });
  const schema = makeSchema({
    typeDefs: "type Query { names: [Name] } type Name { v: String slow: String }",
    plans: { Query: { names: () => each(constant(["a", "b", "c"]), ($v: Step) => $v) }, Name: { v: ($v: Step) => $v, slow: ($v: Step) => new PerEntry($v, atOnce) } } as any,
  });
  const result = plain((await execute({ schema, document: parse("{ names { slow } }") })) as ExecutionResult);
  assert.equal(result, { data: { names: [{ slow: "now-a" }, { slow: "l-b" }, { slow: "l-c" }] } });
});

test.run();

