// Architecture checks (DESIGN.md, "Layering is one way ... No import cycles"; STYLE.md, small functions on
// the hot path): no import cycle in src/ and steps/ (madge's import graph, type-only imports included);
// no file in src/ imports from steps/; no file in src/ over 450 lines; no function over 80 lines in the
// executor and output (src/engine/execute*.ts, output*.ts, output/**, execution/**). Each violation names
// the file, the function or import, and the lines.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("..", import.meta.url));
const MAX_FILE_LINES = 450;
const MAX_FUNCTION_LINES = 80;

// ---- files ----------------------------------------------------------------------------------------

/** Every .ts file under `dir` (relative to the project root, "/"-separated), sorted. */
function tsFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) for (const name of readdirSync(path).sort()) visit(join(path, name));
    else if (path.endsWith(".ts") && !path.endsWith(".d.ts")) out.push(relative(root, path).split("\\").join("/"));
  };
  visit(join(root, dir));
  return out;
}

function sourceOf(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(join(root, file), "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

const lineOf = (sf: ts.SourceFile, pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;

// ---- import cycles (madge) --------------------------------------------------------------------------

interface MadgeResult {
  obj(): Record<string, string[]>;
  circular(): string[][];
  warnings(): { skipped: string[] };
}
type Madge = (paths: string[], config: Record<string, unknown>) => Promise<MadgeResult>;
const madge = createRequire(import.meta.url)("madge") as Madge;

/** The import graph of `dirs` as madge reads it: `.js` specifiers resolved to `.ts` files through tsconfig. */
async function importGraph(dirs: string[], baseDir = root): Promise<{ graph: Record<string, string[]>; madgeCycles: string[][]; skipped: string[] }> {
  const result = await madge(dirs, {
    baseDir,
    fileExtensions: ["ts"],
    tsConfig: join(root, "tsconfig.json"),
    // A type-only import is still an import cycle for a reader and for the layering rule.
    detectiveOptions: { ts: { skipTypeImports: false, skipAsyncImports: false } },
  });
  return { graph: result.obj(), madgeCycles: result.circular(), skipped: result.warnings().skipped };
}

/** Strongly connected components with more than one file (or a file importing itself): Tarjan's algorithm. */
function cyclicComponents(graph: Record<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const connect = (v: string) => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph[v] ?? []) {
      if (!indices.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph[v] ?? []).includes(v)) out.push(component.sort());
    }
  };
  for (const v of Object.keys(graph).sort()) if (!indices.has(v)) connect(v);
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** The shortest import path from `start` back to itself inside `component` (breadth first). */
function shortestCycle(graph: Record<string, string[]>, component: string[], start: string): string[] {
  const inside = new Set(component);
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph[v] ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

function describeCycles(graph: Record<string, string[]>): string[] {
  return cyclicComponents(graph).map((component) => {
    const cycle = shortestCycle(graph, component, component[0]!);
    return `${component.length} files import each other in a cycle: ${component.join(", ")}\n      e.g. ${cycle.join(" → ")}`;
  });
}

// ---- import specifiers (TypeScript's parser) --------------------------------------------------------

interface ImportSite {
  file: string;
  line: number;
  specifier: string;
  /** The imported file relative to the root, for a relative specifier ("./x.js" → ".../x.ts"). */
  target: string | null;
}

/** Every import, export-from, dynamic import() and import type of a file, with its line. */
function importsOf(file: string): ImportSite[] {
  const sf = sourceOf(file);
  const out: ImportSite[] = [];
  const add = (node: ts.Node, specifier: ts.Expression | undefined) => {
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    const text = specifier.text;
    let target: string | null = null;
    if (text.startsWith(".")) {
      const path = resolve(root, dirname(file), text).replace(/\.js$/, ".ts");
      target = relative(root, existsSync(path) ? path : path.endsWith(".ts") ? path : `${path}/index.ts`).split("\\").join("/");
    }
    out.push({ file, line: lineOf(sf, node.getStart(sf)), specifier: text, target });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal as ts.Expression);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

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

/** The executor and output files: execute*.ts and output*.ts in src/engine/, and src/engine/{output,execution}/**. */
function hotPathFiles(): string[] {
  return tsFiles("src/engine").filter((f) => /^src\/engine\/(execute[^/]*\.ts|output[^/]*\.ts|output\/.+|execution\/.+)$/.test(f));
}

/** Fails with one line per violation (no stack: the violations say where to look). */
function report(title: string, violations: string[]): void {
  if (violations.length === 0) return;
  const error = new Error(`${title}: ${violations.length} violation(s)\n    ${violations.join("\n    ")}`);
  error.stack = "";
  throw error;
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

test.run();
