// Cross-request batching against plain execute, request by request (spec/cross-request-batching.md): seeded
// rounds of concurrent requests over steps that fail in every way a step can — a per-entry error value, a
// per-entry rejection, a whole call that throws, a result list of the wrong length, a read of
// `details.request` (thrown, caught as an entry's error, or after an await), a class that opts out — with per-request opt-outs, own
// limits, malformed variables, deps, explain, the interpretive output, late arrivals and aborts. Every
// request that was not aborted must get exactly what plain `execute` gives it alone (and executeToJSON the
// same text); an aborted one gets its abort error or, if the abort came too late, its own result. Windows
// run the requests they adopt as one bucket (AdoptWindow), and merged runs fall back for every way a step
// fails that a merged run cannot vouch for: the rounds count both.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type DocumentNode } from "graphql";
import { createBatchedExecute, execute, executeToJSON, fail, makeSchema, Step, type ExecutionDetails, type GraphscaleExecutionArgs } from "../../src/index.js";
import { each, inhibitOnNull, lambda, loadOne } from "../../steps/index.js";
import { draws, prng } from "../safety/fuzz.js";

interface Item {
  id: number;
  friendId: number | null;
  friendIds: number[];
  name: string;
}

/** The data: null for negative ids and multiples of 29; everything else derived from the id. */
const itemOf = (id: number): Item | null =>
  id < 0 || id % 29 === 0 ? null : { id, friendId: id % 4 === 0 ? null : (id * 7 + 3) % 61, friendIds: [id + 1, id + 2, (id * 3) % 61].filter((x) => x % 31 !== 0), name: `n${id}` };

/** Scheduling noise (when a callback or a promise settles): its own stream, so it never changes what is generated. */
let timing = prng(1);
const later = (): Promise<void> => new Promise((resolve) => (timing() < 0.4 ? setImmediate(resolve) : resolve()));

const loadItems = async (ids: readonly number[]) => (await later(), ids.map(itemOf));
const loadItemsSync = (ids: readonly number[]) => ids.map(itemOf);
/** Rejects the whole call when any id is a multiple of 37. */
const loadItemsOrRefuse = async (ids: readonly number[]) => {
  await null;
  const refused = ids.filter((id) => id % 37 === 0);
  if (refused.length > 0) throw new Error(`refused ${refused.join(",")}`);
  return ids.map(itemOf);
};

/** A step over one dependency, `execute` given by the subclass. */
abstract class OverId extends Step<string> {
  override isAsync = true;
  constructor($id: Step) {
    super();
    this.addDependency($id);
  }
}
/** Per-entry promises; multiples of 9 reject. */
class Slow extends OverId {
  execute(d: ExecutionDetails) {
    return (d.values[0] as number[]).map(async (v) => {
      await later();
      if (v % 9 === 0) throw new Error(`slow ${v}`);
      return `s${v}`;
    });
  }
}
/** The whole call throws when it holds a multiple of 17; multiples of 5 are per-entry errors. */
class Boom extends OverId {
  async execute(d: ExecutionDetails) {
    const values = d.values[0] as number[];
    const bad = values.filter((v) => v % 17 === 0);
    if (bad.length > 0) throw new Error(`boom ${bad.join(",")}`);
    return values.map((v) => (v % 5 === 0 ? fail(new Error(`flagged ${v}`)) : `b${v}`));
  }
}
/** One result too many when the call holds a multiple of 19. */
class Wrong extends OverId {
  execute(d: ExecutionDetails) {
    const values = d.values[0] as number[];
    const out = values.map((v) => `w${v}`);
    if (values.some((v) => v % 19 === 0)) out.push("extra");
    return Promise.resolve(out);
  }
}
/** Reads its request's context at once when the call holds a multiple of 3. */
class Greet extends OverId {
  execute(d: ExecutionDetails) {
    const values = d.values[0] as number[];
    if (values.some((v) => v % 3 === 0)) {
      const { greeting } = d.request.contextValue as { greeting: string };
      return values.map((v) => `${greeting}${v}`);
    }
    return Promise.resolve(values.map((v) => `plain${v}`));
  }
}
/** Reads its request's context after an await, for ids ≡ 1 (mod 4). */
class LateRead extends OverId {
  execute(d: ExecutionDetails) {
    return (d.values[0] as number[]).map(async (v) => {
      await null;
      return v % 4 === 1 ? `${(d.request.contextValue as { greeting: string }).greeting}late${v}` : `late${v}`;
    });
  }
}
/** Reads its request's context per entry, for ids ≡ 2 (mod 3), turning a throw into that entry's error (as lambda does). */
class CaughtRead extends OverId {
  execute(d: ExecutionDetails) {
    return (d.values[0] as number[]).map((v) => {
      try {
        return v % 3 === 2 ? `${(d.request.contextValue as { greeting: string }).greeting}caught${v}` : `caught${v}`;
      } catch (error) {
        return fail(error);
      }
    });
  }
}
/** Never joins: its results show the size of its own call. */
class Alone extends OverId {
  static crossRequest = false;
  async execute(d: ExecutionDetails) {
    return (d.values[0] as number[]).map((v) => `a${v}:${d.count}`);
  }
}

