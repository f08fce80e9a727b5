// Architecture checks (DESIGN.md, "Layering is one way ... No import cycles"; STYLE.md, small functions on
// the hot path): no import cycle in src/ and steps/ (madge's import graph, type-only imports included);
// no file in src/ imports from steps/; no file in src/ over 450 lines; the engine laid out by phase as
// spec/README.md's "Engine layout" declares it (every file in one part, imports only in the declared
// direction); no function over 80 lines in the executor and output (request/execute*.ts, output/**,
// execution/**, planning/outputPlan.ts, live/executeSubtree.ts). Each violation names the file, the function
// or import, and the lines.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { cyclicComponents, describeCycles, importGraph, importsOf, lineOf, report, root, shortestCycle, sourceOf, tsFiles } from "./architecture-graph.js";
import { checkLayout, parseLayout, partOf, type LayoutTree } from "./architecture-layout.js";

const MAX_FILE_LINES = 450;
const MAX_FUNCTION_LINES = 80;

// ---- function spans (TypeScript's parser) ------------------------------------------------------------

interface FunctionSpan {
  name: string;
  start: number;
  end: number;
}

function nameOf(node: ts.Node, sf: ts.SourceFile): string {
  const text = (name: ts.Node | undefined) => (name ? name.getText(sf) : null);
  const owner = (member: ts.Node) => {
    const cls = member.parent;
    return (ts.isClassLike(cls) && cls.name?.text) || (ts.isObjectLiteralExpression(cls) ? "{…}" : "<class>");
  };
  if (ts.isFunctionDeclaration(node)) return `function ${node.name?.text ?? "default"}`;
  if (ts.isConstructorDeclaration(node)) return `${owner(node)}.constructor`;
  if (ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)) {
    const kind = ts.isGetAccessor(node) ? "get " : ts.isSetAccessor(node) ? "set " : "";
    return ts.isClassLike(node.parent) ? `method ${kind}${owner(node)}.${text(node.name)}` : `method ${kind}${text(node.name)}`;
  }
  // Function expressions and arrows: named after what they are assigned to, else where they start.
  const parent = node.parent;
  const kind = ts.isArrowFunction(node) ? "arrow" : "function";
  if (ts.isFunctionExpression(node) && node.name) return `${kind} ${node.name.text}`;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))) return `${kind} ${text(parent.name)}`;
  if (parent && ts.isCallExpression(parent)) return `${kind} passed to ${parent.expression.getText(sf).slice(0, 40)}() at line ${lineOf(sf, node.getStart(sf))}`;
  return `${kind} at line ${lineOf(sf, node.getStart(sf))}`;
}

