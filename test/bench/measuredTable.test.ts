// The bench's measured tables (plan import, partial planning, batching): medians per cell over processes,
// rendered with their min–max, read back from results files into RESULTS.md sections and kept out of the
// benchmark.js scenario list. Pure data: nothing is measured or timed here.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aggregateMeasuredTables, renderMeasuredTable, type MeasuredTable } from "../../bench/measuredTable.js";
import { aggregateRuns, type ProcessRun } from "../../bench/aggregate.js";
import { machineInfo, readScenarioResults, writeReport } from "../../bench/report.js";

function table(id: string, values: number[][], date: string): MeasuredTable {
  return {
    id,
    title: `Title of ${id}`,
    description: "What it measures.",
    rowHeading: "Engine",
    columns: [
      { title: "store calls per request", format: "perRequest" },
      { title: "throughput, requests/s", format: "rate" },
      { title: "throughput ÷ execute", format: "ratio" },
    ],
    rows: values.map((v, i) => ({ label: `row ${i}`, values: v })),
    notes: ["A note."],
    date,
  };
}

test("measured tables: the median of each cell over the processes, with each cell's per-process values", () => {
  const runs = [
    [table("batching", [[5, 500, 1], [0.025, 1500, 3]], "2026-01-01T00:00:00Z")],
    [table("batching", [[5, 700, 1], [0.025, 1200, 1.71]], "2026-01-01T00:01:00Z")],
    [table("batching", [[5, 600, 1], [0.025, 2400, 4]], "2026-01-01T00:02:00Z")],
    undefined,
  ];
  const [batching, ...rest] = aggregateMeasuredTables(runs);
  assert.is(rest.length, 0);
  assert.is(batching!.processes, 3);
  assert.equal(batching!.rows.map((r) => r.values), [[5, 600, 1], [0.025, 1500, 3]]);
  assert.equal(batching!.rows[1]!.runs, [[0.025, 0.025, 0.025], [1500, 1200, 2400], [3, 1.71, 4]]);
  assert.is(batching!.date, "2026-01-01T00:02:00Z");
  const text = renderMeasuredTable(batching!);
  assert.ok(text.startsWith("## Title of batching\n\nWhat it measures.\n\nMedians of 3 processes"), text);
  assert.ok(text.includes("| row 0 | 5.00 | 600 (500–700) | 1.00× |"), text);
  assert.ok(text.includes("| row 1 | 0.025 | 1,500 (1,200–2,400) | 3.00× (1.71×–4.00×) |"), text);
  assert.ok(text.trimEnd().endsWith("- A note."), text);
});

test("measured tables: aggregateRuns gathers them from the processes' results, in section order", () => {
  const process = (tables: MeasuredTable[]): ProcessRun => ({ index: 0, machine: machineInfo("source"), scenarios: [], memory: null, latency: null, failures: [], tables });
  const { tables } = aggregateRuns([
    process([table("batching", [[1, 2, 3]], "2026-01-01T00:00:00Z"), table("plan-import", [[4, 5, 6]], "2026-01-01T00:00:00Z")]),
    process([table("plan-import", [[6, 7, 8]], "2026-01-01T00:00:00Z")]),
  ]);
  assert.equal(tables.map((t) => [t.id, t.processes, t.rows[0]!.values]), [
    ["plan-import", 2, [5, 6, 7]],
    ["batching", 1, [1, 2, 3]],
  ]);
});

test("measured tables: their results files become RESULTS.md sections, never benchmark.js scenarios", () => {
  const dir = mkdtempSync(join(tmpdir(), "graphscale-measured-"));
  const results = join(dir, "results");
  mkdirSync(results, { recursive: true });
  writeReport(dir, results, { machine: machineInfo("source"), loadAverages: [0], processes: 1, rounds: 1 }); // no results yet: no sections
  assert.not.match(readFileSync(join(dir, "RESULTS.md"), "utf8"), /Title of/);
  for (const id of ["partial-planning", "batching"]) writeFileSync(join(results, `${id}.json`), JSON.stringify(table(id, [[1, 2, 3]], "2026-01-01T00:00:00Z")));
  assert.equal(readScenarioResults(results), []);
  writeReport(dir, results, { machine: machineInfo("source"), loadAverages: [0], processes: 1, rounds: 1 });
  const markdown = readFileSync(join(dir, "RESULTS.md"), "utf8");
  const headings = markdown.split("\n").filter((l) => l.startsWith("## "));
  assert.ok(headings.indexOf("## Title of partial-planning") >= 0 && headings.indexOf("## Title of partial-planning") < headings.indexOf("## Title of batching"), headings.join("\n"));
  assert.ok(headings.indexOf("## Title of batching") < headings.indexOf("## Summary"), headings.join("\n"));
  rmSync(dir, { recursive: true, force: true });
});

test.run();
