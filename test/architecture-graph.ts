// The import graph of the project's TypeScript files, for the architecture checks: files, madge's graph
// (.js specifiers resolved to .ts), import cycles, and each import with its line. Reads files only; never
// runs the code it reads.

import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export const root = fileURLToPath(new URL("..", import.meta.url));

// ---- files ----------------------------------------------------------------------------------------

/** Every .ts file under `dir` (relative to the project root, "/"-separated), sorted. */
export function tsFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) for (const name of readdirSync(path).sort()) visit(join(path, name));
    else if (path.endsWith(".ts") && !path.endsWith(".d.ts")) out.push(relative(root, path).split("\\").join("/"));
  };
  visit(join(root, dir));
  return out;
}

export function sourceOf(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(join(root, file), "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

export const lineOf = (sf: ts.SourceFile, pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;

// ---- import cycles (madge) --------------------------------------------------------------------------

export interface MadgeResult {
  obj(): Record<string, string[]>;
  circular(): string[][];
  warnings(): { skipped: string[] };
}
type Madge = (paths: string[], config: Record<string, unknown>) => Promise<MadgeResult>;
const madge = createRequire(import.meta.url)("madge") as Madge;

/** The import graph of `dirs` as madge reads it: `.js` specifiers resolved to `.ts` files through tsconfig. */
export async function importGraph(dirs: string[], baseDir = root): Promise<{ graph: Record<string, string[]>; madgeCycles: string[][]; skipped: string[] }> {
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
export function cyclicComponents(graph: Record<string, string[]>): string[][] {
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
export function shortestCycle(graph: Record<string, string[]>, component: string[], start: string): string[] {
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

export function describeCycles(graph: Record<string, string[]>): string[] {
  return cyclicComponents(graph).map((component) => {
    const cycle = shortestCycle(graph, component, component[0]!);
    return `${component.length} files import each other in a cycle: ${component.join(", ")}\n      e.g. ${cycle.join(" → ")}`;
  });
}

// ---- import specifiers (TypeScript's parser) --------------------------------------------------------

export interface ImportSite {
  file: string;
  line: number;
  specifier: string;
  /** The imported file relative to the root, for a relative specifier ("./x.js" → ".../x.ts"). */
  target: string | null;
}

/** Every import, export-from, dynamic import() and import type of a file, with its line. */
export function importsOf(file: string): ImportSite[] {
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

/** Fails with one line per violation (no stack: the violations say where to look). */
export function report(title: string, violations: string[]): void {
  if (violations.length === 0) return;
  const error = new Error(`${title}: ${violations.length} violation(s)\n    ${violations.join("\n    ")}`);
  error.stack = "";
  throw error;
}