const schema = makeSchema({
  typeDefs: /* GraphQL */ `
    type Query { item(id: Int!): Item  items(ids: [Int!]!): [Item]  strict(id: Int!): Item!  refusing(id: Int!): Item  sync(id: Int!): Item }
    type Item {
      id: Int!  name: String  nn: String!  friend: Item  friends: [Item!]  friendsRefusing: [Item]
      slow: String  boom: String  wrong: String  greet: String  late: String  caught: String  alone: String  lam: String
    }
  `,
  plans: {
    Query: {
      item: (_r: Step, a: any) => loadOne(a.get("id"), loadItems),
      items: (_r: Step, a: any) => each(a.get("ids"), ($id) => loadOne($id, loadItems)),
      strict: (_r: Step, a: any) => loadOne(a.get("id"), loadItems),
      refusing: (_r: Step, a: any) => loadOne(a.get("id"), loadItemsOrRefuse),
      sync: (_r: Step, a: any) => loadOne(a.get("id"), loadItemsSync),
    },
    Item: {
      id: ($i: any) => $i.get("id"),
      name: ($i: Step) =>
        lambda($i, (item: Item) => {
          if (item.id % 5 === 0) throw new Error(`name ${item.id}`);
          return item.name;
        }),
      nn: ($i: Step) => lambda($i, (item: Item) => (item.id % 6 === 0 ? null : `nn${item.id}`)),
      friend: ($i: any) => loadOne(inhibitOnNull($i.get("friendId")), loadItems),
      friends: ($i: any) => each($i.get("friendIds"), ($id) => loadOne($id, loadItems)),
      friendsRefusing: ($i: any) => each($i.get("friendIds"), ($id) => loadOne($id, loadItemsOrRefuse)),
      slow: ($i: any) => new Slow($i.get("id")),
      boom: ($i: any) => new Boom($i.get("id")),
      wrong: ($i: any) => new Wrong($i.get("id")),
      greet: ($i: any) => new Greet($i.get("id")),
      late: ($i: any) => new LateRead($i.get("id")),
      caught: ($i: any) => new CaughtRead($i.get("id")),
      alone: ($i: any) => new Alone($i.get("id")),
      lam: ($i: any) => lambda($i.get("id"), (v: number) => `l${v}`),
    },
  } as any,
});

const LEAVES = ["id", "name", "nn", "slow", "boom", "wrong", "greet", "late", "caught", "alone", "lam"];
const ROOTS = ["item(id: $id)", "items(ids: $ids)", "strict(id: $id)", "refusing(id: $id)", "sync(id: $id)"];

function generator(seed: number) {
  const random = prng(seed);
  const { int, pick } = draws(random);
  const selection = (depth: number): string => {
    const fields: string[] = [];
    for (let k = 1 + int(4); k > 0; k--) {
      const r = int(10);
      if (depth < 3 && r < 3) fields.push(`${int(3) === 0 ? `a${k}: ` : ""}${pick(["friend", "friends", "friendsRefusing"])} { ${selection(depth + 1)} }`);
      else if (r === 3) fields.push(`... on Item @include(if: $inc) { ${pick(LEAVES)} }`);
      else fields.push(`${int(4) === 0 ? `x${k}: ` : ""}${pick(LEAVES)}`);
    }
    return fields.join(" ");
  };
  const document = (): DocumentNode => {
    const second = int(3) === 0 ? ` second: item(id: $id2) { ${selection(1)} }` : "";
    return parse(`query Q($id: Int!, $ids: [Int!]!, $id2: Int!, $inc: Boolean!) { r: ${pick(ROOTS)} { ${selection(1)} }${second} }`);
  };
  return { random, int, pick, document };
}

/** A request as the round generates it: its arguments, and how it reaches the batching executor. */
interface Planned {
  args: GraphscaleExecutionArgs & { crossRequest?: boolean };
  /** Milliseconds after the round starts (-1: in the round's first synchronous pass). */
  delay: number;
  /** When its abort comes: none, at once, after a microtask, after a timer. */
  abort: "none" | "now" | "microtask" | "timer";
}

