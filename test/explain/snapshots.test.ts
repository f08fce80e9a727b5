// Reviews the explain snapshots in __snapshots__/ on their own terms, so a snapshot cannot be right only
// because it equals itself: each plan JSON is a well-formed plan (every step once, in one existing layer,
// dependencies on existing steps in the same or an ancestor layer, layers a tree from the root), and each
// Mermaid diagram draws exactly one node per step or collapsed group of its JSON, in the right layer box,
// with one edge per dependency and nothing pointing at a node that is not drawn.

import { test } from "uvu";
import * as assert from "uvu/assert";
import type { OutputSelectionJSON, OutputValueJSON, PlanJSON } from "../../src/index.js";
import { listSnapshots, readSnapshot, snapshotDir } from "../snapshot.js";

const dir = snapshotDir(import.meta.url);
const jsonFiles = listSnapshots(dir, ".json");
const mmdFiles = listSnapshots(dir, ".mmd");
const base = (name: string) => name.replace(/\.(json|mmd)$/, "");

function readPlan(name: string): PlanJSON {
  return JSON.parse(readSnapshot(dir, name)!) as PlanJSON;
}

test("snapshots: there are some, and every diagram has its plan JSON beside it (and the reverse)", () => {
  assert.ok(mmdFiles.length >= 3, `diagrams: ${mmdFiles.join(", ")}`);
  assert.equal(mmdFiles.map(base), jsonFiles.map(base));
});

// ---- plan JSON ----------------------------------------------------------------------------------

