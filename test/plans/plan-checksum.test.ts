// PlanChecksum (spec/plan-export.md): the header's sum of a plan body is the CRC-32 of its UTF-8 bytes, the
// same from zlib's native sum and from the JavaScript one a Node without zlib.crc32 uses, and any one
// character changed, added or cut in a body is refused before the body is parsed.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as zlib from "node:zlib";
import { parse } from "graphql";
import { exportPlan, getPlanCacheStats, importPlan, makeSchema, type Step } from "../../src/index.js";
import { constant } from "../../steps/index.js";
import { crc32InJavaScript, planChecksum } from "../../src/engine/planExport/fingerprint.js";

const TEXTS = ["", "123456789", "a", '{"purpose":"response","strings":["é","日本","🙂"]}', "x".repeat(5000)];

test("PlanChecksum: CRC-32's check value, 8 hex digits, the JavaScript sum equal to zlib's", () => {
  assert.is(planChecksum("123456789"), "cbf43926", "the CRC-32 check value");
  assert.is(planChecksum(""), "00000000");
  for (const text of TEXTS) {
    assert.match(planChecksum(text), /^[0-9a-f]{8}$/);
    assert.is(crc32InJavaScript(text), planChecksum(text), `JavaScript and native sums of ${JSON.stringify(text.slice(0, 20))}`);
    const native = (zlib as { crc32?: (data: string) => number }).crc32;
    if (native !== undefined) assert.is(planChecksum(text), native(text).toString(16).padStart(8, "0"));
  }
});

test("PlanChecksum: a body with one character changed, added or cut is refused with the checksum's warning", () => {
  const schema = () => {
    const warnings: string[] = [];
    const made = makeSchema({
      typeDefs: "type Query { a: String b: Int }",
      plans: { Query: { a: (_$root: Step) => constant("A"), b: (_$root: Step) => constant(2) } },
      onPlanWarning: (message) => void warnings.push(message),
    });
    return { made, warnings };
  };
  const document = parse("{ a b }");
  const text = exportPlan(schema().made, document);
  const newline = text.indexOf("\n");
  const at = text.indexOf("response");
  const spoiled = [
    text.slice(0, at) + "R" + text.slice(at + 1),
    text.slice(0, at) + "r" + text.slice(at),
    text.slice(0, at) + text.slice(at + 1),
    text.slice(0, text.length - 1),
  ];
  for (const edited of spoiled) {
    assert.ok(at > newline);
    const { made, warnings } = schema();
    assert.is(importPlan(made, document, edited), false);
    assert.is(warnings.length, 1, warnings.join("\n"));
    assert.match(warnings[0]!, "checksum does not match its body");
    assert.is(getPlanCacheStats(made).plansImported, 0);
  }
  const { made, warnings } = schema();
  assert.ok(importPlan(made, document, text), "the unspoiled text imports");
  assert.equal(warnings, []);
});

test.run();
