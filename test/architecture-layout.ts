// The engine layout as spec/README.md declares it ("## Engine layout": parts, their files, main file, spec
// and the parts each may import), and the check of a tree's files and import graph against it. Pure: reads
// the text and the graph it is given; never reads the file system or decides a layout of its own.

/** One row of the layout table. */
export interface LayoutPart {
  readonly name: string;
  /** Folders ("src/engine/planning/") and files ("src/engine/step.ts"), as written. */
  readonly files: readonly string[];
  readonly main: string;
  readonly spec: string;
  readonly mayImport: readonly string[];
}

const SECTION = "## Engine layout";

/** The rows of the `## Engine layout` table of a spec/README.md text. */
export function parseLayout(readme: string): LayoutPart[] {
  const lines = readme.split("\n");
  const start = lines.indexOf(SECTION);
  if (start < 0) throw new Error(`spec/README.md has no "${SECTION}" section`);
  const parts: LayoutPart[] = [];
  for (let i = start + 1; i < lines.length && !/^## /.test(lines[i]!); i++) {
    const line = lines[i]!.trim();
    if (!line.startsWith("|")) continue;
    const cells = line.slice(1, line.endsWith("|") ? -1 : undefined).split("|").map((c) => c.trim());
    if (cells[0] === "Part" || /^-+$/.test(cells[0]!)) continue;
    const [name, filesCell, mainCell, specCell, mayCell] = cells;
    const files = [...(filesCell ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const main = /^`([^`]+)`$/.exec(mainCell ?? "")?.[1];
    const spec = /^\[([\w.-]+\.md)\]\(\1\)$/.exec(specCell ?? "")?.[1];
    if (!name || !/^[a-zA-Z]+$/.test(name) || files.length === 0 || !main || !spec || mayCell === undefined) {
      throw new Error(`spec/README.md: malformed layout row "| ${cells.join(" | ")} |" (expected | part | \`files\` | \`main file\` | [spec.md](spec.md) | parts, … |)`);
    }
    const mayImport = mayCell === "" ? [] : mayCell.split(",").map((s) => s.trim());
    parts.push({ name, files, main, spec, mayImport });
  }
  return parts;
}

/** The part a file is in: a file listed by name, else the longest folder holding it; null when none. */
export function partOf(parts: readonly LayoutPart[], file: string): LayoutPart | null {
  let best: LayoutPart | null = null;
  let bestLength = -1;
  for (const part of parts) {
    for (const entry of part.files) {
      if (entry === file) return part;
      if (entry.endsWith("/") && file.startsWith(entry) && entry.length > bestLength) {
        best = part;
        bestLength = entry.length;
      }
    }
  }
  return best;
}

/** What the check needs of a tree: its files under the engine folder, its folders there, and its imports. */
export interface LayoutTree {
  /** The engine folder, "/"-terminated ("src/engine/"). */
  readonly engineDir: string;
  /** Every .ts file under engineDir. */
  readonly files: readonly string[];
  /** The folders directly under engineDir, "/"-terminated. */
  readonly folders: readonly string[];
  /** Each import of a file under engineDir: the imported file and the line. */
  readonly imports: ReadonlyArray<{ readonly file: string; readonly target: string; readonly line: number }>;
  /** The first line of a file, or null when it does not exist. */
  firstLine(file: string): string | null;
}

/** Every way the tree breaks the declared layout, one line each naming the file, the part and what to do. */
export function checkLayout(parts: readonly LayoutPart[], tree: LayoutTree): string[] {
  const out: string[] = [];
  const names = new Set(parts.map((p) => p.name));
  for (const part of parts) {
    for (const other of part.mayImport) if (!names.has(other)) out.push(`part ${part.name} may import "${other}", which is no part of the table`);
    for (const entry of part.files) {
      if (!entry.startsWith(tree.engineDir)) out.push(`part ${part.name} lists ${entry}, which is not under ${tree.engineDir}`);
      else if (entry.endsWith("/") ? !tree.folders.includes(entry) : !tree.files.includes(entry)) out.push(`part ${part.name} lists ${entry}, which does not exist`);
    }
    const first = tree.firstLine(part.main);
    const folder = part.files.length === 1 && part.files[0]!.endsWith("/") ? part.files[0]!.slice(tree.engineDir.length) : null;
    if (first === null) out.push(`part ${part.name}: its main file ${part.main} does not exist`);
    else if (partOf(parts, part.main) !== part) out.push(`part ${part.name}: its main file ${part.main} is not one of its files`);
    else if (!first.startsWith(folder === null ? "// " : `// ${folder}`) || !first.includes(`spec/${part.spec}`)) {
      out.push(`${part.main}: the first line must be "// ${folder ?? "<what>"}…" with the part's purpose and "spec/${part.spec}"; it is "${first}"`);
    }
  }
  for (const folder of tree.folders) {
    if (!parts.some((p) => p.files.includes(folder))) out.push(`${folder} is a folder of ${tree.engineDir} but no part of the layout table: add a row for it, or move its files into a phase folder`);
  }
  for (const file of tree.files) {
    if (partOf(parts, file) === null) out.push(`${file} is in no part of the layout table: move it into a phase folder, or list it under a part's files`);
  }
  for (const { file, target, line } of tree.imports) {
    const from = partOf(parts, file);
    const to = partOf(parts, target);
    if (from === null || to === null || from === to) continue;
    if (!from.mayImport.includes(to.name)) {
      out.push(`${file}:${line} imports ${target}: part ${from.name} may not import part ${to.name} (it may import ${from.mayImport.join(", ") || "no other part"}); move the shared code down, or pass it in from above`);
    }
  }
  for (const cycle of allowedCycles(parts)) out.push(`the table lets parts import each other in a cycle: ${cycle.join(" → ")}`);
  return out;
}

/** Cycles in the "may import" relation itself (depth first, each reported once from its first part). */
function allowedCycles(parts: readonly LayoutPart[]): string[][] {
  const byName = new Map(parts.map((p) => [p.name, p]));
  const state = new Map<string, "open" | "done">();
  const out: string[][] = [];
  const path: string[] = [];
  const visit = (name: string): void => {
    state.set(name, "open");
    path.push(name);
    for (const next of byName.get(name)?.mayImport ?? []) {
      if (state.get(next) === "open") out.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(name, "done");
  };
  for (const part of parts) if (!state.has(part.name)) visit(part.name);
  return out;
}