/** Every function, method, constructor, accessor and arrow with a body, with its first and last line. */
function functionsOf(file: string): FunctionSpan[] {
  const sf = sourceOf(file);
  const out: FunctionSpan[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
      out.push({ name: nameOf(node, sf), start: lineOf(sf, node.getStart(sf)), end: lineOf(sf, node.getEnd()) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The executor and output files: request/execute*.ts, output/**, execution/**, the output plan and the subtree run. */
function hotPathFiles(): string[] {
  return tsFiles("src/engine").filter((f) => /^src\/engine\/(request\/execute[^/]*\.ts|planning\/outputPlan\.ts|live\/executeSubtree\.ts|output\/.+|execution\/.+)$/.test(f));
}


// ---- the checks ------------------------------------------------------------------------------------

test("architecture: no import cycles in src/ and steps/ (type-only imports included)", async () => {
  const { graph, madgeCycles, skipped } = await importGraph(["src", "steps"]);
  assert.equal(skipped, [], "madge could not resolve these imports");
  // madge read every file, with each relative import resolved (".js" specifiers to ".ts" files).
  const files = [...tsFiles("src"), ...tsFiles("steps")];
  assert.equal(Object.keys(graph).sort(), files.sort(), "madge's graph covers src/ and steps/");
  for (const file of files) {
    const expected = [...new Set(importsOf(file).map((i) => i.target).filter((t): t is string => t !== null))].sort();
    assert.equal([...graph[file]!].sort(), expected, `madge's imports of ${file}`);
  }
  const cycles = describeCycles(graph);
  assert.is(cycles.length > 0, madgeCycles.length > 0, "madge's own cycle list agrees");
  report("import cycles in src/ and steps/", cycles);
});

test("architecture: the cycle check finds a cycle through .js specifiers (test/architecture-fixtures/cycle)", async () => {
  const { graph, madgeCycles } = await importGraph(["test/architecture-fixtures/cycle"]);
  const fixture = "test/architecture-fixtures/cycle";
  assert.equal(cyclicComponents(graph), [[`${fixture}/a.ts`, `${fixture}/b.ts`, `${fixture}/c.ts`]]);
  assert.equal(shortestCycle(graph, cyclicComponents(graph)[0]!, `${fixture}/a.ts`), [`${fixture}/a.ts`, `${fixture}/b.ts`, `${fixture}/c.ts`, `${fixture}/a.ts`]);
  assert.is(madgeCycles.length, 1);
  assert.not.ok(`${fixture}/leaf.ts` in graph && cyclicComponents(graph).flat().includes(`${fixture}/leaf.ts`));
});

test("architecture: no file in src/ imports from steps/", () => {
  const violations = tsFiles("src")
    .flatMap(importsOf)
    .filter((i) => i.target?.startsWith("steps/"))
    .map((i) => `${i.file}:${i.line} imports "${i.specifier}" (${i.target})`);
  report("imports from src/ into steps/", violations);
});

test(`architecture: no file in src/ is over ${MAX_FILE_LINES} lines`, () => {
  const violations: string[] = [];
  for (const file of tsFiles("src")) {
    const lines = readFileSync(join(root, file), "utf8").replace(/\n$/, "").split("\n").length;
    if (lines > MAX_FILE_LINES) violations.push(`${file}: ${lines} lines`);
  }
  report(`files in src/ over ${MAX_FILE_LINES} lines`, violations.sort());
});

test(`architecture: no function over ${MAX_FUNCTION_LINES} lines in the executor and output`, () => {
  const files = hotPathFiles();
  assert.ok(files.length > 0, "no executor or output files found under src/engine/");
  const violations: string[] = [];
  for (const file of files) {
    for (const fn of functionsOf(file)) {
      const lines = fn.end - fn.start + 1;
      if (lines > MAX_FUNCTION_LINES) violations.push(`${file}: ${fn.name}, lines ${fn.start}–${fn.end} (${lines} lines)`);
    }
  }
  report(`functions over ${MAX_FUNCTION_LINES} lines in ${files.join(", ")}`, violations);
});

test("architecture: the function finder sees functions, methods, constructors, accessors and arrows with their lines", () => {
  const spans = functionsOf("test/architecture-fixtures/functions.ts").map((f) => `${f.name} ${f.start}-${f.end}`);
  assert.equal(spans, [
    "function outer 4-9",
    "arrow inner 5-7",
    "Shape.constructor 12-14",
    "method Shape.area 15-17",
    "method get Shape.name 18-20",
    "arrow passed to [1, 2].map() at line 23 23-25",
    "function named 27-27",
  ]);
});

// ---- the engine layout (spec/README.md, "Engine layout") ----------------------------------------------

/** A tree under `engineDir` as the layout check reads it: files, folders, and madge's imports with their lines. */
async function layoutTree(engineDir: string): Promise<LayoutTree> {
  const { graph } = await importGraph([engineDir]);
  const files = tsFiles(engineDir);
  const imports = files.flatMap((file) => {
    const sites = importsOf(file);
    return (graph[file] ?? []).map((target) => ({ file, target, line: sites.find((s) => s.target === target)?.line ?? 0 }));
  });
  const folders = readdirSync(join(root, engineDir))
    .filter((name) => statSync(join(root, engineDir, name)).isDirectory())
    .map((name) => `${engineDir}${name}/`)
    .sort();
  const firstLine = (file: string) => (existsSync(join(root, file)) ? readFileSync(join(root, file), "utf8").split("\n")[0]! : null);
  return { engineDir, files, folders, imports, firstLine };
}

const engineLayout = () => parseLayout(readFileSync(join(root, "spec/README.md"), "utf8"));

test("architecture: src/engine/ is laid out by phase as spec/README.md declares, imports in the declared direction only", async () => {
  const parts = engineLayout();
  assert.equal(parts.map((p) => p.name), ["entry", "batching", "live", "incremental", "request", "explain", "output", "execution", "planExport", "planning", "tracing", "stepApi"]);
  const tree = await layoutTree("src/engine/");
  assert.ok(tree.imports.length > 150, `madge read the engine's imports (${tree.imports.length})`);
  report("the engine layout (spec/README.md, Engine layout)", checkLayout(parts, tree));
});

test("architecture: the layout check refuses an import against the declared direction in the real table", async () => {
  const parts = engineLayout();
  const tree = await layoutTree("src/engine/");
  // Planning calling into the request edge, and execution into output: both run against the direction.
  const upward = [
    { file: "src/engine/planning/planner.ts", target: "src/engine/request/execute.ts", line: 1 },
    { file: "src/engine/execution/executeLayer.ts", target: "src/engine/output/buildResponse.ts", line: 2 },
  ];
  const violations = checkLayout(parts, { ...tree, imports: [...tree.imports, ...upward] });
  assert.equal(violations.length, 2, violations.join("\n"));
  assert.match(violations[0]!, /^src\/engine\/planning\/planner\.ts:1 imports src\/engine\/request\/execute\.ts: part planning may not import part request \(it may import stepApi\)/);
  assert.match(violations[1]!, /^src\/engine\/execution\/executeLayer\.ts:2 imports src\/engine\/output\/buildResponse\.ts: part execution may not import part output/);
  assert.is(partOf(parts, "src/engine/planning/steps/resolver.ts")?.name, "planning");
  assert.is(partOf(parts, "src/engine/step.ts")?.name, "stepApi");
});

test("architecture: the layout check finds an upward import, a stray file and a bad header (test/architecture-fixtures/layout)", async () => {
  const fixture = "test/architecture-fixtures/layout/";
  const parts = parseLayout(readFileSync(join(root, fixture, "README.md"), "utf8"));
  const violations = checkLayout(parts, await layoutTree(fixture));
  assert.equal(violations, [
    `${fixture}low/a.ts: the first line must be "// low/…" with the part's purpose and "spec/a.md"; it is "// a: the lower part, without its spec file named."`,
    `${fixture}stray.ts is in no part of the layout table: move it into a phase folder, or list it under a part's files`,
    `${fixture}low/a.ts:4 imports ${fixture}high/c.ts: part low may not import part high (it may import no other part); move the shared code down, or pass it in from above`,
  ]);
});

test("architecture: the layout check refuses a table whose parts may import each other in a cycle", () => {
  const table = [
    "## Engine layout",
    "| Part | Files | Main file | Spec | May import |",
    "| --- | --- | --- | --- | --- |",
    "| a | `e/a/` | `e/a/x.ts` | [a.md](a.md) | b |",
    "| b | `e/b/` | `e/b/y.ts` | [b.md](b.md) | a |",
  ].join("\n");
  const tree: LayoutTree = { engineDir: "e/", files: ["e/a/x.ts", "e/b/y.ts"], folders: ["e/a/", "e/b/"], imports: [], firstLine: (f) => (f === "e/a/x.ts" ? "// a/ (spec/a.md)" : "// b/ (spec/b.md)") };
  assert.equal(checkLayout(parseLayout(table), tree), ["the table lets parts import each other in a cycle: a → b → a"]);
});

test.run();
