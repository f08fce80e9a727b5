// The bench report: a loss is said in words, every engine gets a bar in the chart, and the summary shows
// round trips per engine. Asserts counts and text, never times.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compare, headerRun, writeReport, renderChart, renderPeerTable, renderScenario, renderSummary, replaceReadmeRegion, type ReportRun, type ScenarioResult } from "../../bench/report.js";
import { renderMeasuredTable } from "../../bench/measuredTable.js";
import { aggregateScenario, median } from "../../bench/aggregate.js";

function result(hz: Record<string, number>): ScenarioResult {
  const engines = Object.entries(hz).map(([key, value]) => ({
    key,
    name: key,
    hz: value,
    rme: 1,
    meanMs: 1000 / value,
    samples: 10,
    counts: { storeCalls: key === "graphscale" ? 5 : 72, roundTrips: key === "graphscale" ? 5 : 72, rowsFetched: 100 },
  }));
  return {
    id: "todo",
    title: "Todo view",
    description: "d",
    backend: "memory",
    machine: { cpu: "cpu", cores: 2, node: "v20", os: "linux", loadAverage: 0, date: "2025-01-01T00:00:00.000Z", build: "bundle" },
    timing: { maxTime: 1, minSamples: 5, rounds: 2 },
    engines,
    comparisons: [compare(engines, "graphscale", "graphql-js+dataloader")!],
    profiles: [],
  };
}

test("report: a loss is reported as a loss, a win as a win", () => {
  assert.match(renderScenario(result({ graphscale: 50, "graphql-js+dataloader": 100, "graphql-js": 10 })), "**graphscale loses** against graphql-js+dataloader: 0.50×");
  assert.match(renderScenario(result({ graphscale: 300, "graphql-js+dataloader": 100, "graphql-js": 10 })), "**graphscale wins** against graphql-js+dataloader: 3.00×");
});

test("report: overlapping ± intervals are marked as within the margin of error", () => {
  const r = result({ graphscale: 100, "graphql-js+dataloader": 101.5 });
  assert.ok(r.comparisons[0]!.withinMargin);
  assert.ok(r.comparisons[0]!.ratio < 1);
  assert.match(renderScenario(r), "**graphscale behind** graphql-js+dataloader: 0.99× the ops/s, within the margin of error (not a clear loss)");
});

test("report: the chart has one bar per engine per scenario plus one legend swatch per engine", () => {
  const svg = renderChart([result({ graphscale: 3, "graphql-js+dataloader": 2, "graphql-js": 1 }), { ...result({ graphscale: 3, "graphql-js": 1 }), id: "cpu" }]);
  assert.ok(svg.startsWith("<svg"));
  const rects = svg.match(/<rect /g)!.length;
  assert.is(rects, 1 /* background */ + 3 + 2 + 3 /* legend */);
});

test("report: the summary gives round trips graphscale / DataLoader / naive", () => {
  assert.match(renderSummary([result({ graphscale: 3, "graphql-js+dataloader": 2, "graphql-js": 1 })]), "| 5 / 72 / 72 | 5 / 72 / 72 |");
});

/** One process's result of a CPU shape with the given ops/s per engine. */
function shape(hz: Record<string, number>): ScenarioResult {
  const r = result(hz);
  return {
    ...r,
    id: "cpu-wide-list",
    shape: "Flat list",
    comparisons: ["graphql-js", "graphql-jit", "grafast"].map((k) => compare(r.engines, "graphscale", k)!),
    engines: r.engines.map((e) => ({ ...e, counts: null })),
  };
}

test("aggregate: medians over processes, min–max, and each ratio the median of the per-process ratios, with their range", () => {
  assert.is(median([3, 1, 2]), 2);
  assert.is(median([4, 1, 3, 2]), 2.5);
  const runs = [
    shape({ graphscale: 100, "graphql-js": 50, "graphql-jit": 200, grafast: 80 }),
    shape({ graphscale: 120, "graphql-js": 40, "graphql-jit": 240, grafast: 60 }),
    shape({ graphscale: 90, "graphql-js": 45, "graphql-jit": 150, grafast: 100 }),
  ];
  const a = aggregateScenario(runs);
  assert.is(a.processes, 3);
  const gs = a.engines.find((e) => e.key === "graphscale")!;
  assert.equal([gs.hz, gs.hzMin, gs.hzMax, gs.runs], [100, 90, 120, [100, 120, 90]]);
  const vsJs = a.comparisons.find((c) => c.against === "graphql-js")!;
  // Per process 100/50, 120/40, 90/45: the median ratio is 2, not the medians' ratio 100/45.
  assert.is(vsJs.ratio, 2);
  assert.equal([vsJs.ratioMin, vsJs.ratioMax], [2, 3]);
  assert.not.ok(vsJs.withinMargin, "90–120 against 40–50 do not overlap");
  assert.ok(a.comparisons.find((c) => c.against === "grafast")!.withinMargin, "90–120 against 60–100 overlap");
});

