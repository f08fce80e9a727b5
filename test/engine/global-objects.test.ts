// A root field whose steps are all global: its object layers get no bucket when the compiled output builds
// the response (IsGlobalObject, spec/output.md), and are opened after all when it does not (OpenWalkedLists);
// the property read that feeds a load is done as the object is stored, not run as a step (EagerReads,
// spec/execution.md). Every result is graphql-js's.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildSchema, execute as graphqlExecute, parse, type ExecutionResult, type GraphQLObjectType } from "graphql";
import { AccessStep, execute, executeToJSON, makeSchema, type Step } from "../../src/index.js";
import { lambda, loadOne } from "../../steps/index.js";
import { prepareRequest } from "../../src/engine/request/prepareRequest.js";
import { executeKeepingRoot } from "../../src/engine/live/executeSubtree.js";

const typeDefs = `
  type Query { book(id: ID!): Book }
  type Book { id: ID! title: String! author: Author }
  type Author { id: ID! name: String! }
`;

/** What `bookById` answers next (made afresh per run). */
let makeBook: () => unknown = () => ({ id: "b1", title: "The Dispossessed", authorId: "a1" });
const authors = new Map<unknown, unknown>([["a1", { id: "a1", name: "Ursula K. Le Guin" }]]);
const loaded: unknown[] = [];
const authorsById = async (ids: readonly unknown[]) => {
  loaded.push(...ids);
  return ids.map((id) => authors.get(id) ?? null);
};

const schema = makeSchema({
  typeDefs,
  plans: {
    Query: { book: (_$root: Step, args) => lambda(args.get("id"), () => makeBook()) },
    Book: { author: ($book: Step) => loadOne($book.get("authorId"), authorsById) },
  },
});
const resolverSchema = buildSchema(typeDefs);
(resolverSchema.getType("Query") as GraphQLObjectType).getFields().book!.resolve = () => makeBook();
(resolverSchema.getType("Book") as GraphQLObjectType).getFields().author!.resolve = async (book: { authorId: unknown }) => {
  const id = await book.authorId;
  return authors.get(id) ?? null;
};

const QUERY = `{ book(id: "b1") { id title author { id name } } }`;
const document = parse(QUERY);

/** Counts AccessStep executions of the `authorId` read while `run` runs. */
async function countingAuthorIdReads<T>(run: () => Promise<T>): Promise<{ value: T; reads: number }> {
  // A step runs through execute, or alone for a fast request through executeOne (ExecuteOne): both are counted.
  const original = AccessStep.prototype.execute;
  const originalOne = AccessStep.prototype.executeOne;
  let reads = 0;
  AccessStep.prototype.execute = function (this: AccessStep, details) {
    if (this.path.join(".") === "authorId") reads++;
    return original.call(this, details);
  };
  AccessStep.prototype.executeOne = function (this: AccessStep, parent: unknown) {
    if (this.path.join(".") === "authorId") reads++;
    return originalOne.call(this, parent);
  };
  try {
    return { value: await run(), reads };
  } finally {
    AccessStep.prototype.execute = original;
    AccessStep.prototype.executeOne = originalOne;
  }
}

interface Outcome {
  /** Which object layers had a bucket after the run: the book's, the author's. */
  readonly opened: string[];
  readonly how: string | undefined;
  readonly result: ExecutionResult;
  readonly reference: ExecutionResult;
}

async function run(options: { compileOutput?: boolean; deps?: boolean } = {}): Promise<Outcome> {
  const prepared = prepareRequest({ schema, document, ...options });
  if (!("request" in prepared)) throw new Error("no request");
  const kept = executeKeepingRoot(prepared.request);
  const result = (await kept.result) as ExecutionResult;
  const opened: string[] = [];
  for (const book of kept.root.children.values()) {
    opened.push(book.layer.reason.responseKey ?? "");
    for (const author of book.children.values()) opened.push(author.layer.reason.responseKey ?? "");
  }
  const reference = (await graphqlExecute({ schema: resolverSchema, document })) as ExecutionResult;
  return { opened, how: prepared.request.walkedLists, result, reference };
}

const json = (value: unknown) => JSON.stringify(value);
const clean = () => ({ id: "b1", title: "The Dispossessed", authorId: "a1" });

