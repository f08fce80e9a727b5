// Incremental delivery keeps the plan's batching (spec/incremental.md): a deferred fragment's steps run once
// per layer for all its entries, after the initial payload is out; entries that exited early (null parent,
// error, empty list) never reach a deferred fragment's data source; Kvetch steps under @defer make the
// same store calls as without it; the plan cache keeps one plan per operation and `if:` value.
// graphql 17 only (graphql 16 has no @defer): there, only the clear error of experimentalExecuteIncrementally.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, versionInfo } from "graphql";
import { INTERNAL_ERROR, experimentalExecuteIncrementally, execute, exportBlocker, exportPlan, getPlanCacheStats, makeSchema, type Step } from "../../src/index.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { constant, lambda, loadOne } from "../../steps/index.js";
import { todoKvetchSchema, todoSchema } from "../../examples/todo/schema.js";
import { seedTodo } from "../../examples/todo/seed.js";

type Payload = Record<string, unknown>;

/** All payloads; `atInitial` runs when the initial payload is handed out, before any later one is asked for. */
async function payloads(result: unknown, atInitial: () => void = () => undefined): Promise<Payload[]> {
  const r = (await result) as Payload;
  atInitial();
  if (!("initialResult" in r)) return [JSON.parse(JSON.stringify(r)) as Payload];
  const out: Payload[] = [r.initialResult as Payload];
  for await (const p of r.subsequentResults as AsyncIterable<Payload>) out.push(p);
  return JSON.parse(JSON.stringify(out)) as Payload[];
}

const ITEMS = 50;
interface Row {
  readonly id: string;
  readonly bestId: string | null;
}
const rows: Row[] = Array.from({ length: ITEMS }, (_, i) => ({ id: `r${i}`, bestId: i % 5 === 0 ? null : `r${(i + 1) % ITEMS}` }));
const byId = new Map(rows.map((r) => [r.id, r]));
/** Per loader: calls and keys seen. */
const seen = { details: { calls: 0, keys: 0 }, bests: { calls: 0, keys: 0 } };

const schema = makeSchema({
  typeDefs: /* GraphQL */ `
    type Query { rows: [Row!]! none: [Row!]! }
    type Row { id: ID! detail: String best: Row broken: String! secret: String }
  `,
  plans: {
    Query: { rows: () => constant(rows), none: () => constant([]) },
    Row: {
      id: ($row: Step) => lambda($row, (r: Row) => r.id),
      detail: ($row: Step) =>
        loadOne(lambda($row, (r: Row) => r.id), (ids: readonly string[]) => {
          seen.details.calls++;
          seen.details.keys += ids.length;
          return ids.map((id) => `detail of ${id}`);
        }),
      best: ($row: Step) =>
        loadOne(lambda($row, (r: Row) => r.bestId), (ids: readonly (string | null)[]) => {
          seen.bests.calls++;
          seen.bests.keys += ids.length;
          return ids.map((id) => (id === null ? null : byId.get(id)!));
        }),
      broken: () => constant(null),
      secret: ($row: Step) =>
        lambda($row, () => {
          throw Object.assign(new Error("shard db-7.internal:3306 refused"), { [INTERNAL_ERROR]: true });
        }),
    },
  },
});

function reset(): void {
  for (const s of Object.values(seen)) {
    s.calls = 0;
    s.keys = 0;
  }
}