test("report: the peer table gives median (min–max) per engine and graphscale ÷ each peer", () => {
  const a = aggregateScenario([
    shape({ graphscale: 100, "graphql-js": 50, "graphql-jit": 200, grafast: 80 }),
    shape({ graphscale: 120, "graphql-js": 40, "graphql-jit": 240, grafast: 60 }),
    shape({ graphscale: 90, "graphql-js": 45, "graphql-jit": 150, grafast: 100 }),
  ]);
  const table = renderPeerTable([a]);
  assert.match(table, "| Shape (ops/s, median (min–max)) | graphscale (plans) | graphql-js | graphql-jit | grafast | ÷ graphql-js | ÷ graphql-jit | ÷ grafast |");
  assert.match(table, "| Flat list | 100 (90.0–120) | 45.0 (40.0–50.0) | 200 (150–240) | 80.0 (60.0–100) | 2.00× (2.00–3.00) | 0.50× (0.50–0.60) | 1.25× (0.90–2.00) |");
});

test("report: the README region is replaced between its markers and nowhere else", () => {
  const readme = "intro\n<!-- bench-table:start -->\nold\n<!-- bench-table:end -->\nrest";
  assert.is(replaceReadmeRegion(readme, "new"), "intro\n<!-- bench-table:start -->\nnew\n<!-- bench-table:end -->\nrest");
  assert.throws(() => replaceReadmeRegion("no markers", "new"), /bench-table/);
});

test("headerRun: a run of measured tables only keeps the header of the last run that timed the scenarios", () => {
  const dir = mkdtempSync(join(tmpdir(), "graphscale-report-"));
  try {
    const runOn = (cpu: string, date: string): ReportRun => ({
      machine: { cpu, cores: 2, node: "v20", os: "linux", loadAverage: 1, date, build: "bundle" },
      loadAverages: [1, 2, 3],
      processes: 3,
      rounds: 1,
    });
    const full = runOn("Xeon", "2026-01-01T00:00:00.000Z");
    const partial = runOn("EPYC", "2026-02-01T00:00:00.000Z");
    assert.equal(headerRun(dir, partial, false), partial, "nothing saved yet: this run");
    assert.equal(headerRun(dir, full, true), full);
    assert.equal(JSON.parse(readFileSync(join(dir, "run.json"), "utf8")), full, "a run that timed scenarios is saved");
    assert.equal(headerRun(dir, partial, false).machine.cpu, "Xeon", "a partial run names the saved run");
    assert.equal(headerRun(dir, partial, true).machine.cpu, "EPYC", "a new full run replaces it");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("renderMeasuredTable: a table names the machine and load it was measured on", () => {
  const text = renderMeasuredTable({
    id: "batching",
    title: "T",
    description: "d",
    rowHeading: "Engine",
    columns: [{ title: "x", format: "ratio" }],
    rows: [{ label: "a", values: [2] }],
    date: "2026-02-01T10:20:30.000Z",
    processes: 3,
    machine: { cpu: "EPYC", cores: 2, node: "v20.20.2", loadAverages: [0.5, 1.5, 1] },
  });
  assert.match(text, "measured 2026-02-01 10:20 UTC on EPYC (2 cores), Node v20.20.2, load average 0.5–1.5 at the starts of the processes.");
});

test("hand-written notes survive a regenerated report, each after its section", () => {
  const dir = mkdtempSync(join(tmpdir(), "graphscale-report-notes-"));
  try {
    const results = join(dir, "results");
    const notes = join(dir, "notes");
    mkdirSync(results);
    mkdirSync(notes);
    const table = {
      id: "batching",
      title: "Batching table",
      description: "about batching",
      rowHeading: "row",
      columns: [{ title: "calls", format: "count" }],
      rows: [{ label: "r", values: [3] }],
      date: "2025-01-01T00:00:00.000Z",
    };
    writeFileSync(join(results, "batching.json"), JSON.stringify(table));
    writeFileSync(join(notes, "batching.md"), "NOTE ON BATCHING\n");
    writeFileSync(join(notes, "tracing-overhead.md"), "## Tracing section written by hand\n");
    writeFileSync(join(notes, "zz-other.md"), "LAST NOTE\n");
    const run: ReportRun = { machine: { cpu: "cpu", cores: 2, node: "v20", os: "linux", loadAverage: 0, date: "2025-01-01T00:00:00.000Z", build: "bundle" }, processes: 1, rounds: 1, loadAverages: [0] };
    writeReport(dir, results, run, notes);
    const text = readFileSync(join(dir, "RESULTS.md"), "utf8");
    const at = (s: string) => text.indexOf(s);
    assert.ok(at("## Batching table") >= 0 && at("NOTE ON BATCHING") > at("## Batching table"), "the note follows its table");
    assert.ok(at("## Tracing section written by hand") > at("NOTE ON BATCHING"), "a note without a table sits at its id's place");
    assert.ok(at("LAST NOTE") > at("## Tracing section written by hand"), "other notes come last");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
