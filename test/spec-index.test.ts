// The spec's index (spec/README.md) against the spec files and the code, both ways: every indexed function
// exists in the file the index names, every algorithm a spec file defines is indexed, and every `spec: Name`
// comment in src/ and steps/ is indexed with the file it is in and sits on the function it names.
// Reads files only (the TypeScript parser finds declarations and their comments); runs no engine code.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const root = new URL("..", import.meta.url).pathname;
const specDir = join(root, "spec");

/** `PlanField` → `planField`; a code name (`shardOfId`) stays as it is. */
function camelCase(name: string): string {
  return name[0]!.toLowerCase() + name.slice(1);
}

// --- spec/README.md: the index and the pending renames ---------------------------------------------------

interface IndexRow {
  readonly name: string;
  readonly spec: string;
  readonly file: string;
  readonly fn: string;
}

/** The table rows of the `## <title>` section of README.md (sub-sections included), header rows left out. */
function tableRows(readme: string, title: string): string[][] {
  const lines = readme.split("\n");
  const start = lines.indexOf(`## ${title}`);
  if (start < 0) throw new Error(`spec/README.md has no "## ${title}" section`);
  const rows: string[][] = [];
  for (let i = start + 1; i < lines.length && !/^## /.test(lines[i]!); i++) {
    const line = lines[i]!.trim();
    if (!line.startsWith("|")) continue;
    const cells = line.slice(1, line.endsWith("|") ? -1 : undefined).split("|").map((c) => c.trim());
    if (cells[0] === "Algorithm" || /^-+$/.test(cells[0]!)) continue;
    rows.push(cells);
  }
  return rows;
}

function parseIndex(readme: string): IndexRow[] {
  return tableRows(readme, "Index").map((cells) => {
    const [name, specCell, codeCell] = cells;
    const spec = /^\[([\w-]+\.md)\]\(\1\)$/.exec(specCell ?? "")?.[1];
    const code = /^`([\w./-]+\.ts):([\w$]+)`$/.exec(codeCell ?? "");
    if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name) || !spec || !code) {
      throw new Error(`spec/README.md: malformed index row "| ${cells.join(" | ")} |" (expected | Name | [file.md](file.md) | \`path.ts:function\` |)`);
    }
    return { name, spec, file: code[1]!, fn: code[2]! };
  });
}

interface Rename {
  readonly now: string;
  readonly next: string;
}

function parseRenames(readme: string): Map<string, Rename> {
  const renames = new Map<string, Rename>();
  for (const cells of tableRows(readme, "Names awaiting a code rename")) {
    const now = /^`([\w$]+)`$/.exec(cells[1] ?? "")?.[1];
    const next = /^`([\w$]+)`$/.exec(cells[2] ?? "")?.[1];
    if (!cells[0] || !now || !next) throw new Error(`spec/README.md: malformed rename row "| ${cells.join(" | ")} |"`);
    renames.set(cells[0], { now, next });
  }
  return renames;
}

// --- spec/*.md: the algorithms each file defines -----------------------------------------------------------

