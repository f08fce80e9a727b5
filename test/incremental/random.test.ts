// Seeded random operations with @defer and @stream (randomQueries.ts: nested fragments, labels, if: false,
// streams at every level with initialCount 0 to 2, fields that fail, null non-null positions, iterators that
// break, settled promises) through graphql-js 17's experimentalExecuteIncrementally (the reference, resolvers
// only) and graphscale's, over plans and over resolver emulation. What holds for every shape
// (spec/incremental.md, What depends on timing): the initial payload's data and errors, and for every
// deferred fragment and stream its path, label, data, items, errors and completion are graphql-js's, and the
// last payload says hasNext: false. Which payload carries a record, and so the ids that number records in
// the order they are announced, may differ; the count of operations whose whole sequence is graphql-js's is
// printed. graphql 17 only.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as graphql from "graphql";
import { parse, specifiedRules, validate } from "graphql";
import { experimentalExecuteIncrementally } from "../../src/index.js";
import { planSchema, referenceSchema, type Payload } from "./schema.js";
import { contentOf, randomIncrementalQueries } from "./randomQueries.js";

const CASES = 120;
type Execute = (args: graphql.ExecutionArgs) => unknown;
const reference = (graphql as unknown as { experimentalExecuteIncrementally?: Execute }).experimentalExecuteIncrementally;

async function payloads(execute: Execute, schema: graphql.GraphQLSchema, query: string): Promise<Payload[]> {
  const result = (await execute({ schema, document: parse(query) })) as Payload;
  if (!("initialResult" in result)) return [JSON.parse(JSON.stringify(result)) as Payload];
  const out: Payload[] = [result.initialResult as Payload];
  for await (const payload of result.subsequentResults as AsyncIterable<Payload>) out.push(payload);
  return JSON.parse(JSON.stringify(out)) as Payload[];
}

if (graphql.versionInfo.major < 17 || reference === undefined) {
  console.log(`SKIPPED test/incremental/random.test.ts: graphql ${graphql.version} has no @defer/@stream`);
} else {
  // graphql-js leaves the rejection of an item it abandons unhandled (a list failed at a non-null item);
  // the reference's are not this suite's concern.
  process.on("unhandledRejection", () => undefined);
  test(`random @defer/@stream operations: ${CASES} of them, each record's content graphql-js's over plans and over resolver emulation`, async () => {
    const generate = randomIncrementalQueries(20261129);
    // The directives are not declared by the schema (graphql-js 17 runs them all the same): every other rule applies.
    const rules = specifiedRules.filter((rule) => rule.name !== "KnownDirectivesRule");
    let incremental = 0;
    let samePayloads = 0;
    for (let i = 0; i < CASES; i++) {
      const query = generate();
      assert.equal(validate(referenceSchema, parse(query), rules).map(String), [], `query ${i} is valid: ${query}`);
      const expected = await payloads(reference, referenceSchema, query);
      if (expected.length > 1) incremental++;
      for (const [side, schema] of [["plans", planSchema], ["resolver emulation", referenceSchema]] as const) {
        const actual = await payloads(experimentalExecuteIncrementally as Execute, schema, query);
        assert.equal(contentOf(actual), contentOf(expected), `query ${i} over ${side}: ${query}`);
        if (JSON.stringify(actual) === JSON.stringify(expected)) samePayloads++;
      }
    }
    assert.ok(incremental >= CASES / 2, `only ${incremental} of ${CASES} operations delivered incrementally`);
    console.log(`random @defer/@stream: ${incremental} of ${CASES} operations incremental; ${samePayloads} of ${2 * CASES} runs (plans and resolver emulation) gave graphql-js's payloads exactly, the others the same records in other payloads`);
  });

  test("contentOf: a record's data in another payload is the same content; another item, error or completion is not", () => {
    const base: Payload[] = [
      { data: { a: 1 }, pending: [{ id: "0", path: [] }], hasNext: true },
      { incremental: [{ id: "0", data: { b: 2 } }], completed: [{ id: "0" }], hasNext: false },
    ];
    const regrouped: Payload[] = [
      { data: { a: 1 }, pending: [{ id: "0", path: [] }], hasNext: true },
      { incremental: [{ id: "0", data: { b: 2 } }], hasNext: true },
      { completed: [{ id: "0" }], hasNext: false },
    ];
    assert.equal(contentOf(regrouped), contentOf(base));
    const otherData: Payload[] = [base[0]!, { incremental: [{ id: "0", data: { b: 3 } }], completed: [{ id: "0" }], hasNext: false }];
    const failed: Payload[] = [base[0]!, { completed: [{ id: "0", errors: [{ message: "x" }] }], hasNext: false }];
    const unfinished: Payload[] = [base[0]!, { incremental: [{ id: "0", data: { b: 2 } }], completed: [{ id: "0" }], hasNext: true }];
    for (const other of [otherData, failed, unfinished]) assert.not.equal(contentOf(other), contentOf(base));
  });
}

test.run();