/** Every structural problem of a plan JSON, as readable sentences (empty when it is well formed). */
function planProblems(plan: PlanJSON): string[] {
  const problems: string[] = [];
  const steps = new Map(plan.steps.map((s) => [s.id, s]));
  const layers = new Map(plan.layers.map((l) => [l.id, l]));
  if (steps.size !== plan.steps.length) problems.push("a step id appears more than once in steps");
  if (layers.size !== plan.layers.length) problems.push("a layer id appears more than once in layers");

  // Layers: one root, every parent exists, every chain of parents ends at the root.
  const roots = plan.layers.filter((l) => l.parent === null);
  if (roots.length !== 1 || roots[0]!.reason !== "root") problems.push(`expected one root layer, found ${roots.map((l) => `${l.id}:${l.reason}`).join(", ") || "none"}`);
  const ancestors = (id: number): number[] => {
    const out: number[] = [];
    for (let at = layers.get(id)?.parent ?? null; at !== null; at = layers.get(at)?.parent ?? null) {
      if (out.includes(at) || out.length > layers.size) return [...out, NaN]; // a cycle
      out.push(at);
    }
    return out;
  };
  for (const layer of plan.layers) {
    if (layer.parent !== null && !layers.has(layer.parent)) problems.push(`layer ${layer.id}: parent ${layer.parent} does not exist`);
    const chain = ancestors(layer.id);
    if (chain.some(Number.isNaN)) problems.push(`layer ${layer.id}: its parents form a cycle`);
    else if (layer.reason !== "root" && chain.at(-1) !== roots[0]?.id) problems.push(`layer ${layer.id}: does not hang from the root layer`);
  }

  // Steps: each in exactly one layer's list, the layer it names.
  const listedIn = new Map<number, number[]>();
  for (const layer of plan.layers) {
    for (const id of layer.steps) {
      if (!steps.has(id)) problems.push(`layer ${layer.id} lists step ${id}, which is not among the steps`);
      listedIn.set(id, [...(listedIn.get(id) ?? []), layer.id]);
    }
  }
  for (const step of plan.steps) {
    if (!layers.has(step.layer)) problems.push(`step ${step.id}: layer ${step.layer} does not exist`);
    const where = listedIn.get(step.id) ?? [];
    if (where.length !== 1 || where[0] !== step.layer) problems.push(`step ${step.id} (layer ${step.layer}) is listed in layers [${where.join(", ")}]`);
  }

  // Dependencies: existing steps, in the same layer (and earlier in its order) or an ancestor layer.
  const position = new Map<number, number>();
  for (const layer of plan.layers) layer.steps.forEach((id, i) => position.set(id, i));
  for (const step of plan.steps) {
    for (const dep of step.dependencies) {
      const from = steps.get(dep.step);
      if (!from) {
        problems.push(`step ${step.id} depends on step ${dep.step}, which does not exist`);
        continue;
      }
      if (from.layer === step.layer) {
        if (position.get(from.id)! > position.get(step.id)!) problems.push(`step ${step.id} runs before its dependency ${from.id} in layer ${step.layer}`);
      } else if (!ancestors(step.layer).includes(from.layer)) {
        problems.push(`step ${step.id} (layer ${step.layer}) depends on step ${from.id} in layer ${from.layer}, not an ancestor`);
      }
      if (dep.acceptFlags.some((f) => !["null", "error", "inhibited"].includes(f))) problems.push(`step ${step.id}: unknown flag in ${dep.acceptFlags}`);
    }
    if (step.global && step.dependencies.some((d) => !steps.get(d.step)?.global)) problems.push(`step ${step.id} is global but depends on a step that is not`);
  }

  // The steps a layer hangs on exist; list and parent steps sit above the layer, the item step in it.
  for (const layer of plan.layers) {
    for (const key of ["listStep", "parentStep", "typeStep"] as const) {
      const id = layer[key];
      if (id === undefined) continue;
      const step = steps.get(id);
      if (!step) problems.push(`layer ${layer.id}: ${key} ${id} does not exist`);
      else if (!ancestors(layer.id).includes(step.layer)) problems.push(`layer ${layer.id}: ${key} ${id} is not in an ancestor layer`);
    }
    if (layer.itemStep !== undefined && steps.get(layer.itemStep)?.layer !== layer.id) problems.push(`layer ${layer.id}: item step ${layer.itemStep} is not in the layer`);
    if (layer.reason === "listItem" && layer.listStep === undefined) problems.push(`layer ${layer.id}: a list layer without its list step`);
  }

  // Collapsed groups: existing steps of one layer and class, each step in at most one group.
  const grouped = new Set<number>();
  for (const group of plan.collapsed) {
    if (group.node !== `g${Math.min(...group.steps)}`) problems.push(`group ${group.node}: not named after its smallest step id`);
    if (group.steps.length < 2) problems.push(`group ${group.node}: fewer than two steps`);
    for (const id of group.steps) {
      const step = steps.get(id);
      if (!step) problems.push(`group ${group.node}: step ${id} does not exist`);
      else if (step.layer !== group.layer || step.class !== group.class) problems.push(`group ${group.node}: step ${id} is ${step.class} in layer ${step.layer}`);
      if (grouped.has(id)) problems.push(`step ${id} is in two groups`);
      grouped.add(id);
    }
  }

  // The output plan reads existing steps and opens existing layers.
  const visitValue = (value: OutputValueJSON, path: string): void => {
    if (value.kind === "typename") return;
    if (!steps.has(value.step)) problems.push(`output ${path}: step ${value.step} does not exist`);
    if (value.kind === "list") {
      if (!layers.has(value.layer)) problems.push(`output ${path}: layer ${value.layer} does not exist`);
      visitValue(value.item, `${path}[]`);
    } else if (value.kind === "object") {
      if (!layers.has(value.layer)) problems.push(`output ${path}: layer ${value.layer} does not exist`);
      visitSelection(value.selection, path);
    } else if (value.kind === "abstract") {
      if (!steps.has(value.typeStep)) problems.push(`output ${path}: type step ${value.typeStep} does not exist`);
      for (const [type, branch] of Object.entries(value.types)) {
        if (layers.get(branch.layer)?.typeName !== type) problems.push(`output ${path}: layer ${branch.layer} is not the ${type} layer`);
        visitSelection(branch.selection, path);
      }
    }
  };
  const visitSelection = (selection: OutputSelectionJSON, path: string): void => {
    for (const [key, value] of Object.entries(selection.fields)) visitValue(value, path ? `${path}.${key}` : key);
  };
  visitSelection(plan.output, "");
  return problems;
}

for (const name of jsonFiles) {
  test(`snapshot ${name}: a well-formed plan (steps once, layers a tree, dependencies resolve)`, () => {
    const plan = readPlan(name);
    assert.ok(plan.steps.length > 0 && plan.layers.length > 0, "the plan has steps and layers");
    assert.equal(planProblems(plan), []);
  });
}

test("the review finds what is wrong: a broken plan JSON gives one sentence per problem", () => {
  const plan = structuredClone(readPlan("todo-view.json")) as { -readonly [K in keyof PlanJSON]: any };
  plan.steps[1].dependencies = [{ step: 999, global: false, acceptFlags: ["null"] }];
  plan.steps.push({ ...plan.steps[0], layer: 42 });
  plan.layers[2].parent = 5;
  const problems = planProblems(plan as PlanJSON);
  assert.ok(problems.includes("a step id appears more than once in steps"), problems.join("\n"));
  assert.ok(problems.includes(`step ${plan.steps[1].id} depends on step 999, which does not exist`), problems.join("\n"));
  assert.ok(problems.some((p) => p.includes("layer 42 does not exist")), problems.join("\n"));
  assert.ok(problems.some((p) => /its parents form a cycle/.test(p)), problems.join("\n"));
});

