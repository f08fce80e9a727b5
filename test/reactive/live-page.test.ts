// The example server's page, live, in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): one page runs the todo view with the "live" switch on, a second page runs a mutation,
// and the first page's live result count goes from 1 to 2 with the change in its result and the re-run's
// Kvetch calls listed. The waits are on that count, bounded at 30 s only so a broken page cannot hang the
// run; no assertion is on elapsed time. Without Chromium this file is skipped locally and fails under CI
// (CI set to anything but "", "0" or "false"); it never downloads a browser.

import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Browser, Page } from "playwright-core";
import { CHROMIUM, haveChromium, launchChromium } from "../browser.js";
import { createServer, type RunningServer } from "../../examples/server/server.js";
import { createKvetchTodoStore, type SeededTodoStore } from "../../examples/server/kvetchTodo.js";
import { todoSchema, todoViewQuery } from "../../examples/todo/schema.js";
import { isCI } from "../snapshot.js";

const inCI = isCI(process.env.CI);

let browser: Browser;
let server: RunningServer;
let store: SeededTodoStore;

async function typeQuery(page: Page, query: string, variables: Record<string, unknown>): Promise<void> {
  await page.locator("#query").fill(query);
  await page.locator("#variables").fill(JSON.stringify(variables));
}

const name = "live page: a mutation in a second page shows in the first page's next live result, with the re-run's Kvetch calls";

if (!haveChromium && !inCI) {
  console.log(`live-page.test.ts: skipped, ${CHROMIUM} not found (apt-get install -y chromium); under CI this fails.`);
  test.skip(name, () => {});
} else {
  test.before(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing; .ci/run installs it with apt-get install -y chromium.`);
    store = await createKvetchTodoStore({ shards: 4 });
    server = await createServer({ schema: todoSchema, contextFactory: () => ({ kvetch: store.kvetch }), live: store.kvetch, port: 0 });
    browser = await launchChromium();
  });

  test.after(async () => {
    await browser?.close();
    await server?.close();
  });

  test(name, async () => {
    const userId = store.userIds[0]!;
    const listId = (await store.kvetch.getEdges("user_to_list", [userId]))[0]!.edges[0]!.toId;
    const viewer = await browser.newPage();
    const writer = await browser.newPage();
    const pageErrors: string[] = [];
    const requested: string[] = [];
    for (const page of [viewer, writer]) {
      page.on("pageerror", (error) => pageErrors.push(String(error)));
      page.on("request", (request) => requested.push(request.url()));
    }

    await viewer.goto(`${server.url}/`);
    await typeQuery(viewer, todoViewQuery.trim(), { id: userId });
    await viewer.locator("#live").check();
    await viewer.waitForFunction(() => document.getElementById("status")!.textContent === "live: 1 result", undefined, { timeout: 30_000 });
    assert.is(await viewer.locator("#live-runs li").count(), 1);
    assert.is(await viewer.locator("#live-runs li").first().textContent().then((t) => t!.split(",")[0]), "first run: 5 Kvetch calls");
    assert.not.match((await viewer.locator("#result").textContent()) ?? "", /written in the other tab/);

    await writer.goto(`${server.url}/`);
    await typeQuery(writer, `mutation ($listId: ID!) { createTodoItem(listId: $listId, text: "written in the other tab") { id text } }`, { listId });
    await writer.locator("#run").click();
    await writer.waitForFunction(() => (document.getElementById("result")!.textContent ?? "").includes('"createTodoItem"'), undefined, { timeout: 30_000 });

    // The viewer's next live result (its second) is the one with the write.
    await viewer.waitForFunction(() => document.getElementById("status")!.textContent !== "live: 1 result", undefined, { timeout: 30_000 });
    assert.is(await viewer.locator("#status").textContent(), "live: 2 results");
    const result = JSON.parse((await viewer.locator("#result").textContent()) ?? "null") as { data: { todoUser: { todoLists: { todoItems: { text: string }[] }[] } } };
    assert.is(result.data.todoUser.todoLists[0]!.todoItems.at(-1)!.text, "written in the other tab");
    const runs = await viewer.locator("#live-runs li").allTextContents();
    assert.is(runs.length, 2);
    // The write reached one list: only its subtree ran again (item edges, items), not the view's 5 calls.
    assert.match(runs[1]!, /^re-run: 2 Kvetch calls, shards \d+\/\d+\/\d+\/\d+$/);
    const rows = await viewer.locator("#round-trips tbody tr").allTextContents();
    assert.ok(rows.includes("Kvetch calls2"), rows.join(" | "));

    await viewer.locator("#live").uncheck();
    assert.is(await viewer.locator("#status").textContent(), "live off");

    assert.equal(pageErrors, []);
    assert.equal(requested.filter((url) => !url.startsWith(`${server.url}/`)), [], "the pages load nothing from another origin");
    await viewer.close();
    await writer.close();
  });
}

test.run();
