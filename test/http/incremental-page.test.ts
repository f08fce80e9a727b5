// The example server's page in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core),
// with a query using @defer (graphql 17): the page draws the initial part, without the deferred field, while
// that field's resolver waits on a gate the test holds; only after the test has seen that does it open the
// gate, and the page then merges in the second part with the field. The waits are on what the page shows,
// bounded at 30 s only so a broken page cannot hang the run; no assertion is on elapsed time. On graphql 16
// the file says SKIPPED; without Chromium it says so locally and fails under CI; it never downloads a browser.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { versionInfo } from "graphql";
import type { Browser } from "playwright-core";
import { makeSchema } from "../../src/index.js";
import { CHROMIUM, haveChromium, launchChromium } from "../browser.js";
import { createServer, type RunningServer } from "../../examples/server/server.js";
import { isCI } from "../snapshot.js";
import { gate } from "./multipart.js";

const name = "page: a deferred field arrives after the initial part, which the page has drawn without it";
const held = gate();
let resolverCalls = 0;
const schema = makeSchema({
  typeDefs: "type Query { user: User } type User { id: ID! name: String! bio: String }",
  resolvers: {
    Query: { user: () => ({ id: "1", name: "Ada" }) },
    User: { bio: async () => (resolverCalls++, await held.promise, "Ada wrote the first program") },
  },
});

if (versionInfo.major < 17) {
  console.log(`SKIPPED test/http/incremental-page.test.ts: graphql ${versionInfo.major} has no @defer (incremental delivery is graphql 17's); scripts/test-graphql17.sh runs it`);
} else if (!haveChromium && !isCI(process.env.CI)) {
  console.log(`SKIPPED test/http/incremental-page.test.ts: ${CHROMIUM} not found (apt-get install -y chromium); under CI this fails.`);
} else {
  let browser: Browser;
  let server: RunningServer;

  test.before(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing; .ci/run installs it with apt-get install -y chromium.`);
    server = await createServer({ schema, port: 0, defaultQuery: "{ __typename }" });
    browser = await launchChromium();
  });

  test.after(async () => {
    held.release();
    await browser?.close();
    await server?.close();
  });

  test(name, async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    await page.goto(`${server.url}/`);
    await page.locator("#query").fill(`query { user { id name ... @defer(label: "bio") { bio } } }`);
    await page.locator("#run").click();

    // What the page showed, when a wait runs out: the failure then says why.
    const shown = async () => JSON.stringify({ status: await page.locator("#status").textContent(), parts: await page.locator("#parts").textContent(), result: await page.locator("#result").textContent(), pageErrors });
    const waitFor = (check: () => boolean) => page.waitForFunction(check, undefined, { timeout: 30_000 }).catch(async (error) => assert.unreachable(`${error.message}; the page: ${await shown()}`));
    await waitFor(() => document.getElementById("parts")!.textContent!.startsWith("1 part"));
    const initial = JSON.parse((await page.locator("#result").textContent())!);
    assert.equal(initial, { data: { user: { id: "1", name: "Ada" } } }, "the initial part, drawn without the deferred field");
    assert.is(await page.locator("#parts").textContent(), "1 part, more to come…");
    assert.is(resolverCalls, 1, "the deferred resolver has started");
    assert.not.ok(held.released(), "and cannot have finished: the gate is still closed");

    held.release();
    await waitFor(() => document.getElementById("parts")!.textContent === "2 parts, complete");
    const merged = JSON.parse((await page.locator("#result").textContent())!);
    assert.equal(merged, { data: { user: { id: "1", name: "Ada", bio: "Ada wrote the first program" } } });
    assert.equal(pageErrors, []);
  });
}

test.run();
