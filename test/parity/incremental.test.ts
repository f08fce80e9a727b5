// Differential suite for incremental delivery (spec/incremental.md): every operation of the corpus runs
// through graphql-js 17's experimentalExecuteIncrementally (the reference, resolvers only) and through
// graphscale's (plans for part of the schema, resolver emulation for the rest), and every payload is
// compared in order: every operation must give exactly graphql-js's sequence, the "timed" ones included
// (their deferred or streamed part waits on timers — a batched source's wait, test/incremental/schema.ts —
// so graphql-js sends each group and each streamed item as it completes, and so must graphscale).
// graphql 17 only: on graphql 16 the file prints SKIPPED.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as graphql from "graphql";
import { parse } from "graphql";
import { execute, experimentalExecuteIncrementally } from "../../src/index.js";
import { planSchema, referenceSchema } from "../incremental/schema.js";

interface Case {
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  /** The deferred or streamed part waits on timers (immediately resolved promises do not count): counted apart. */
  readonly timed?: boolean;
}

const U = "id name";
const corpus: Case[] = [
  // @defer at the root
  { query: `{ hello ... @defer { viewer { id } } }` },
  { query: `{ ... @defer { hello } }` },
  { query: `{ hello ... @defer(label: "later") { viewer { ${U} } } }` },
  { query: `{ hello ... @defer { hello } }` },
  { query: `{ ... @defer { hello } ... @defer { viewer { id } } }` },
  { query: `{ ... @defer(label: "a") { hello } ... @defer(label: "b") { numbers } }` },
  { query: `query Q { ...F @defer } fragment F on Query { hello viewer { name } }` },
  { query: `query Q { viewer { id } ...F @defer(label: "spread") } fragment F on Query { viewer { name } }` },
  { query: `{ ... @defer { viewer { id } } ... @defer { viewer { name } } }` },
  { query: `{ ... @defer { viewer { id } } viewer { ... @defer { name } } }` },
  { query: `{ viewer { id } ... @defer { viewer { id name } } }` },
  // @defer on objects
  { query: `{ viewer { id ... @defer { name } } }` },
  { query: `{ viewer { ... @defer { name posts { title } } } }` },
  { query: `{ viewer { id ... @defer { name best { id ... @defer { name } } } } }` },
  { query: `{ viewer { ... @defer { name ... @defer { id } } } }` },
  { query: `{ user(id: "u3") { id ... @defer(label: "profile") { name tags } } }` },
  { query: `{ user(id: "nope") { id ... @defer { name } } }` },
  { query: `{ nullUser { id ... @defer { name } } hello }` },
  { query: `{ viewer { best { best { ... @defer { name } } } } }` },
  { query: `{ user(id: "u6") { best { ... @defer { name } } ... @defer { id } } }` },
  // @defer inside lists
  { query: `{ users { id ... @defer { name } } }` },
  { query: `{ users { ... @defer { name posts { id title } } } }` },
  { query: `{ users { id friends { id ... @defer { name } } } }` },
  { query: `{ users { ... @defer { friends { ... @defer { name } } } } }` },
  { query: `{ maybeUsers { id ... @defer { name } } }` },
  { query: `{ emptyUsers { id ... @defer { name } } hello }` },
  { query: `{ users { id posts { ... @defer(label: "post") { title author { name } } } } }` },
  { query: `{ users { id ... @defer { name } ... @defer { tags } } }` },
  // errors inside deferred fragments
  { query: `{ viewer { id ... @defer { bad } } }` },
  { query: `{ viewer { id ... @defer { badNN } } }` },
  { query: `{ viewer { id ... @defer { name badNN } ... @defer { tags } } }` },
  { query: `{ users { id ... @defer { bad } } }` },
  { query: `{ users { id ... @defer { badNN } } }` },
  { query: `{ ... @defer { failing } hello }` },
  { query: `{ ... @defer { failingNN } hello }` },
  { query: `{ viewer { ... @defer { best { badNN } } } }` },
  { query: `{ viewer { ... @defer { best { ... @defer { badNN } } name } } }` },
  // early exit: null parents and errors above deferred fragments
  { query: `{ viewer { badNN ... @defer { name } } hello }` },
  { query: `{ failingNN ... @defer { hello } }` },
  { query: `{ users { badNN ... @defer { name } } }` },
  { query: `{ maybeUsers { ... @defer { name } } }` },
  { query: `{ viewer { best { bad ... @defer { name } } } }` },
  // abstract types
  { query: `{ nodes { id ... on User @defer { name } } }` },
  { query: `{ nodes { ... on Post @defer(label: "post") { title } ... on User { name } } }` },
  { query: `{ nodes { id ... @defer { ... on User { name } ... on Post { title } } } }` },
  { query: `{ search { ... on User { id ... @defer { name } } ... on Post { id ... @defer { title bad } } } }` },
  { query: `{ search { __typename ... @defer { ... on Node { id } } } }` },
  // if: and variables
  { query: `query Q($d: Boolean!) { viewer { id ... @defer(if: $d) { name } } }`, variables: { d: true } },
  { query: `query Q($d: Boolean!) { viewer { id ... @defer(if: $d) { name } } }`, variables: { d: false } },
  { query: `{ viewer { id ... @defer(if: false) { name } } }` },
  { query: `query Q($l: String) { viewer { ... @defer(label: $l) { name } } }`, variables: { l: "from variable" } },
  { query: `query Q($s: Boolean!) { users @stream(if: $s, initialCount: 1) { id } }`, variables: { s: true } },
  { query: `query Q($s: Boolean!) { users @stream(if: $s, initialCount: 1) { id } }`, variables: { s: false } },
  { query: `query Q($n: Int!) { numbers @stream(initialCount: $n) }`, variables: { n: 2 } },
  // @stream
  { query: `{ users @stream { id } }` },
  { query: `{ users @stream(initialCount: 1) { id name } }` },
  { query: `{ users @stream(initialCount: 3, label: "rest") { id } }` },
  { query: `{ users @stream(initialCount: 6) { id } }` },
  { query: `{ users @stream(initialCount: 10) { id } }` },
  { query: `{ numbers @stream(initialCount: 1) }` },
  { query: `{ numbers @stream }` },
  { query: `{ emptyUsers @stream { id } }` },
  { query: `{ users @stream(initialCount: 2) { id ... @defer { name } } }` },
  { query: `{ users @stream(initialCount: 1) { id ... @defer { name } } ... @defer { hello } }` },
  { query: `{ users @stream(initialCount: 4) { id bad } }` },
  { query: `{ viewer { friends @stream(initialCount: 1) { name } } }` },
  { query: `{ users { tags @stream(initialCount: 1) } }` },
  { query: `{ viewer { ... @defer { friends @stream(initialCount: 0) { id } } } }` },
  { query: `{ maybeUsers @stream(initialCount: 1) { id } }` },
  { query: `{ nodes @stream(initialCount: 2) { id ... on User { name } } }` },
  // fragments, aliases, __typename, defaults
  { query: `query Q { viewer { ...F @defer } } fragment F on User { name best { ...G @defer(label: "inner") } } fragment G on User { id }` },
  { query: `query Q { viewer { ...F @defer best { ...F } } } fragment F on User { name }` },
  { query: `{ nodes { ... on Post @defer { title } } }` },
  { query: `{ users { ... @defer { id } } all: users { id } }` },
  { query: `{ viewer { ... @defer { __typename id } } }` },
  { query: `{ a: viewer { ... @defer { n: name } } b: user(id: "u2") { ... @defer { n: name } } }` },
  { query: `query Q($d: Boolean! = true) { viewer { ... @defer(if: $d) { name } } }` },
  { query: `{ failing ... @defer { hello } }` },
  { query: `{ users @stream(initialCount: 1) { tags @stream(initialCount: 1) } }` },
  { query: `{ users { ... @defer { friends @stream(initialCount: 1) { id } } } }` },
  { query: `{ search @stream(initialCount: 0) { ... on User { name } ... on Post { title } } }` },
  { query: `{ viewer { posts { ... @defer { author { ... @defer { name } } } } } }` },
  // asynchronous resolvers (promises in deferred parts)
  { query: `{ viewer { id ... @defer { asyncName } } }` },
  { query: `{ users { id ... @defer { asyncName } } }` },
  { query: `{ viewer { id ... @defer { asyncBad } } }` },
  { query: `{ asyncHello ... @defer { hello } }` },
  { query: `{ ... @defer { asyncHello } hello }` },
  { query: `{ viewer { ... @defer { asyncName ... @defer { name } } } }` },
  { query: `{ asyncNumbers @stream(initialCount: 1) }` },
  // deferred parts that wait on timers: graphql-js sends each group when it completes
  { query: `{ viewer { id ... @defer { slowName } } }`, timed: true },
  { query: `{ users { id ... @defer { slowName } } }`, timed: true },
  { query: `{ viewer { ... @defer { slowName } ... @defer { name } } }`, timed: true },
  { query: `{ viewer { ... @defer { slowName best { ... @defer { slowName } } } } }`, timed: true },
  { query: `{ users @stream(initialCount: 1) { id ... @defer { slowName } } }`, timed: true },
  // @stream items are deferred: their steps run after the initial payload (spec/incremental.md, DeliverStreams)
  { query: `{ users @stream(initialCount: 1) { id slowPlanName } }`, timed: true },
  { query: `{ users @stream(initialCount: 2) { slowPlanName friends { slowPlanName } } hello }`, timed: true },
  { query: `{ users @stream(initialCount: 1) { id flakyNN } }` },
  { query: `{ users @stream(initialCount: 3) { id flakyNN } }` },
  { query: `{ users @stream(initialCount: 4) { id flakyNN } }` },
  { query: `{ users @stream { flakyNN } }` },
  { query: `{ looseUsers @stream(initialCount: 1) { id flakyNN } }` },
  { query: `{ looseUsers @stream(initialCount: 2) { id name bad } }` },
  { query: `{ users @stream(initialCount: 1) { id friends @stream(initialCount: 1) { id name } } }` },
  { query: `{ users @stream(initialCount: 1) { friends @stream { flakyNN } } }` },
  { query: `{ viewer { ... @defer { friends @stream(initialCount: 1) { id name } } } }` },
  { query: `{ users @stream(initialCount: 1) { ... @defer { friends @stream(initialCount: 1) { name } } } }` },
  { query: `{ viewer { ... @defer { friends @stream(initialCount: 1) { id ... @defer { name } } } } }` },
  { query: `{ viewer { ... @defer { friends @stream(initialCount: 0) { id ... @defer { name } } } } }` },
  { query: `{ users @stream(initialCount: 1) { ... @defer { friends @stream(initialCount: 1) { id ... @defer { name } } } } }` },
  { query: `{ ... @defer { users @stream(initialCount: 1) { ... @defer { name } } } }` },
  { query: `{ nodes @stream(initialCount: 1) { ... on User @defer { friends @stream(initialCount: 1) { id ... @defer { name } } } } }` },
  { query: `mutation { touchAll @stream(initialCount: 1) { ... @defer { friends @stream(initialCount: 0) { id } } } }` },
  { query: `{ users @stream(initialCount: 2) { id posts { title ... @defer { author { name } } } } }` },
  { query: `{ a: users @stream(initialCount: 1) { name } b: users @stream(initialCount: 5, label: "b") { id } }` },
  { query: `{ nodes @stream(initialCount: 1) { ... on User { name friends @stream { id } } ... on Post { title } } }` },
  { query: `{ users @stream(initialCount: 5) { id asyncName } }` },
  // streams of leaves: items completed by the stream (a non-null item that fails fails only the stream)
  { query: `{ strictNumbers @stream(initialCount: 1) }` },
  { query: `{ strictNumbers @stream(initialCount: 2) hello }` },
  { query: `{ strictNumbers @stream(initialCount: 3) }` },
  { query: `{ asyncStrictNumbers @stream(initialCount: 1) }` },
  { query: `{ mixedNumbers @stream(initialCount: 0) }` },
  { query: `{ mixedNumbers @stream(initialCount: 2) }` },
  { query: `{ ... @defer { strictNumbers @stream(initialCount: 1) } hello }` },
  { query: `{ a: strictNumbers @stream(initialCount: 1) b: numbers @stream(initialCount: 1) }` },
  { query: `{ b: numbers @stream(initialCount: 1) c: mixedNumbers @stream(initialCount: 1) }` },
  { query: `{ numbers @stream(initialCount: 2) asyncNumbers @stream(initialCount: 0) mixedNumbers @stream(initialCount: 3) }` },
  { query: `{ a: strictNumbers @stream(initialCount: 1) b: numbers @stream(initialCount: 1) c: mixedNumbers @stream(initialCount: 1) }` },
  { query: `{ a: asyncStrictNumbers @stream(initialCount: 1) c: mixedNumbers @stream(initialCount: 0) }` },
  // a list whose iterator throws after its items: the stream fails after them, at the list's path
  { query: `{ brokenNumbers @stream(initialCount: 1) }` },
  { query: `{ brokenNumbers @stream(initialCount: 3) }` },
  { query: `{ brokenNumbers @stream(initialCount: 4) }` },
  { query: `{ brokenUsers @stream(initialCount: 1) { id name } }` },
  { query: `{ brokenUsers @stream(initialCount: 3) { id ... @defer { name } } }` },
  { query: `{ brokenUsers @stream(initialCount: 4) { id } }` },
  // mutations: the root fields one after another, then the deferred work
  { query: `mutation { touch(id: "u1") { id ... @defer { name } } }` },
  { query: `mutation { a: touch(id: "u1") { id ... @defer { name } } b: touch(id: "u2") { ... @defer(label: "b") { name friends { id } } } }` },
  { query: `mutation { touchAll @stream(initialCount: 1) { id name } }` },
  { query: `mutation { touch(id: "u1") { id } failTouch { id ... @defer { name } } }` },
  { query: `mutation { touch(id: "u1") { ... @defer { badNN } } touchAll { id ... @defer { flakyNN } } }` },
  { query: `mutation { touch(id: "u3") { ... @defer { slowName } } }`, timed: true },
  { query: `mutation { touch(id: "u1") { id } ... @defer { b: touch(id: "u2") { id } } }` },
  // each streamed item waits on a promise: graphql-js sends each item in a payload of its own
  { query: `{ users @stream(initialCount: 1) { asyncBad } }`, timed: true },
  { query: `{ looseUsers @stream(initialCount: 3) { asyncName flakyNN } }`, timed: true },
  // groups with different waits in one wave: each goes out when its own wait is over
  { query: `{ viewer { ... @defer { slowerName } ... @defer { slowName } ... @defer { name } } }`, timed: true },
  { query: `{ users { id ... @defer { slowerName } ... @defer { slowName } } }`, timed: true },
  { query: `{ viewer { ... @defer(label: "slower") { slowerName } best { ... @defer { slowName } } } }`, timed: true },
  { query: `{ users { id ... @defer { slowName } } viewer { ... @defer { slowerName } } }`, timed: true },
  // a deferred fragment failing at a non-null field without waiting, beside a field that waits: it fails at once
  { query: `{ viewer { ... @defer { slowName badNN } ... @defer { name } } }`, timed: true },
  { query: `{ viewer { ... @defer { slowPlanName badNN } ... @defer { name } } }`, timed: true },
  { query: `{ users { ... @defer { slowName flakyNN } } }`, timed: true },
  { query: `{ looseUsers @stream(initialCount: 2) { id slowPlanName flakyNN } }`, timed: true },
  { query: `{ users @stream(initialCount: 2) { id slowPlanName flakyNN } }`, timed: true },
  // nested defer under a slow group
  { query: `{ viewer { ... @defer { slowName best { ... @defer { name } } } } }`, timed: true },
  { query: `{ users { ... @defer { slowName friends { ... @defer { slowerName } } } } }`, timed: true },
  { query: `{ viewer { ... @defer { slowerName best { ... @defer { slowName } } } ... @defer { slowName } } }`, timed: true },
  // resolvers with a timer of their own per entry: a deferred layer of resolver calls only runs per task
  { query: `{ users { id ... @defer { soloName } } }`, timed: true },
  { query: `{ users @stream(initialCount: 1) { id ... @defer { soloName } } }`, timed: true },
  { query: `{ viewer { ... @defer { soloName friends { ... @defer { soloName } } } } }`, timed: true },
  // stream items with different waits
  { query: `{ a: users @stream(initialCount: 4) { slowPlanName } b: users @stream(initialCount: 5) { id } }`, timed: true },
  { query: `{ a: users @stream(initialCount: 5) { slowerName } b: users @stream(initialCount: 5) { slowName } }`, timed: true },
  { query: `{ users @stream(initialCount: 3) { slowerName } viewer { ... @defer { slowName } } }`, timed: true },
  { query: `{ users @stream(initialCount: 1) { id ... @defer { slowerName } } ... @defer { slowName } }`, timed: true },
  { query: `{ users @stream(initialCount: 2) { id asyncName } viewer { friends @stream(initialCount: 1) { slowName } } }`, timed: true },
];

