// Data bags: only plain JSON objects are stored; every rejection names the path and the fix.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { KvetchError } from "../../src/kvetch/errors.js";
import { MAX_DATA_DEPTH, applyPatch, checkJsonValue, encodeData, setKey } from "../../src/kvetch/data.js";

/** `{ a: { a: ... { a: 1 } } }` with `levels` objects, or arrays `[[...[1]]]` when `arrays`. */
function nested(levels: number, arrays = false): Record<string, unknown> {
  let value: unknown = 1;
  for (let i = 1; i < levels; i++) value = arrays ? [value] : { a: value };
  return { a: value };
}

/** The error `run` throws (fails when it returns). */
function errorOf(run: () => unknown): KvetchError {
  try {
    run();
  } catch (error) {
    assert.instance(error, KvetchError);
    return error as KvetchError;
  }
  throw new Error("expected an error");
}

test("encodeData: plain objects become JSON text; top-level undefined keys are left out", () => {
  assert.is(encodeData({ a: 1, b: [true, null, "x"], c: { d: 2.5 }, e: undefined }, "data"), '{"a":1,"b":[true,null,"x"],"c":{"d":2.5}}');
  assert.is(encodeData(Object.create(null), "data"), "{}");
});

test("encodeData: the top level must be a plain object", () => {
  for (const bad of [null, undefined, 1, "x", [], new Date(0), new Map()]) {
    assert.throws(() => encodeData(bad, "createObject data"), /createObject data must be a plain JSON object/);
  }
});

test("encodeData: rejects what JSON cannot hold, naming the path", () => {
  const cycle: Record<string, unknown> = { a: 1 };
  cycle.self = cycle;
  const cases: [unknown, RegExp][] = [
    [{ f: () => 1 }, /data\.f is a function; JSON cannot hold it/],
    [{ n: 10n }, /data\.n is a BigInt; store it as a string or a number/],
    [cycle, /data\.self refers back to one of its own ancestors \(a cycle\)/],
    [{ list: [1, [2, NaN]] }, /data\.list\[1\]\[1\] is NaN; JSON numbers must be finite/],
    [{ x: { y: undefined } }, /data\.x\.y is undefined; use null, or leave the key out/],
    [{ when: new Date(0) }, /data\.when is a Date; .*\(convert it first/],
    [{ "odd key": Symbol("s") }, /data\["odd key"\] is a symbol/],
    [{ i: Infinity }, /data\.i is Infinity/],
  ];
  for (const [value, pattern] of cases) assert.throws(() => encodeData(value, "data"), pattern);
});

test("encodeData: values that look like SQL are just strings", () => {
  assert.is(encodeData({ q: "'); DROP TABLE objects; --" }, "data"), `{"q":"'); DROP TABLE objects; --"}`);
});

test("checkJsonValue: index values may be any JSON value", () => {
  checkJsonValue("x", "v");
  checkJsonValue(3, "v");
  checkJsonValue({ a: [1] }, "v");
  assert.throws(() => checkJsonValue(() => 1, "queryIndex values[0]"), /queryIndex values\[0\] is a function/);
});

test("encodeData: objects and arrays nest at most MAX_DATA_DEPTH (100) levels, the bag being level 1; deeper is BAD_DATA naming the path", () => {
  assert.is(MAX_DATA_DEPTH, 100);
  assert.ok(encodeData(nested(100), "data").startsWith('{"a":{"a":'));
  assert.ok(encodeData({ list: nested(99, true).a }, "data").startsWith('{"list":[['));
  const objects = errorOf(() => encodeData(nested(101), "createObject data"));
  assert.is(objects.code, "BAD_DATA");
  assert.is(objects.message, `Kvetch: createObject data${".a".repeat(100)} is nested 101 levels deep; data can nest objects and arrays at most 100 levels (the data bag itself is level 1); flatten it or store the deep part as a JSON string`);
  const arrays = errorOf(() => encodeData(nested(101, true), "data"));
  assert.match(arrays.message, /^Kvetch: data\.a\[0\]\[0\].* is nested 101 levels deep; .*at most 100 levels/);
});

test("encodeData: a bag nested 3000 deep is BAD_DATA (not a stack overflow), its long path shortened", () => {
  for (const arrays of [false, true]) {
    const error = errorOf(() => encodeData(nested(3000, arrays), "createObject data"));
    assert.is(error.code, "BAD_DATA");
    assert.match(error.message, /^Kvetch: createObject data\.a\S* is nested 101 levels deep; .*at most 100 levels/);
    assert.ok(error.message.length < 500, error.message);
    // the array path (data.a[0][0]…, 100 steps) is longer than 240 characters: its middle is left out
    assert.is(error.message.includes("…"), arrays);
  }
  assert.is(errorOf(() => checkJsonValue(nested(3000).a, "queryIndex values[0]")).code, "BAD_DATA");
});

test("encodeData: a data bag or an update patch keeps a __proto__ key, at the top and below", () => {
  const bag = JSON.parse('{"__proto__":{"a":1},"name":"P"}') as Record<string, unknown>;
  for (const where of ["createObject data", "updateObject patch", "updateObjects items[2] patch"]) {
    assert.is(encodeData(bag, where), '{"__proto__":{"a":1},"name":"P"}');
  }
  assert.is(encodeData({ inner: JSON.parse('{"__proto__":1}') }, "updateObject patch"), '{"inner":{"__proto__":1}}');
});

test("applyPatch / setKey: every key lands as an own key, __proto__ included; no prototype changes", () => {
  const before = { name: "old", keep: 1 };
  const merged = applyPatch(before, JSON.parse('{"__proto__":{"a":1},"name":"P","keep":null}') as Record<string, unknown>);
  assert.is(Object.getPrototypeOf(merged), Object.prototype);
  assert.ok(Object.hasOwn(merged, "__proto__"));
  assert.equal(Object.keys(merged), ["name", "keep", "__proto__"]);
  assert.is(JSON.stringify(merged), '{"name":"P","keep":null,"__proto__":{"a":1}}');
  assert.equal(before, { name: "old", keep: 1 });
  assert.is(({} as Record<string, unknown>).a, undefined);
  const removed = applyPatch(JSON.parse('{"__proto__":5,"x":1}') as Record<string, unknown>, { ["__proto__"]: undefined, x: undefined } as Record<string, unknown>);
  assert.is(JSON.stringify(removed), "{}");
  const target: Record<string, unknown> = {};
  setKey(target, "__proto__", 7);
  assert.is(JSON.stringify(target), '{"__proto__":7}');
  assert.is(Object.getPrototypeOf(target), Object.prototype);
});

test.run();