// ---- Mermaid ------------------------------------------------------------------------------------

interface Diagram {
  subgraphs: Map<string, { title: string; nodes: string[] }>;
  nodes: Map<string, { subgraph: string; label: string; async: boolean }>;
  edges: Array<{ from: string; to: string; kind: "-->" | "-.->" | "==>"; label: string | null }>;
  classes: Map<string, string[]>;
  problems: string[];
}

/** Parses the flowchart line by line; every line must be one of the forms the explain diagrams use. */
function parseDiagram(text: string): Diagram {
  const d: Diagram = { subgraphs: new Map(), nodes: new Map(), edges: [], classes: new Map(), problems: [] };
  const lines = text.split("\n");
  if (lines[0] !== "flowchart TD") d.problems.push(`first line is "${lines[0]}", not "flowchart TD"`);
  if (lines.at(-1) !== "") d.problems.push("no final newline");
  let open: string | null = null;
  lines.slice(1, -1).forEach((line, i) => {
    const at = `line ${i + 2}`;
    let m: RegExpExecArray | null;
    if ((m = /^ {2}subgraph (L\d+)\["([^"]*)"\]$/.exec(line))) {
      if (open) d.problems.push(`${at}: subgraph ${m[1]} opens inside ${open}`);
      if (d.subgraphs.has(m[1]!)) d.problems.push(`${at}: subgraph ${m[1]} appears twice`);
      d.subgraphs.set(m[1]!, { title: m[2]!, nodes: [] });
      open = m[1]!;
    } else if (line === "  end") {
      if (!open) d.problems.push(`${at}: "end" without a subgraph`);
      open = null;
    } else if ((m = /^ {4}([sg]\d+)(?:\(\["([^"]*)"\]\)|\["([^"]*)"\])$/.exec(line))) {
      if (!open) d.problems.push(`${at}: node ${m[1]} outside any subgraph`);
      if (d.nodes.has(m[1]!)) d.problems.push(`${at}: node ${m[1]} is drawn twice`);
      d.nodes.set(m[1]!, { subgraph: open ?? "", label: m[2] ?? m[3]!, async: m[2] !== undefined });
      if (open) d.subgraphs.get(open)!.nodes.push(m[1]!);
    } else if ((m = /^ {2}(\w+) (-->|-\.->|==>)(?:\|"([^"]*)"\|)? (\w+)$/.exec(line))) {
      d.edges.push({ from: m[1]!, kind: m[2] as "-->", label: m[3] ?? null, to: m[4]! });
    } else if ((m = /^ {2}class ([\w,]+) (\w+)$/.exec(line))) {
      d.classes.set(m[2]!, m[1]!.split(","));
    } else if (!/^ {2}classDef \w+ \S.*$/.test(line) && !/^ {2}%% .*$/.test(line)) {
      d.problems.push(`${at}: not a line an explain diagram has: "${line}"`);
    }
  });
  if (open) d.problems.push(`subgraph ${open} is never closed`);
  const seen = new Set<string>();
  for (const e of d.edges) {
    for (const end of [e.from, e.to]) if (!d.nodes.has(end)) d.problems.push(`edge ${e.from} ${e.kind} ${e.to}: ${end} is not a drawn node`);
    if (e.from === e.to) d.problems.push(`edge ${e.from} ${e.kind} ${e.to} loops on itself`);
    const key = `${e.from} ${e.kind} ${e.to}`;
    if (seen.has(key)) d.problems.push(`edge ${key} appears twice`);
    seen.add(key);
  }
  for (const [cls, nodes] of d.classes) for (const n of nodes) if (!d.nodes.has(n)) d.problems.push(`class ${cls} names ${n}, which is not drawn`);
  return d;
}

const unescape = (text: string) => text.replace(/#lt;/g, "<").replace(/#gt;/g, ">").replace(/#quot;/g, '"').replace(/#35;/g, "#");
const sorted = (items: Iterable<string>) => [...items].sort();

for (const name of mmdFiles) {
  test(`snapshot ${name}: one node per step or collapsed group of ${base(name)}.json, edges between drawn nodes`, () => {
    const diagram = parseDiagram(readSnapshot(dir, name)!);
    assert.equal(diagram.problems, []);
    const plan = readPlan(`${base(name)}.json`);

    // Which node each step is drawn as.
    const nodeOf = new Map<number, string>();
    for (const group of plan.collapsed) for (const id of group.steps) nodeOf.set(id, group.node);
    for (const step of plan.steps) if (!nodeOf.has(step.id)) nodeOf.set(step.id, `s${step.id}`);
    assert.equal(sorted(diagram.nodes.keys()), sorted(new Set(nodeOf.values())), "the drawn nodes are the steps after collapsing");

    // Each node sits in the box of its step's layer; each box is a layer with steps, titled as the layer.
    for (const step of plan.steps) assert.is(diagram.nodes.get(nodeOf.get(step.id)!)!.subgraph, `L${step.layer}`, `step ${step.id}`);
    assert.equal(sorted(diagram.subgraphs.keys()), sorted(plan.layers.filter((l) => l.steps.length > 0).map((l) => `L${l.id}`)));
    for (const layer of plan.layers) if (layer.steps.length > 0) assert.is(unescape(diagram.subgraphs.get(`L${layer.id}`)!.title), layer.title);

    // Labels name the step (class, id, meta) or the group; async steps are stadiums.
    for (const step of plan.steps) {
      const node = diagram.nodes.get(nodeOf.get(step.id)!)!;
      const group = plan.collapsed.find((g) => g.steps.includes(step.id));
      const expected = group ? group.label : `${step.class}[${step.id}${step.meta ? `<${step.meta}>` : ""}]`;
      assert.ok(unescape(node.label).startsWith(expected), `step ${step.id}: label "${node.label}" does not start with "${expected}"`);
      assert.is(node.async, step.async, `step ${step.id}: async shape`);
    }

    // Edges: one per dependency between different nodes (dotted when global, labelled with the flags it
    // accepts unless that is only null), plus a thick one from each list step to its layer's item step.
    const wanted = new Set<string>();
    for (const step of plan.steps) {
      for (const dep of step.dependencies) {
        const from = nodeOf.get(dep.step)!;
        const to = nodeOf.get(step.id)!;
        const flags = dep.acceptFlags.join(", ");
        const label = flags === "null" ? "" : `|"accepts ${flags || "no flags"}"|`;
        if (from !== to) wanted.add(`${from} ${dep.global ? "-.->" : "-->"}${label} ${to}`);
      }
    }
    for (const layer of plan.layers) {
      if (layer.listStep !== undefined && layer.itemStep !== undefined) wanted.add(`${nodeOf.get(layer.listStep)} ==> ${nodeOf.get(layer.itemStep)}`);
    }
    assert.equal(sorted(diagram.edges.map((e) => `${e.from} ${e.kind}${e.label === null ? "" : `|"${e.label}"|`} ${e.to}`)), sorted(wanted));

    // Classes: global steps and collapsed groups are marked, nothing else.
    assert.equal(sorted(diagram.classes.get("global") ?? []), sorted(new Set(plan.steps.filter((s) => s.global).map((s) => nodeOf.get(s.id)!))));
    assert.equal(sorted(diagram.classes.get("collapsed") ?? []), sorted(plan.collapsed.map((g) => g.node)));

    // A plan that cannot be exported: the reason in a comment line, its step's node marked.
    const blocker = plan.exportBlocker;
    assert.is(plan.exportable, blocker === undefined, "exportable exactly when there is no blocker");
    const comment = readSnapshot(dir, name)!.split("\n").filter((line) => line.startsWith("  %% not exportable: "));
    assert.equal(comment, blocker ? [`  %% not exportable: ${blocker.message}`] : []);
    const blockingNode = blocker?.step == null ? undefined : nodeOf.get(blocker.step);
    assert.equal(diagram.classes.get("exportBlocker") ?? [], blockingNode === undefined ? [] : [blockingNode]);
  });
}

test("the review finds what is wrong: a broken diagram names the line and the node", () => {
  const text = readSnapshot(dir, "todo-view.mmd")!;
  const broken = text.replace("  s1 --> s2\n", "  s1 --> s2\n  s1 --> s77\n").replace(/(\n {4}s3\[.*\n)/, "$1$1");
  const problems = parseDiagram(broken).problems;
  assert.ok(problems.includes("edge s1 --> s77: s77 is not a drawn node"), problems.join("\n"));
  assert.ok(problems.some((p) => /node s3 is drawn twice/.test(p)), problems.join("\n"));
});

test.run();
