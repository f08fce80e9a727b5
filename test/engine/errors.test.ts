// Internal errors (marked by a data source) reach clients masked with an id the server's hook also gets;
// every other error — a user's step, a resolver, a GraphQLError — keeps its message.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { GraphQLError, parse, type ExecutionResult } from "graphql";
import { execute, executeToJSON, INTERNAL_ERROR, makeSchema, Step, type InternalErrorReport } from "../../src/index.js";

class FailingStep extends Step<never> {
  constructor(readonly error: () => Error) {
    super();
  }
  execute(): never {
    throw this.error();
  }
}

function internal(message: string): Error {
  return Object.assign(new Error(message), { [INTERNAL_ERROR]: true });
}

const schema = makeSchema({
  typeDefs: `type Query { shard: Int plain: Int graphql: Int wrapped: Int ok: Int }`,
  plans: {
    Query: {
      shard: () => new FailingStep(() => internal("shard 1 (10.0.0.7:3306/app_1) failed: connect ECONNREFUSED")),
      plain: () => new FailingStep(() => new Error("no such widget")),
      graphql: () => new FailingStep(() => new GraphQLError("not allowed", { extensions: { code: "FORBIDDEN" } })),
      wrapped: () => new FailingStep(() => new Error("read failed", { cause: internal("ETIMEDOUT 10.0.0.8:3306") })),
    },
  },
  resolvers: { Query: { ok: () => 1 } },
});

test("errors: internal errors are masked with an id the hook receives; others keep their messages", () => {
  const reports: InternalErrorReport[] = [];
  const result = execute({ schema, document: parse(`{ shard plain graphql wrapped ok }`), onInternalError: (r) => reports.push(r) }) as ExecutionResult;
  const byPath = new Map(result.errors!.map((e) => [String(e.path![0]), e]));
  assert.match(byPath.get("shard")!.message, /^Internal error \(id [0-9a-f]{12}\)$/);
  assert.match(byPath.get("wrapped")!.message, /^Internal error \(id [0-9a-f]{12}\)$/);
  assert.is(byPath.get("plain")!.message, "no such widget");
  assert.is(byPath.get("graphql")!.message, "not allowed");
  assert.is(byPath.get("graphql")!.extensions.code, "FORBIDDEN");
  assert.is(reports.length, 2);
  assert.equal(reports.map((r) => r.id).sort(), [byPath.get("shard")!.extensions.errorId, byPath.get("wrapped")!.extensions.errorId].sort());
  assert.match(String((reports.find((r) => r.path?.[0] === "shard")!.error as Error).message), /10\.0\.0\.7:3306/);
  for (const e of result.errors!) assert.not.match(e.message, /10\.0\.0\.|3306|ECONN|ETIMEDOUT|app_1/, "no host, port, database or driver text");
  assert.equal(byPath.get("shard")!.locations, [{ line: 1, column: 3 }]);
  assert.equal(JSON.parse(JSON.stringify(result.data)), { shard: null, plain: null, graphql: null, wrapped: null, ok: 1 });
});

test("errors: exposeInternalErrors shows internal errors as raised (development)", () => {
  const result = execute({ schema, document: parse(`{ shard }`), exposeInternalErrors: true }) as ExecutionResult;
  assert.match(result.errors![0]!.message, /10\.0\.0\.7:3306/);
});

/** A step whose list cannot be read: the run itself fails (not one entry), with an internal error. */
class UnreadableStep extends Step<number> {
  async execute(): Promise<number[]> {
    const list: number[] = [0];
    Object.defineProperty(list, 0, {
      get: () => {
        throw internal("shard 2 (10.0.0.9:3306/app_2) readObjects: ECONNREFUSED");
      },
    });
    return list;
  }
}

test("errors: a run that fails inside is masked by execute and executeToJSON alike", async () => {
  const failing = makeSchema({ typeDefs: `type Query { broken: Int }`, plans: { Query: { broken: () => new UnreadableStep() } } });
  const reports: InternalErrorReport[] = [];
  const args = { schema: failing, document: parse(`{ broken }`), onInternalError: (r: InternalErrorReport) => void reports.push(r) };
  const objects = (await execute(args)) as ExecutionResult;
  const text = JSON.parse(await executeToJSON(args)) as ExecutionResult;
  for (const result of [objects, text]) {
    assert.is(result.data, null);
    assert.match(result.errors![0]!.message, /^Internal error \(id [0-9a-f]{12}\)$/);
  }
  assert.is(reports.length, 2);
});

test.run();