test("global objects: once the output is compiled, the book's and the author's layers get no bucket", async () => {
  makeBook = clean;
  await execute({ schema, document }); // generates the output code (CompiledOutputOf)
  await execute({ schema, document }); // compiles it, which marks the layers
  const outcome = await run();
  assert.equal(outcome.opened, []);
  assert.is(outcome.how, "left");
  assert.equal(outcome.result, { data: { book: { id: "b1", title: "The Dispossessed", author: { id: "a1", name: "Ursula K. Le Guin" } } } });
  assert.is(json(outcome.result), json(outcome.reference));
  assert.is(await executeToJSON({ schema, document }), json(outcome.result));
});

test("global objects: a response the compiled output gives up on opens the layers and is graphql-js's", async () => {
  await execute({ schema, document });
  makeBook = () => ({ id: "b1", title: null, authorId: "a1" }); // null at a non-null position
  const outcome = await run();
  assert.equal(outcome.opened, ["book", "author"]);
  assert.is(outcome.how, "opening");
  assert.is(outcome.result.data!.book, null);
  assert.is(outcome.result.errors![0]!.message, "Cannot return null for non-nullable field Book.title.");
  assert.is(json(outcome.result), json(outcome.reference));
  makeBook = clean;
});

test("global objects: an entry that is a promise leaves the layers all the same; the interpretive output opens them as usual; recording deps does not", async () => {
  await execute({ schema, document });
  makeBook = () => ({ id: "b1", title: "The Dispossessed", authorId: Promise.resolve("a1") });
  const promised = await run();
  // The promise (the author id, awaited by its step) is settled before the response is built: the compiled
  // output builds it from the values, and the layers are left without buckets as on any clean request.
  assert.equal(promised.opened, []);
  assert.is(promised.how, "left");
  assert.is(json(promised.result), json(promised.reference));
  assert.is(json(promised.result.data), json({ book: { id: "b1", title: "The Dispossessed", author: { id: "a1", name: "Ursula K. Le Guin" } } }));
  makeBook = clean;
  const interpretive = await run({ compileOutput: false });
  assert.equal(interpretive.opened, ["book", "author"]);
  assert.is(interpretive.how, undefined);
  assert.is(json(interpretive.result), json(interpretive.reference));
  // Recording deps leaves them too (nothing below them records); a live query's run keeps its buckets.
  const withDeps = await run({ deps: true });
  assert.equal(withDeps.opened, []);
  assert.is(json(withDeps.result), json(withDeps.reference));
});

test("eager reads: the property that feeds loadOne is read as the book is stored, not run as a step", async () => {
  makeBook = clean;
  loaded.length = 0;
  const { value, reads } = await countingAuthorIdReads(() => execute({ schema, document }) as Promise<ExecutionResult>);
  assert.is(reads, 0);
  assert.equal(loaded, ["a1"]);
  assert.equal(value, { data: { book: { id: "b1", title: "The Dispossessed", author: { id: "a1", name: "Ursula K. Le Guin" } } } });
});

test("eager reads: a getter that throws, a promise and a missing book are left to the step, as before", async () => {
  makeBook = () => ({
    id: "b1",
    title: "The Dispossessed",
    get authorId(): string {
      throw new Error("no author id here");
    },
  });
  const thrown = await countingAuthorIdReads(() => execute({ schema, document }) as Promise<ExecutionResult>);
  assert.is(thrown.reads, 1);
  // The interpretive output builds this response (an error): null-prototype objects, compared as JSON.
  assert.is(json(thrown.value.data), json({ book: { id: "b1", title: "The Dispossessed", author: null } }));
  assert.is(thrown.value.errors![0]!.message, "no author id here");
  assert.equal(thrown.value.errors![0]!.path, ["book", "author"]);

  loaded.length = 0;
  makeBook = () => ({ id: "b1", title: "The Dispossessed", authorId: Promise.resolve("a1") });
  const promised = await countingAuthorIdReads(() => execute({ schema, document }) as Promise<ExecutionResult>);
  assert.is(promised.reads, 1);
  assert.equal(loaded, ["a1"]); // the step awaited the promise: the loader got the id, not the promise
  assert.is(json(promised.value.data), json({ book: { id: "b1", title: "The Dispossessed", author: { id: "a1", name: "Ursula K. Le Guin" } } }));

  loaded.length = 0;
  makeBook = () => null;
  const missing = await countingAuthorIdReads(() => execute({ schema, document }) as Promise<ExecutionResult>);
  assert.is(missing.reads, 1); // a null object is left to the step (which accepts null and reads undefined)
  assert.equal(loaded, []);
  assert.is(json(missing.value), json({ data: { book: null } }));
  makeBook = clean;
});

test.run();
