// The bench report: a loss is said in words, every engine gets a bar in the chart, and the summary shows
// round trips per engine. Asserts counts and text, never times.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { compare, renderChart, renderScenario, renderSummary, type ScenarioResult } from "../../bench/report.js";

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

test.run();