if (versionInfo.major < 17) {
  test("experimentalExecuteIncrementally on graphql 16: a clear error", () => {
    assert.throws(() => experimentalExecuteIncrementally({ schema, document: parse(`{ rows { id } }`) }), /needs graphql 17/);
  });
  console.log("SKIPPED test/incremental/batching.test.ts (the @defer/@stream tests): graphql 16 has no @defer or @stream");
} else {
  test("a plan that defers is not exported: exportPlan says why, exportBlocker names it", () => {
    const document = parse(`{ rows { id ... @defer { detail } } }`);
    assert.throws(() => exportPlan(schema, document), /@defer\/@stream/);
    assert.match(exportBlocker(schema, document) ?? "", /deferred layers are not written/);
    assert.not.match(exportBlocker(schema, parse(`{ rows { id ... @defer(if: false) { detail } } }`)) ?? "", /@defer/, "nothing deferred: not blocked by @defer");
  });

  test("@defer in a list of 50 items: the deferred step runs once for all 50, after the initial payload", async () => {
    reset();
    let callsAtInitial = -1;
    const out = await payloads(experimentalExecuteIncrementally({ schema, document: parse(`{ rows { id ... @defer { detail } } }`) }), () => {
      callsAtInitial = seen.details.calls;
    });
    assert.is(callsAtInitial, 0, "the initial payload is out before the deferred loader runs");
    assert.is(seen.details.calls, 1);
    assert.is(seen.details.keys, ITEMS);
    assert.is((out[0]!.pending as unknown[]).length, ITEMS);
    assert.is(out.length, 2);
    assert.is((out[1]!.incremental as unknown[]).length, ITEMS);
    assert.equal((out[1]!.incremental as Payload[])[7], { id: "7", data: { detail: "detail of r7" } });
  });

  test("nested @defer in a list: one call per deferred layer (2 calls for 40 + 40 keys)", async () => {
    reset();
    await payloads(experimentalExecuteIncrementally({ schema, document: parse(`{ rows { ... @defer { best { id ... @defer { detail } } } } }`) }));
    assert.is(seen.bests.calls, 1);
    assert.is(seen.bests.keys, ITEMS - ITEMS / 5, "loadOne leaves null keys out");
    assert.is(seen.details.calls, 1);
    assert.is(seen.details.keys, ITEMS - ITEMS / 5, "only the rows whose best is not null reach the nested fragment");
  });

  test("early exit: null parents, a failed non-null sibling and empty lists never reach the deferred data source", async () => {
    reset();
    await payloads(experimentalExecuteIncrementally({ schema, document: parse(`{ rows { best { id ... @defer { detail } } } }`) }));
    assert.is(seen.details.keys, ITEMS - ITEMS / 5);
    reset();
    const failed = await payloads(experimentalExecuteIncrementally({ schema, document: parse(`{ rows { broken ... @defer { detail } } }`) }));
    assert.is(seen.details.calls, 0, "a row nulled by its failed non-null field announces nothing and loads nothing");
    assert.is(failed.length, 1);
    reset();
    await payloads(experimentalExecuteIncrementally({ schema, document: parse(`{ none { ... @defer { detail } } }`) }));
    assert.is(seen.details.calls, 0);
  });

  test("plan cache: one plan per operation; @defer(if:) from a variable plans once per value", async () => {
    const text = `query Q($d: Boolean!) { rows { id ... @defer(if: $d) { detail } } }`;
    const document = parse(text);
    const before = getPlanCacheStats(schema).plansBuilt;
    for (let i = 0; i < 3; i++) await payloads(experimentalExecuteIncrementally({ schema, document, variableValues: { d: true } }));
    assert.is(getPlanCacheStats(schema).plansBuilt - before, 1);
    const off = await payloads(experimentalExecuteIncrementally({ schema, document, variableValues: { d: false } }));
    assert.is(off.length, 1, "if: false behaves as absent: a plain result");
    assert.is((off[0]!.data as { rows: Payload[] }).rows[3]!.detail, "detail of r3");
    for (let i = 0; i < 2; i++) await payloads(experimentalExecuteIncrementally({ schema, document, variableValues: { d: false } }));
    assert.is(getPlanCacheStats(schema).plansBuilt - before, 2);
  });

  test("a mutation with an active @defer: the root fields one after another, then the deferred work; if: false runs as execute", async () => {
    const order: string[] = [];
    const mutable = makeSchema({
      typeDefs: `type Query { a: String } type Mutation { touch(id: ID!): Row } type Row { id: ID! detail: String }`,
      resolvers: {
        Mutation: { touch: (_: unknown, args: { id: string }) => (order.push(`touch ${args.id}`), Promise.resolve({ id: args.id })) },
        Row: { detail: (row: { id: string }) => (order.push(`detail ${row.id}`), `d ${row.id}`) },
      },
    });
    const out = await payloads(experimentalExecuteIncrementally({ schema: mutable, document: parse(`mutation { a: touch(id: "m1") { id ... @defer { detail } } b: touch(id: "m2") { id ... @defer { detail } } }`) }));
    assert.equal(out[0], { data: { a: { id: "m1" }, b: { id: "m2" } }, pending: [{ id: "0", path: ["a"] }, { id: "1", path: ["b"] }], hasNext: true });
    assert.equal(order, ["touch m1", "touch m2", "detail m1", "detail m2"], "the serial root fields first, then the deferred fields");
    const plain = await experimentalExecuteIncrementally({ schema: mutable, document: parse(`mutation { touch(id: "m3") { id ... @defer(if: false) { detail } } }`) });
    assert.equal(JSON.parse(JSON.stringify(plain)), { data: { touch: { id: "m3", detail: "d m3" } } });
  });

  test("internal errors inside deferred fragments reach the client masked, as execute masks them", async () => {
    const reports: unknown[] = [];
    const out = await payloads(
      experimentalExecuteIncrementally({ schema, document: parse(`{ rows { id ... @defer { secret } } }`), onInternalError: (r) => reports.push(r) } as Parameters<typeof experimentalExecuteIncrementally>[0]),
    );
    const errors = (out[1]!.incremental as Array<{ errors: Array<{ message: string }> }>)[0]!.errors;
    assert.match(errors[0]!.message, /^Internal error \(id [0-9a-f]+\)$/);
    assert.not.match(JSON.stringify(out), /db-7/);
    assert.is(reports.length, ITEMS);
  });

  test("Kvetch todo view with the items deferred: the same store calls as without @defer", async () => {
    const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 4 }) });
    const seed = await seedTodo(kvetch, { users: 3, listsPerUser: 10, itemsPerList: 5 });
    const contextValue = { kvetch };
    const id = seed.userIds[1];
    const plain = parse(`query V($id: ID!) { todoUser(id: $id) { name todoLists(first: 10) { name todoItems(first: 5) { text } } } }`);
    const deferred = parse(`query V($id: ID!) { todoUser(id: $id) { name todoLists(first: 10) { name ... @defer(label: "items") { todoItems(first: 5) { text } } } } }`);
    kvetch.resetCounters();
    const whole = JSON.parse(JSON.stringify(await execute({ schema: todoSchema, document: plain, variableValues: { id }, contextValue })));
    const plainCalls = kvetch.counters.calls;
    kvetch.resetCounters();
    let callsAtInitial = -1;
    const out = await payloads(experimentalExecuteIncrementally({ schema: todoSchema, document: deferred, variableValues: { id }, contextValue }), () => {
      callsAtInitial = kvetch.counters.calls;
    });
    assert.is(kvetch.counters.calls, plainCalls, `store calls with @defer ${kvetch.counters.calls}, without ${plainCalls}`);
    assert.ok(callsAtInitial < plainCalls, "the item loads run after the initial payload");
    // The delivered items, put back where they belong, are the whole view.
    const lists = (out[0]!.data as { todoUser: { todoLists: Payload[] } }).todoUser.todoLists;
    const pending = out[0]!.pending as Array<{ id: string; path: unknown[] }>;
    for (const entry of out.slice(1).flatMap((p) => (p.incremental as Payload[] | undefined) ?? [])) {
      const at = pending.find((p) => p.id === entry.id)!.path;
      Object.assign(lists[at[2] as number]!, entry.data);
    }
    assert.equal(out[0]!.data, whole.data);
    await kvetch.close();
  });
}

test.run();
