// makeSchema({ directives }): graphql-js directive objects join the schema beside graphql-js's own and those
// typeDefs declare, so `@live` (GraphQLLiveDirective) validates and a live query runs through subscribe; a
// name defined twice, or something that is not a directive, is a TypeError saying so.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { GraphQLDirective, DirectiveLocation, parse, validate } from "graphql";
import { GraphQLLiveDirective, makeSchema, subscribe } from "../../src/index.js";
import { constant } from "../../steps/index.js";

const typeDefs = "type Query { greeting: String }";
const plans = { Query: { greeting: () => constant("hello") } };
const live = parse("query Live @live { greeting }");

test("makeSchema: directives adds @live, so a live query validates and its first result comes through subscribe", async () => {
  const schema = makeSchema({ typeDefs, plans, directives: [GraphQLLiveDirective] });
  assert.is(schema.getDirective("live"), GraphQLLiveDirective);
  assert.equal(validate(schema, live), []);
  const source = { onInvalidate: () => () => {} };
  const results = await subscribe({ schema, document: live, live: { source } });
  assert.ok(Symbol.asyncIterator in results);
  const iterator = (results as AsyncGenerator<unknown>)[Symbol.asyncIterator]();
  // Dependencies go to the client only when asked (live: { deps: true }).
  assert.equal((await iterator.next()).value, { data: { greeting: "hello" } });
  await iterator.return?.(undefined);
  const asked = (await subscribe({ schema, document: live, live: { source, deps: true } })) as AsyncGenerator<unknown>;
  assert.equal((await asked.next()).value, { data: { greeting: "hello" }, extensions: { deps: {} } });
  await asked.return(undefined);
});

test("makeSchema: without directives @live is an unknown directive, and graphql-js's own directives stay", () => {
  const schema = makeSchema({ typeDefs, plans });
  assert.equal(validate(schema, live).map((e) => e.message), ['Unknown directive "@live".']);
  assert.ok(schema.getDirective("skip") && schema.getDirective("include") && schema.getDirective("deprecated"));
});

test("makeSchema: a directive defined twice, or one that is not a directive, is a TypeError naming it", () => {
  const declared = "directive @live on QUERY " + typeDefs;
  assert.throws(() => makeSchema({ typeDefs: declared, plans, directives: [GraphQLLiveDirective] }), (e: unknown) => e instanceof TypeError && /@live is given in directives and is already defined/.test(e.message));
  const skip = new GraphQLDirective({ name: "skip", locations: [DirectiveLocation.FIELD] });
  assert.throws(() => makeSchema({ typeDefs, plans, directives: [skip] }), (e: unknown) => e instanceof TypeError && /@skip/.test(e.message));
  assert.throws(() => makeSchema({ typeDefs, plans, directives: [{ name: "live" } as never] }), (e: unknown) => e instanceof TypeError && /not a GraphQLDirective/.test(e.message));
});

test.run();