const json = (value: unknown) => JSON.stringify(value);

test("seeded rounds: every request through the batching executor gets what plain execute gives it alone", async () => {
  const tally = { requests: 0, aborted: 0, withErrors: 0, jointCalls: 0, aloneCalls: 0, windowRuns: 0, adopted: 0, fallbacks: 0 };
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const { random, int, pick, document } = generator(seed);
    timing = prng(seed + 1000);
    for (let round = 0; round < 20; round++) {
      const documents = Array.from({ length: 1 + int(3) }, document);
      const batched = createBatchedExecute({ schema, windowMs: pick([0, 1, 2]) });
      const planned: Planned[] = Array.from({ length: 2 + int(12) }, () => {
        const variableValues = { id: int(62) - 2, ids: Array.from({ length: int(5) }, () => int(62) - 2), id2: int(60), inc: random() < 0.5 };
        const args: Planned["args"] = { schema, document: pick(documents), variableValues, contextValue: { greeting: `g${int(3)}-` } };
        if (int(8) === 0) args.crossRequest = false;
        if (int(8) === 0) args.limits = { maxPageSize: 500 + int(2) };
        if (int(10) === 0) args.variableValues = { ...variableValues, id: "not an Int" };
        if (int(10) === 0) args.compileOutput = false;
        if (int(12) === 0) args.deps = true;
        if (int(15) === 0) args.explain = true;
        return { args, delay: int(4) === 0 ? int(4) : -1, abort: int(7) === 0 ? pick(["now", "microtask", "timer"] as const) : "none" };
      });
      const expected: string[] = [];
      for (const { args } of planned) {
        expected.push(json(await execute(args)));
        assert.is(await executeToJSON(args), expected.at(-1), `seed ${seed} round ${round}: executeToJSON`);
      }
      const results = await Promise.all(
        planned.map(({ args, delay, abort }) => {
          const controller = abort === "none" ? null : new AbortController();
          const run = () => batched(controller === null ? args : { ...args, signal: controller.signal });
          const result = delay < 0 ? run() : new Promise<void>((resolve) => setTimeout(resolve, delay)).then(run);
          if (abort === "now") controller!.abort();
          else if (abort === "microtask") queueMicrotask(() => controller!.abort());
          else if (abort === "timer") setTimeout(() => controller!.abort(), int(3));
          return result;
        }),
      );
      for (let i = 0; i < planned.length; i++) {
        const got = json(results[i]);
        tally.requests++;
        if (got.includes('"errors"')) tally.withErrors++;
        if (planned[i]!.abort !== "none" && got !== expected[i]) {
          tally.aborted++;
          // Its explain or deps, when asked for, come as under plain execute aborted at the same point.
          const { errors, data } = JSON.parse(got) as { errors: unknown; data: unknown };
          assert.equal({ errors, data }, { errors: [{ message: "request aborted", extensions: { code: "REQUEST_ABORTED" } }], data: null });
          continue;
        }
        assert.is(got, expected[i], `seed ${seed} round ${round} request ${i}: ${planned[i]!.args.document.loc!.source.body} ${json(planned[i]!.args.variableValues)}`);
      }
      tally.jointCalls += batched.stats.jointCalls;
      tally.aloneCalls += batched.stats.aloneCalls;
      tally.windowRuns += batched.stats.windowRuns;
      tally.adopted += batched.stats.adoptedRequests;
      tally.fallbacks += batched.stats.fallbacks;
    }
  }
  // The rounds exercised what they are for: joint calls, calls run alone (opt-outs, RetryApart), aborts, errors.
  assert.ok(tally.jointCalls > 100, `joint calls: ${tally.jointCalls}`);
  assert.ok(tally.aloneCalls > 100, `calls run alone: ${tally.aloneCalls}`);
  // Windows adopted requests, and merged runs fell back (the steps fail in every way a merged run cannot vouch for).
  assert.ok(tally.windowRuns > 30, `window runs: ${tally.windowRuns}`);
  assert.ok(tally.adopted > 20, `requests answered from a merged run: ${tally.adopted}`);
  assert.ok(tally.fallbacks > 50, `adopted requests that fell back: ${tally.fallbacks}`);
  assert.ok(tally.aborted > 10, `aborted requests: ${tally.aborted}`);
  assert.ok(tally.withErrors > tally.requests / 4, `requests with errors: ${tally.withErrors} of ${tally.requests}`);
});

test.run();
