// Stored plans edited behind a recomputed checksum, as a forger would write them (spec/plan-export.md,
// CheckImportedPlan): every leaf of the exported todo-view plan (Kvetch steps) and of a polymorphic plan
// (unions, interfaces, resolver emulation, partial planning) is changed in a few ways — a number up and
// down and to null, a boolean flipped and to null, a string extended and emptied, a null to 0 — and the
// text served by a plan store. No request throws or rejects, and none carries an internal error or a
// "Cannot read properties" message. An edit the import refuses (its structure does not hold) gives one
// warning, is planned again and gives the correct result. An edit it takes keeps a plan whose structure
// holds but whose meaning may differ (another constant, another reachable step read): a checksum the
// forger recomputes cannot tell, so those are counted, not judged.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { planBody, withBody } from "./planText.js";
import { GraphQLSchema, parse, type DocumentNode, type ExecutionResult } from "graphql";
import { execute, exportPlan, getPlanCacheStats, makeSchema } from "../../src/index.js";
import { constant, lambda } from "../../steps/index.js";
import { Kvetch, memoryBackend } from "../../src/kvetch/index.js";
import { todoKvetchSchema, todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { seedTodo } from "../../examples/todo/seed.js";
import { polymorphicSchema } from "./polymorphicSchema.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The changes made to one leaf. */
function editsOf(value: Json): Json[] {
  if (typeof value === "number") return [value + 1, value - 1, null];
  if (typeof value === "boolean") return [!value, null];
  // "constructor": a field renamed so that it would hide the step's class.
  if (typeof value === "string") return [`${value}x`, "", "constructor"];
  return [0];
}

/** Every leaf's path in a body whose shapes (a JSON text inside it) are parsed, so their leaves count too. */
function leavesOf(value: Json, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(value)) value.forEach((item, i) => leavesOf(item, [...path, i], out));
  else if (value !== null && typeof value === "object") for (const key of Object.keys(value)) leavesOf(value[key]!, [...path, key], out);
  else out.push(path);
  return out;
}

interface Subject {
  readonly schema: GraphQLSchema;
  readonly document: DocumentNode;
  readonly variableValues: { [name: string]: unknown };
  readonly contextValue?: unknown;
}

interface Tally {
  edits: number;
  refused: number;
  sameResult: number;
  meaningChanged: number;
}

const CRASH = /internal error|Cannot read properties/i;

async function fuzz(subject: Subject): Promise<Tally> {
  const { schema: base, document, variableValues, contextValue } = subject;
  const text = exportPlan(base, document, undefined, variableValues);
  const expected = JSON.parse(JSON.stringify(await execute({ schema: base, document, variableValues, contextValue }))) as ExecutionResult;
  assert.is(expected.errors, undefined);
  const body = planBody<{ [key: string]: Json }>(text);
  body.shapes = JSON.parse(body.shapes as string) as Json;
  const graphscale = (base.extensions as { graphscale: object }).graphscale;
  const tally: Tally = { edits: 0, refused: 0, sameResult: 0, meaningChanged: 0 };
  for (const path of leavesOf(body)) {
    const at = path.slice(0, -1).reduce<Json>((node, key) => (node as { [key: string]: Json })[key]!, body);
    const last = path[path.length - 1]!;
    for (const edit of editsOf((at as { [key: string]: Json })[last]!)) {
      const copy = structuredClone(body);
      (path.slice(0, -1).reduce<Json>((node, key) => (node as { [key: string]: Json })[key]!, copy) as { [key: string]: Json })[last] = edit;
      copy.shapes = JSON.stringify(copy.shapes);
      const forged = withBody(text, JSON.stringify(copy));
      const warnings: string[] = [];
      const schema = new GraphQLSchema({
        ...base.toConfig(),
        extensions: { graphscale: { ...graphscale, planStore: { get: () => forged, set: () => undefined }, onPlanWarning: (message: string) => void warnings.push(message) } },
      });
      const where = `${path.join(".")} = ${JSON.stringify(edit)}`;
      let result: ExecutionResult;
      try {
        result = JSON.parse(JSON.stringify(await execute({ schema, document, variableValues, contextValue, onInternalError: () => {} }))) as ExecutionResult;
      } catch (error) {
        assert.unreachable(`${where}: execute threw ${error instanceof Error ? error.stack : String(error)}`);
        throw error;
      }
      tally.edits++;
      for (const error of result.errors ?? []) assert.not.match(error.message, CRASH, `${where}: ${error.message}`);
      const stats = getPlanCacheStats(schema);
      if (warnings.length > 0) {
        assert.is(warnings.length, 1, `${where}: ${warnings.join("\n")}`);
        assert.equal([stats.plansImported, stats.plansBuilt], [0, 1], where);
        assert.equal(result, expected, `${where} was refused (${warnings[0]}) but planning again gave another result`);
        tally.refused++;
      } else {
        assert.equal([stats.plansImported, stats.plansBuilt], [1, 0], where);
        if (JSON.stringify(result) === JSON.stringify(expected)) tally.sameResult++;
        else tally.meaningChanged++;
      }
    }
  }
  return tally;
}

