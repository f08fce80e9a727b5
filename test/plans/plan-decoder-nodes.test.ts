// PlanDecoder.handedOut: what CheckImportedPlan asks before it accepts a document node a step holds. A node
// the decoder handed out (from the operation's or a fragment's node lists, or the field nodes) is the
// document's; an object shaped like a node is not. The first four questions scan the lists, later ones ask a
// set made from them: both give the same answers.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import { makeSchema } from "../../src/index.js";
import { PlanDecoder } from "../../src/engine/planExport/codec.js";

const schema = makeSchema({ typeDefs: "type Query { a: Int b: Int }", plans: {} });
const document = parse("query Q { a ...F } fragment F on Query { b }");
const operation = document.definitions[0] as OperationDefinitionNode;
const fragments = { F: document.definitions[1] as FragmentDefinitionNode };

function decoder(): PlanDecoder {
  return new PlanDecoder({ schema, generateCode: false, operation, fragments, shapes: [], strings: [], shapePlans: [], steps: [], layers: [] });
}

test("a node handed out is the document's, a copy of one is not, by scan and by set alike", () => {
  const d = decoder();
  const a = d.fieldNode(0);
  const b = d.fieldNode(1);
  assert.is(a.kind, Kind.FIELD);
  const copy = { ...a };
  const answers: boolean[][] = [];
  for (let round = 0; round < 4; round++) answers.push([d.handedOut(a), d.handedOut(copy), d.handedOut(b), d.handedOut(null)]);
  assert.equal(answers, [
    [true, false, true, false],
    [true, false, true, false],
    [true, false, true, false],
    [true, false, true, false],
  ]);
});

test("a decoder that walked no list hands out nothing", () => {
  const d = decoder();
  const fresh = decoder().fieldNode(0);
  for (let round = 0; round < 6; round++) assert.not.ok(d.handedOut(fresh));
});

test.run();
