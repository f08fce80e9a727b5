// Data bags: only plain JSON objects are stored; every rejection names the path and the fix.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkJsonValue, encodeData } from "../../src/kvetch/data.js";

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

test.run();