function report(name: string, tally: Tally): void {
  console.log(`${name}: ${tally.edits} edits: ${tally.refused} refused and planned again, ${tally.sameResult} taken with the same result, ${tally.meaningChanged} taken with another meaning`);
  assert.is(tally.refused + tally.sameResult + tally.meaningChanged, tally.edits);
  assert.ok(tally.refused > tally.edits / 2, `${tally.refused} of ${tally.edits} refused`);
}

test("the todo view's stored plan, every leaf edited behind a recomputed checksum: never a crash; a refused plan is planned again and right", async () => {
  const kvetch = new Kvetch({ schema: todoKvetchSchema, backend: memoryBackend({ shards: 2 }) });
  await kvetch.migrate();
  const seed = await seedTodo(kvetch, { users: 1, listsPerUser: 2, itemsPerList: 2 });
  const tally = await fuzz({ schema: todoSchema, document: parse(todoViewQuery), variableValues: { id: seed.userIds[0] }, contextValue: { kvetch } });
  report("todo view", tally);
});

test("a polymorphic stored plan, every leaf edited behind a recomputed checksum: never a crash; a refused plan is planned again and right", async () => {
  const schema = polymorphicSchema();
  const document = parse(`
    query Shapes($text: String!) {
      __typename
      me { ...Who friends { name alias: name } tags matrix pet { __typename ... on Dog { barks } ... on Cat { lives } } }
      people { name tags }
      search(text: $text) { __typename name ... on Person { friends { name } } ... on Cat { lives } }
      pets { ... on Dog { name barks } ... on Cat { name } }
      __type(name: "Dog") { name fields { name } }
    }
    fragment Who on Person { name who: name }
  `);
  const tally = await fuzz({ schema, document, variableValues: { text: "o" } });
  report("polymorphic", tally);
});

test("a stored plan of root resolvers and a registered lambda, every leaf edited behind a recomputed checksum: never a crash", async () => {
  // A Resolver over the root value takes it per entry: a plan that says it takes it as one value is refused.
  const schema = makeSchema({
    typeDefs: `type Query { a: Int v: V n(k: String): X } union V = X | Y type X { x: Int k: String } type Y { y: Int }`,
    functions: { double },
    plans: { Query: { a: () => lambda(constant(21), double) } },
    resolvers: { Query: { v: () => ({ kind: "X", x: 1 }), n: (_: unknown, { k }: { k: string | null }) => ({ kind: "X", x: 2, k }) }, V: { __resolveType: (o: { kind: string }) => o.kind } },
  });
  // Only root fields are resolvers here, so the Resolver shape (which fixes how a dependency is taken) is theirs alone.
  const tally = await fuzz({ schema, document: parse(`{ a v { __typename } n(k: "q") { __typename } }`), variableValues: {} });
  report("root resolvers", tally);
});

function double(x: number): number {
  return x * 2;
}

test.run();
