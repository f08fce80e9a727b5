// subscribe's response stream against graphql-js's, call by call: each source kind (async generator, hand-made
// iterators with and without `return`/`throw`, a `next` that returns a plain result or throws at once) under
// each consumer script (`next` to the end, early `return`, `throw`), with the outcome of every call — resolved
// value, rejection, or synchronous throw — and what the source was asked, compared as text.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildSchema, parse, subscribe as graphqlJsSubscribe, versionInfo } from "graphql";
import { subscribe } from "../../src/index.js";

type Subscribe = (args: { schema: ReturnType<typeof buildSchema>; document: ReturnType<typeof parse> }) => Promise<unknown>;

function show(value: unknown): string {
  return value instanceof Error ? `${value.constructor.name}: ${value.message}` : JSON.stringify(value);
}

/** What calling `call` gave: a synchronous throw, a rejection, or the resolved value. */
async function outcome(call: () => unknown): Promise<string> {
  let pending: unknown;
  try {
    pending = call();
  } catch (error) {
    return `throws at once ${show(error)}`;
  }
  if (!(pending instanceof Promise)) return `returns ${show(pending)}`;
  try {
    return `resolves ${show(await pending)}`;
  } catch (error) {
    return `rejects ${show(error)}`;
  }
}

/** A source kind: the `subscribe` resolver, given a log of what the source was asked. */
const SOURCES: Record<string, (log: string[]) => unknown> = {
  "generator returning 7": (log) =>
    (async function* () {
      try {
        yield { s: 1 };
        yield { s: 2 };
        return 7;
      } finally {
        log.push("finally");
      }
    })(),
  "iterator without throw": (log) => {
    let i = 0;
    let closed = false;
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: async () => (closed || i === 2 ? { value: "end", done: true } : { value: { s: ++i }, done: false }),
      return: async () => {
        log.push("return");
        closed = true;
        return { value: "bye", done: true };
      },
    };
  },
  "iterator without return or throw": () => {
    let i = 0;
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: async () => (i === 2 ? { value: undefined, done: 1 } : { value: { s: ++i }, done: false }),
    };
  },
  "next returns a plain result": (log) => {
    let i = 0;
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => (i === 2 ? { value: undefined, done: true } : { value: { s: ++i }, done: false }),
      return: () => {
        log.push("return");
        return { value: undefined, done: true };
      },
    };
  },
  "next throws at once": (log) => ({
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () => {
      log.push("next");
      throw new Error("source next threw");
    },
  }),
};

/** A consumer script: the calls it makes on the response stream, by name. */
const SCRIPTS: Record<string, string[]> = {
  "next to the end": ["next", "next", "next", "next"],
  "early return": ["next", "return", "next"],
  throw: ["next", "throw", "next"],
};

async function transcript(run: Subscribe, source: (log: string[]) => unknown, script: string[]): Promise<string[]> {
  const log: string[] = [];
  const schema = buildSchema(`type Query { a: Int } type Subscription { s: Int }`);
  schema.getSubscriptionType()!.getFields().s!.subscribe = () => source(log);
  const stream = (await run({ schema, document: parse(`subscription { s }`) })) as AsyncIterator<unknown>;
  const out: string[] = [];
  for (const call of script) {
    const made = call === "next" ? () => stream.next() : call === "return" ? () => stream.return!() : () => stream.throw!(new Error("consumer gave up"));
    out.push(`${call}: ${await outcome(made)}`);
  }
  out.push(`source was asked: ${log.join(", ") || "nothing more"}`);
  return out;
}

test("subscribe: every source kind under every consumer script gives graphql-js's outcome for each call", async () => {
  let compared = 0;
  for (const [sourceName, source] of Object.entries(SOURCES)) {
    for (const [scriptName, script] of Object.entries(SCRIPTS)) {
      const expected = await transcript(graphqlJsSubscribe as Subscribe, source, script);
      const actual = await transcript(subscribe as Subscribe, source, script);
      assert.equal(actual, expected, `${sourceName}, ${scriptName}`);
      compared++;
    }
  }
  assert.is(compared, 15);
});

test("subscribe: the outcomes graphql-js gives here are the ones the comparison relies on", async () => {
  // A done result passes through with its value (graphql 16; 17's stream ends without it); a throw the source
  // cannot take closes it first.
  const v16 = versionInfo.major === 16;
  assert.equal(await transcript(graphqlJsSubscribe as Subscribe, SOURCES["generator returning 7"]!, SCRIPTS["next to the end"]!), [
    'next: resolves {"value":{"data":{"s":1}},"done":false}',
    'next: resolves {"value":{"data":{"s":2}},"done":false}',
    v16 ? 'next: resolves {"value":7,"done":true}' : 'next: resolves {"done":true}',
    'next: resolves {"done":true}',
    "source was asked: finally",
  ]);
  assert.equal(await transcript(graphqlJsSubscribe as Subscribe, SOURCES["iterator without throw"]!, SCRIPTS.throw!), [
    'next: resolves {"value":{"data":{"s":1}},"done":false}',
    "throw: rejects Error: consumer gave up",
    v16 ? 'next: resolves {"value":"end","done":true}' : 'next: resolves {"done":true}',
    v16 ? "source was asked: return" : "source was asked: return, return",
  ]);
  assert.equal((await transcript(graphqlJsSubscribe as Subscribe, SOURCES["next throws at once"]!, ["next"]))[0], "next: rejects Error: source next threw");
});

test.run();