type Payload = Record<string, unknown>;

async function run(execute: (args: graphql.ExecutionArgs) => unknown, schema: graphql.GraphQLSchema, c: Case): Promise<Payload[]> {
  const result = (await execute({ schema, document: parse(c.query), variableValues: c.variables })) as Payload;
  if (!("initialResult" in result)) return [JSON.parse(JSON.stringify(result)) as Payload];
  const out: Payload[] = [result.initialResult as Payload];
  for await (const payload of result.subsequentResults as AsyncIterable<Payload>) out.push(payload);
  return JSON.parse(JSON.stringify(out)) as Payload[];
}

const reference = (graphql as unknown as { experimentalExecuteIncrementally?: (args: graphql.ExecutionArgs) => unknown }).experimentalExecuteIncrementally;

if (graphql.versionInfo.major < 17 || reference === undefined) {
  console.log(`SKIPPED test/parity/incremental.test.ts: graphql ${graphql.version} has no @defer/@stream (run it on graphql 17: scripts/test-graphql17.sh 'parity/incremental')`);
} else {
  let compared = 0;
  let timed = 0;
  for (const c of corpus) {
    test(`incremental parity: ${c.query}${c.variables ? ` ${JSON.stringify(c.variables)}` : ""}`, async () => {
      const expected = await run(reference, referenceSchema, c);
      const actual = await run(experimentalExecuteIncrementally as (args: graphql.ExecutionArgs) => unknown, planSchema, c);
      // The same operation over the resolver schema, run by graphscale's resolver emulation.
      const emulated = await run(experimentalExecuteIncrementally as (args: graphql.ExecutionArgs) => unknown, referenceSchema, c);
      assert.equal(actual, expected);
      assert.equal(emulated, expected);
      if (c.timed) timed++;
      compared++;
    });
  }

  test("incremental parity: the corpus is large and the count is reported", () => {
    assert.ok(corpus.length >= 60, `only ${corpus.length} operations`);
    console.log(`incremental parity: ${compared} operations compared with graphql-js ${graphql.version} payload for payload (${timed} of them timed: their deferred or streamed part waits on timers), each over plans and over resolver emulation`);
  });

  test("execute refuses an active @defer/@stream as graphql-js 17's execute does; if: false runs", async () => {
    for (const query of [`{ hello ... @defer { viewer { id } } }`, `{ numbers @stream }`, `{ hello ... @defer { hello } }`]) {
      const document = parse(query);
      const message = async (run: () => unknown) => {
        try {
          await run();
          return "no error";
        } catch (error) {
          return (error as Error).message;
        }
      };
      const expected = await message(() => graphql.execute({ schema: referenceSchema, document }));
      assert.match(expected, /multiple payloads/);
      assert.is(await message(() => execute({ schema: planSchema, document })), expected, query);
    }
    const document = parse(`{ hello ... @defer(if: false) { viewer { id } } }`);
    assert.equal(JSON.parse(JSON.stringify(await execute({ schema: planSchema, document }))), JSON.parse(JSON.stringify(await graphql.execute({ schema: referenceSchema, document }))));
  });

  test("experimentalExecuteIncrementally: an operation without @defer/@stream gives a plain result", async () => {
    const result = await experimentalExecuteIncrementally({ schema: planSchema, document: parse(`{ viewer { id name } }`) });
    assert.equal(JSON.parse(JSON.stringify(result)), { data: { viewer: { id: "u1", name: "User 1" } } });
  });
}

test.run();
