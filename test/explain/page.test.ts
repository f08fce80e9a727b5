// The example server's page in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
// type the todo query, Run, and the diagram Mermaid draws has one node per step after collapsing.
// Without Chromium this file is skipped locally and fails under CI=true; it never downloads a browser.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "graphql";
import type { Browser } from "playwright-core";
import { CHROMIUM, haveChromium, launchChromium } from "../browser.js";
import { createServer, type RunningServer } from "../../examples/server/server.js";
import { createKvetchTodoStore } from "../../examples/server/kvetchTodo.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { explainPlan, type PlanJSON } from "../../src/index.js";

const inCI = process.env.CI === "true";

let browser: Browser;
let server: RunningServer;
let userId: string;

/** Steps after collapsing: what the diagram must show one node for. */
function nodeCount(json: PlanJSON): number {
  return json.steps.length - json.collapsed.reduce((n, g) => n + g.steps.length - 1, 0);
}

const name = "page: type the todo query, Run, and the plan diagram has one node per step (after collapsing)";

if (!haveChromium && !inCI) {
  console.log(`page.test.ts: skipped, ${CHROMIUM} not found (apt-get install -y chromium); under CI=true this fails.`);
  test.skip(name, () => {});
} else {
  test.before(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing; .ci/run installs it with apt-get install -y chromium.`);
    const store = await createKvetchTodoStore({ shards: 4 });
    userId = store.userIds[0]!;
    server = await createServer({ schema: todoSchema, contextFactory: () => ({ kvetch: store.kvetch }), port: 0, host: "127.0.0.1", defaultQuery: "{ __typename }", defaultVariables: { id: userId } });
    browser = await launchChromium();
  });

  test.after(async () => {
    await browser?.close();
    await server?.close();
  });

  test(name, async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    const pageErrors: string[] = [];
    page.on("request", (request) => requested.push(request.url()));
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    await page.goto(`${server.url}/`);

    await page.locator("#query").fill("");
    await page.locator("#query").pressSequentially(todoViewQuery.trim());
    await page.locator("#run").click();
    await page.waitForSelector("#diagram svg", { timeout: 30_000 });

    const expected = explainPlan(todoSchema, parse(todoViewQuery)).json;
    const shown = JSON.parse((await page.locator("#plan-json").textContent()) ?? "null") as PlanJSON;
    assert.equal(shown, JSON.parse(JSON.stringify(expected)), "the page shows the plan execute used");
    assert.is(await page.locator("#plan-export").textContent(), "Exportable: a plan store can keep this plan.");
    const nodes = page.locator("#diagram svg g.node");
    assert.is(await nodes.count(), nodeCount(expected));
    assert.is(await page.locator("#diagram svg g.cluster").count(), expected.layers.filter((l) => l.steps.length > 0).length);

    // Labels come through Mermaid's entity codes intact: Kvetch steps name their type and edge.
    const labels = (await nodes.allTextContents()).map((t) => t.trim());
    for (const step of expected.steps.filter((s) => s.class === "LoadObject")) {
      assert.ok(labels.some((l) => l.startsWith(`LoadObject[${step.id}<${step.meta}>]`)), labels.join("\n"));
    }

    const result = JSON.parse((await page.locator("#result").textContent()) ?? "null") as { data: { todoUser: { todoLists: unknown[] } } };
    assert.is(result.data.todoUser.todoLists.length, 3);
    const rows = await page.locator("#round-trips tbody tr").allTextContents();
    assert.ok(rows.includes("Kvetch calls5"), rows.join(" | "));
    assert.is(rows.filter((r) => r.startsWith("shard ")).length, 4, rows.join(" | "));

    assert.equal(pageErrors, []);
    const foreign = requested.filter((url) => !url.startsWith(`${server.url}/`));
    assert.equal(foreign, [], "the page loads nothing from another origin");
    await page.close();
  });
}

test.run();