/** A heading that is an algorithm's PascalCase name, alone or followed by " — " and a few words. */
const ALGORITHM_HEADING = /^#{2,4} ([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+)(?: — .*)?$/;
/** kvetch-storage.md's way: a code name in bold, compound (`**readCache**`) or followed by its arguments. */
const ALGORITHM_BOLD = /\*\*([a-z][a-z0-9]*[A-Z0-9][A-Za-z0-9]*|[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+)\*\*|\*\*([a-z][A-Za-z0-9]*)\*\*\(/g;

interface Definition {
  readonly name: string;
  readonly spec: string;
  readonly by: "heading" | "bold";
}

function definitionsIn(spec: string, text: string): Definition[] {
  const out: Definition[] = [];
  let fenced = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    if (fenced) continue;
    const heading = ALGORITHM_HEADING.exec(line);
    if (heading) out.push({ name: heading[1]!, spec, by: "heading" });
    for (const m of line.matchAll(ALGORITHM_BOLD)) out.push({ name: (m[1] ?? m[2])!, spec, by: "bold" });
  }
  return out;
}

// --- src/ and steps/: declarations and the spec comments on them -------------------------------------------

interface SpecComment {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  /** The function, method or class the comment sits on; null when it sits on none. */
  declared: string | null;
}

interface Code {
  /** Names of the functions, methods, classes and function-valued consts declared in each file. */
  readonly declared: Map<string, Set<string>>;
  readonly comments: SpecComment[];
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** A `spec: Name` in a doc comment (not `const spec: Record<…>` in code). */
const SPEC_COMMENT = /^[ \t]*(?:\/\*\*|\*)[ \t]*spec: ([A-Z][A-Za-z0-9]*)/gm;

function readCode(): Code {
  const declared = new Map<string, Set<string>>();
  const comments: SpecComment[] = [];
  for (const path of [...tsFiles(join(root, "src")), ...tsFiles(join(root, "steps"))]) {
    const file = relative(root, path);
    const text = readFileSync(path, "utf8");
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const names = new Set<string>();
    declared.set(file, names);
    const found: SpecComment[] = [];
    for (const m of text.matchAll(SPEC_COMMENT)) {
      const line = source.getLineAndCharacterOfPosition(m.index!).line + 1;
      found.push({ name: m[1]!, file, line, declared: null });
    }
    comments.push(...found);
    const attach = (node: ts.Node, name: string): void => {
      for (const range of ts.getLeadingCommentRanges(text, node.getFullStart()) ?? []) {
        const line = source.getLineAndCharacterOfPosition(range.pos).line + 1;
        const endLine = source.getLineAndCharacterOfPosition(range.end).line + 1;
        for (const c of found) if (c.line >= line && c.line <= endLine) c.declared = name;
      }
    };
    const visit = (node: ts.Node): void => {
      if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name) {
        names.add(node.name.text);
        attach(node, node.name.text);
      } else if (ts.isMethodDeclaration(node) && (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name))) {
        names.add(node.name.text);
        attach(node, node.name.text);
      } else if (ts.isVariableStatement(node)) {
        for (const d of node.declarationList.declarations) {
          if (ts.isIdentifier(d.name) && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))) {
            names.add(d.name.text);
            attach(node, d.name.text);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { declared, comments };
}

// --- the checks ----------------------------------------------------------------------------------------------

const readme = readFileSync(join(specDir, "README.md"), "utf8");
const rows = parseIndex(readme);
const renames = parseRenames(readme);
const byName = new Map<string, IndexRow>();
const duplicateRows: string[] = [];
for (const row of rows) {
  if (byName.has(row.name)) duplicateRows.push(`${row.name}: indexed twice in spec/README.md`);
  byName.set(row.name, row);
}

const specFiles = readdirSync(specDir).filter((f) => f.endsWith(".md") && f !== "README.md").sort();
const definitions = new Map<string, Definition>();
const duplicateDefinitions: string[] = [];
/** Every single identifier in bold, per spec file: a one-word code name (`**migrate**`) may be indexed too. */
const boldNames = new Map<string, Set<string>>();
for (const spec of specFiles) {
  const text = readFileSync(join(specDir, spec), "utf8");
  boldNames.set(spec, new Set([...text.matchAll(/\*\*([A-Za-z][A-Za-z0-9]*)\*\*/g)].map((m) => m[1]!)));
  for (const d of definitionsIn(spec, text)) {
    const earlier = definitions.get(d.name);
    if (earlier && earlier.spec !== d.spec) duplicateDefinitions.push(`${d.name}: defined in spec/${earlier.spec} and in spec/${d.spec}`);
    if (!earlier) definitions.set(d.name, d);
  }
}

const code = readCode();

/** The code name an algorithm may have now: its camelCase (or, for code names, itself), or a pending rename's. */
function acceptedCodeNames(name: string): string[] {
  const names = [camelCase(name), name];
  const rename = renames.get(name);
  if (rename) names.push(rename.now);
  return names;
}

function report(failures: string[]): void {
  assert.is(failures.length, 0, `\n  ${failures.join("\n  ")}\n`);
}

test("spec index: parsers tell algorithm headings and bold code names from other text", () => {
  const defs = definitionsIn(
    "x.md",
    [
      "## ExecuteLayer",
      "## PlanToJSON — plan JSON",
      "## Steps",
      "### Resolver step",
      "## LoadObjectStep.execute",
      "### LoadObjectStep.optimize — loading a list's objects right behind it",
      "**shardOfId**(id) = … **ShardMap**: … **fnv1a32**(bytes) **repair**({ batchSize }) **readCache**",
      "an **object** is **derived**; **canonical rows**; **migrate**, **DeduplicateSteps.**",
      "```",
      "## NotAHeading",
      "```",
    ].join("\n"),
  );
  assert.equal(
    defs.map((d) => `${d.by}:${d.name}`),
    ["heading:ExecuteLayer", "heading:PlanToJSON", "bold:shardOfId", "bold:ShardMap", "bold:fnv1a32", "bold:repair", "bold:readCache"],
  );
});

test("spec index: found the index, the spec files' algorithms and the code's spec comments", () => {
  assert.ok(rows.length > 0, "spec/README.md's index has no rows");
  assert.ok(code.comments.length > 0, "no `spec: Name` comment found in src/ or steps/");
  for (const spec of specFiles) {
    assert.ok([...definitions.values()].some((d) => d.spec === spec), `spec/${spec} defines no algorithm`);
  }
  assert.ok(rows.length >= definitions.size, `${definitions.size} algorithms defined, only ${rows.length} indexed`);
});

test("spec index: each algorithm is indexed once and defined in one spec file", () => {
  report([...duplicateRows, ...duplicateDefinitions]);
});

test("spec index: every indexed file exists and declares the function under the algorithm's name", () => {
  const failures: string[] = [];
  for (const row of rows) {
    if (!existsSync(join(root, row.file))) {
      failures.push(`${row.name}: indexed in ${row.file}, which does not exist`);
      continue;
    }
    const declared = code.declared.get(row.file);
    if (declared === undefined) {
      failures.push(`${row.name}: indexed in ${row.file}, which is not a .ts file under src/ or steps/`);
      continue;
    }
    if (!declared.has(row.fn)) failures.push(`${row.name}: ${row.file} declares no function, method or class named ${row.fn}`);
    if (!acceptedCodeNames(row.name).includes(row.fn)) {
      failures.push(`${row.name}: indexed as ${row.fn} in ${row.file}; the code name should be ${camelCase(row.name)} (or list the rename under "Names awaiting a code rename")`);
    }
  }
  report(failures);
});

test("spec index: names awaiting a code rename are still pending", () => {
  const failures: string[] = [];
  for (const [name, { now, next }] of renames) {
    const row = byName.get(name);
    if (!row) {
      failures.push(`${name}: listed under "Names awaiting a code rename" but not indexed`);
      continue;
    }
    if (next !== camelCase(name)) failures.push(`${name}: the rename should be to ${camelCase(name)}, not ${next}`);
    if (row.fn !== now) failures.push(`${name}: indexed as ${row.fn} in ${row.file}, but the rename table says the code name now is ${now}`);
    if (code.declared.get(row.file)?.has(next)) {
      failures.push(`${name}: ${row.file} now declares ${next}; point the index at it and drop ${name} from "Names awaiting a code rename"`);
    }
  }
  report(failures);
});

test("spec index: every algorithm a spec file defines is indexed with that spec file", () => {
  const failures: string[] = [];
  for (const d of definitions.values()) {
    const row = byName.get(d.name);
    if (!row) failures.push(`${d.name}: defined in spec/${d.spec} but not in spec/README.md's index`);
    else if (row.spec !== d.spec) failures.push(`${d.name}: defined in spec/${d.spec} but indexed with spec/${row.spec}`);
  }
  report(failures);
});

test("spec index: every indexed algorithm is defined in the spec file the index names", () => {
  const failures: string[] = [];
  for (const row of rows) {
    const d = definitions.get(row.name);
    if (d !== undefined ? d.spec === row.spec : boldNames.get(row.spec)?.has(row.name)) continue;
    failures.push(`${row.name}: indexed with spec/${row.spec}, which does not define it (a "## ${row.name}" heading, or a bold code name as in kvetch-storage.md)`);
  }
  report(failures);
});

test("spec index: every spec comment in src/ and steps/ is indexed with the file it is in", () => {
  const failures: string[] = [];
  for (const c of code.comments) {
    const row = byName.get(c.name);
    if (!row) failures.push(`${c.name}: \`spec: ${c.name}\` at ${c.file}:${c.line} is not in spec/README.md's index`);
    else if (row.file !== c.file) failures.push(`${c.name}: \`spec: ${c.name}\` is at ${c.file}:${c.line}, but the index points to ${row.file}`);
  }
  report(failures);
});

test("spec index: every spec comment sits on the function it names", () => {
  const failures: string[] = [];
  for (const c of code.comments) {
    if (c.declared === null) failures.push(`${c.name}: \`spec: ${c.name}\` at ${c.file}:${c.line} is not the comment of a function, method or class`);
    else if (!acceptedCodeNames(c.name).includes(c.declared)) {
      failures.push(`${c.name}: \`spec: ${c.name}\` at ${c.file}:${c.line} sits on ${c.declared}, not ${camelCase(c.name)}`);
    }
  }
  report(failures);
});

test("spec index: every algorithm a spec heading defines has its spec comment in the indexed file", () => {
  const failures: string[] = [];
  for (const d of definitions.values()) {
    if (d.by !== "heading") continue;
    const row = byName.get(d.name);
    if (!row) continue; // reported above
    if (!code.comments.some((c) => c.name === d.name && c.file === row.file)) {
      failures.push(`${d.name}: ${row.file} has no \`spec: ${d.name}\` comment on ${row.fn}`);
    }
  }
  report(failures);
});

test.run();
