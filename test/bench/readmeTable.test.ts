// The README's bench tables are generated from the bench's results (between its bench-table markers) and
// must say what bench/RESULTS.md says: every README table is a RESULTS.md table with the same heading row,
// and every row's numbers are the same. Also checks the ratio columns against the per-process figures in
// bench/results.
// Parses text, never runs or times anything.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync } from "node:fs";
import { README_END, README_START } from "../../bench/report.js";
import { median } from "../../bench/median.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const results = readFileSync(new URL("../../bench/RESULTS.md", import.meta.url), "utf8");

interface Table {
  header: string;
  columns: string[];
  rows: string[][];
}

const cellsOf = (line: string): string[] => line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
/** "[Todo view](#todo-view)" → "Todo view" */
const plain = (cell: string): string => cell.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");

/** Every markdown table in `text`: its heading row and body rows (the separator row dropped). */
function tablesOf(text: string): Table[] {
  const tables: Table[] = [];
  let lines: string[] = [];
  const flush = () => {
    if (lines.length >= 2 && /^\|[\s:|-]+\|$/.test(lines[1]!.trim())) {
      tables.push({ header: lines[0]!.trim(), columns: cellsOf(lines[0]!), rows: lines.slice(2).map((l) => cellsOf(l).map(plain)) });
    }
    lines = [];
  };
  for (const line of text.split("\n")) {
    if (line.trim().startsWith("|")) lines.push(line);
    else flush();
  }
  flush();
  return tables;
}

/** The numbers in a cell, in order: "1,247 (1,201–1,290)" → [1247, 1201, 1290]. */
const numbersOf = (cell: string): number[] => (cell.match(/\d[\d,]*(?:\.\d+)?/g) ?? []).map((n) => Number(n.replace(/,/g, "")));

function readmeRegion(): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  assert.ok(start >= 0 && end > start, `README.md has a ${README_START} … ${README_END} region`);
  return readme.slice(start + README_START.length, end);
}

test("README bench tables: every table and row is in bench/RESULTS.md with the same numbers", () => {
  const inReadme = tablesOf(readmeRegion());
  const inResults = tablesOf(results);
  assert.ok(inReadme.length >= 2, "the README region has the peer table and the store table");
  for (const table of inReadme) {
    const twin = inResults.find((t) => t.header === table.header);
    assert.ok(twin, `bench/RESULTS.md has no table headed ${table.header}`);
    assert.is(table.rows.length, twin!.rows.length, `rows of ${table.header}`);
    for (const row of table.rows) {
      const other = twin!.rows.find((r) => r[0] === row[0]);
      assert.ok(other, `bench/RESULTS.md's table ${table.columns[0]} has no row "${row[0]}"`);
      assert.equal(row.map(numbersOf), other!.map(numbersOf), `numbers of the row "${row[0]}"`);
    }
  }
});

/** The CPU shapes' results files (bench/results), by the shape named in the table's first column. */
function resultsByShape(): Map<string, { engines: Array<{ name: string; runs?: number[] }> }> {
  const dir = new URL("../../bench/results/", import.meta.url);
  const byShape = new Map<string, { engines: Array<{ name: string; runs?: number[] }> }>();
  for (const name of readdirSync(dir)) {
    if (!name.startsWith("cpu-") || !name.endsWith(".json")) continue;
    const r = JSON.parse(readFileSync(new URL(name, dir), "utf8")) as { shape?: string; engines: Array<{ name: string; runs?: number[] }> };
    if (r.shape !== undefined) byShape.set(r.shape, r);
  }
  return byShape;
}

test("README bench tables: the peer table has the 8 CPU shapes and a ratio column per peer, each ratio the median of the per-process ratios", () => {
  const peer = tablesOf(readmeRegion()).find((t) => t.columns.includes("÷ graphql-js"));
  assert.ok(peer, "the README region has the table against graphql-js, graphql-jit and Grafast");
  const at = (name: string) => {
    const i = peer!.columns.findIndex((c) => c === name || c.startsWith(`${name} `));
    assert.ok(i >= 0, `column ${name}: ${peer!.columns.join(" | ")}`);
    return i;
  };
  assert.is(peer!.rows.length, 8);
  const byShape = resultsByShape();
  const graphscale = at("graphscale (plans)");
  let paired = 0;
  for (const name of ["graphql-js", "graphql-jit", "Grafast"]) {
    const ops = at(name);
    const ratio = at(`÷ ${name}`);
    for (const row of peer!.rows) {
      const [stated, low, high] = numbersOf(row[ratio]!) as [number, number | undefined, number | undefined];
      // Printed to 2 decimals (3 significant figures above 10): the median of the per-process ratios of the
      // shape's results file, and within the per-process min–max beside it.
      const tolerance = 0.006 + stated * 0.01;
      if (low !== undefined && high !== undefined) assert.ok(low - tolerance <= stated && stated <= high + tolerance, `${row[0]}: ${stated} outside its per-process range ${low}–${high} (÷ ${name})`);
      const result = byShape.get(row[0]!);
      const ours = result?.engines.find((e) => e.name === "graphscale (plans)")?.runs;
      const theirs = result?.engines.find((e) => e.name.startsWith(name))?.runs;
      if (ours !== undefined && theirs !== undefined && ours.length === theirs.length) {
        const middle = median(ours.map((x, i) => x / theirs[i]!));
        assert.ok(Math.abs(middle - stated) <= tolerance, `${row[0]}: the per-process ratios' median is ${middle.toFixed(3)}, the table says ${stated} (÷ ${name})`);
        paired++;
      } else {
        // A row of an older run, without per-process figures: its medians' ratio.
        const g = numbersOf(row[graphscale]!)[0]!;
        const p = numbersOf(row[ops]!)[0]!;
        assert.ok(Math.abs(g / p - stated) <= tolerance, `${row[0]}: ${g} ÷ ${p} = ${(g / p).toFixed(3)}, the table says ${stated} (÷ ${name})`);
      }
    }
  }
  // The CPU shapes timed with the other engines (all but the 200-field row, from the planning scenario).
  assert.ok(paired >= 7 * 3, `${paired} ratios checked against their shapes' per-process figures`);
});

test.run();
