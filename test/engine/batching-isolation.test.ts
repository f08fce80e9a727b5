// Cross-request batching (spec/cross-request-batching.md): what one request's step call does that must not
// reach the other requests of its joint call — reading its own request, opting out, stalling. The joint
// calls are what is tested here, so windows do not adopt requests (`adoptWindows: false`) where a merged run
// would take their place; test/engine/batching-adoption.test.ts covers the same cases in merged runs.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { createBatchedExecute, execute, makeSchema, Step, type ExecutionDetails } from "../../src/index.js";
import { loadOne } from "../../steps/index.js";

const plain = (r: ExecutionResult | Promise<ExecutionResult>) => Promise.resolve(r).then((x) => JSON.parse(JSON.stringify(x)));

// Each entry's promise reads the context after an await: in a joint call it rejects, per entry.
const greetCalls: number[] = [];
class Greet extends Step<string> {
  override isAsync = true;
  constructor($name: Step) {
    super();
    this.addDependency($name);
  }
  execute(details: ExecutionDetails): ReadonlyArray<Promise<string>> {
    greetCalls.push(details.count);
    return (details.values[0] as string[]).map(async (name) => {
      await null;
      return `${(details.request.contextValue as { greeting: string }).greeting}, ${name}`;
    });
  }
}

test("per-entry promises that read details.request: each request's part runs alone, and the step never joins again", async () => {
  const schema = makeSchema({
    typeDefs: `type Query { hello(name: String!): String }`,
    plans: { Query: { hello: (_$r: unknown, args: any) => new Greet(args.get("name")) } } as any,
  });
  const document = parse(`query($n: String!) { hello(name: $n) }`);
  const args = (n: string) => ({ schema, document, variableValues: { n }, contextValue: { greeting: `hi-${n}` } });
  const expected = await Promise.all(["a", "b", "c"].map((n) => plain(execute(args(n)))));
  assert.equal(expected[1], { data: { hello: "hi-b, b" } });

  const batched = createBatchedExecute({ schema, windowMs: 2, adoptWindows: false });
  greetCalls.length = 0;
  assert.equal(await Promise.all(["a", "b", "c"].map((n) => plain(batched(args(n))))), expected);
  // The joint call over the three, then each request's own call.
  assert.equal(greetCalls, [3, 1, 1, 1]);

  greetCalls.length = 0;
  assert.equal(await Promise.all(["a", "b", "c"].map((n) => plain(batched(args(n))))), expected);
  assert.equal(greetCalls, [1, 1, 1]);
});

test("per-entry promises that do not read the request keep the joint call's results", async () => {
  const calls: number[] = [];
  class Later extends Step<string> {
    override isAsync = true;
    constructor($v: Step) {
      super();
      this.addDependency($v);
    }
    execute(details: ExecutionDetails): ReadonlyArray<Promise<string>> {
      calls.push(details.count);
      return (details.values[0] as string[]).map((v) => (v === "bad" ? Promise.reject(new Error(`no ${v}`)) : Promise.resolve(`l${v}`)));
    }
  }
  const schema = makeSchema({ typeDefs: `type Query { l(v: String!): String }`, plans: { Query: { l: (_r: unknown, a: any) => new Later(a.get("v")) } } as any });
  const document = parse(`query($v: String!) { l(v: $v) }`);
  const batched = createBatchedExecute({ schema, windowMs: 2, adoptWindows: false });
  const results = await Promise.all(["1", "bad", "3"].map((v) => plain(batched({ schema, document, variableValues: { v } }))));
  assert.equal(results[0], { data: { l: "l1" } });
  assert.equal(results[1], await plain(execute({ schema, document, variableValues: { v: "bad" } })));
  assert.equal(results[1].errors[0].message, "no bad");
  assert.equal(results[2], { data: { l: "l3" } });
  assert.equal(calls, [3, 1]);
  assert.is(batched.stats.jointCalls, 1);
});

test("static crossRequest = false on a step class runs it per request; a step's own crossRequest wins", async () => {
  const calls: number[] = [];
  class Echo extends Step<string> {
    static crossRequest = false;
    override isAsync = true;
    constructor($v: Step) {
      super();
      this.addDependency($v);
    }
    async execute(details: ExecutionDetails) {
      calls.push(details.count);
      return (details.values[0] as string[]).map((v) => `e${v}`);
    }
  }
  class JoiningEcho extends Echo {
    crossRequest = true;
  }
  const schema = makeSchema({
    typeDefs: `type Query { e(v: String!): String, j(v: String!): String }`,
    plans: { Query: { e: (_r: unknown, a: any) => new Echo(a.get("v")), j: (_r: unknown, a: any) => new JoiningEcho(a.get("v")) } } as any,
  });
  const batched = createBatchedExecute({ schema, windowMs: 2, adoptWindows: false });
  const run = (query: string) => Promise.all(["1", "2", "3"].map((v) => plain(batched({ schema, document: parse(query), variableValues: { v } }))));

  assert.equal(await run(`query($v: String!) { e(v: $v) }`), [{ data: { e: "e1" } }, { data: { e: "e2" } }, { data: { e: "e3" } }]);
  assert.equal(calls, [1, 1, 1]);
  assert.is(batched.stats.jointCalls, 0);

  calls.length = 0;
  assert.equal(await run(`query($v: String!) { j(v: $v) }`), [{ data: { j: "e1" } }, { data: { j: "e2" } }, { data: { j: "e3" } }]);
  assert.equal(calls, [3]);
  assert.is(batched.stats.jointCalls, 1);
});

test("a joint call that has not settled holds its requests; each is still ended by its own signal", async () => {
  const batches: string[][] = [];
  let started!: () => void;
  const callStarted = new Promise<void>((r) => (started = r));
  let answer!: () => void;
  const schema = makeSchema({
    typeDefs: `type Query { v(id: ID!): String }`,
    plans: {
      Query: {
        v: (_r: unknown, a: any) =>
          loadOne(a.get("id"), (ids: readonly string[]) => {
            batches.push([...ids]);
            started();
            return new Promise<string[]>((resolve) => (answer = () => resolve(ids.map((id) => `v${id}`))));
          }),
      },
    } as any,
  });
  const document = parse(`query($id: ID!) { v(id: $id) }`);
  const batched = createBatchedExecute({ schema, windowMs: 2 });
  const controller = new AbortController();
  const pending = ["0", "1", "2"].map((id) => plain(batched({ schema, document, variableValues: { id }, signal: id === "0" ? controller.signal : undefined })));
  await callStarted;
  controller.abort();
  assert.equal(await pending[0], { errors: [{ message: "request aborted", extensions: { code: "REQUEST_ABORTED" } }], data: null });
  answer();
  assert.equal(await Promise.all(pending.slice(1)), [{ data: { v: "v1" } }, { data: { v: "v2" } }]);
  // One joint call; the aborted request's entry stayed in it and its slice was never read.
  assert.equal(batches, [["0", "1", "2"]]);
});

test.run();
