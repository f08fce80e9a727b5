// The example server's page: a query editor, a Run button, the JSON result, the plan drawn by Mermaid
// in the browser (from /mermaid.min.js, served out of node_modules), whether the plan can be exported (and
// if not, which step prevents it), and the last run's round trips.
// The "live" switch runs the query as `@live` over Server-Sent Events (graphql-sse's browser client, from
// /graphql-sse.js): the result stays current while other tabs write, and each re-run's round trips are
// listed. A query using @defer or @stream (graphql 17) is answered as multipart/mixed: the result is drawn
// when the initial part arrives and again as each later part is merged in (#parts counts them).
// Plain HTML and one inline script; it must never load anything from another origin.

export interface PageDefaults {
  readonly query: string;
  readonly variables: Record<string, unknown>;
}

/** JSON safe to embed in a <script> element (no "</script>" or "<!--" can close or open anything). */
function embedJSON(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

export function renderPage(defaults: PageDefaults): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>graphscale — explain</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1rem 2rem; color: #222; }
  h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
  textarea { width: 100%; font: 13px/1.35 ui-monospace, monospace; box-sizing: border-box; }
  #query { height: 14rem; } #variables { height: 3.5rem; }
  pre { background: #f6f8fa; padding: .6rem; overflow: auto; max-height: 24rem; font-size: 12px; }
  .row { display: flex; gap: 1.5rem; } .row > * { flex: 1; min-width: 0; }
  #diagram { border: 1px solid #ddd; padding: .5rem; overflow: auto; min-height: 4rem; }
  #diagram svg { max-width: none !important; }
  table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .2rem .6rem; text-align: left; }
  #status.error, #plan-export.error { color: #b00020; }
  #live-runs { max-height: 10rem; overflow: auto; margin: .3rem 0; padding-left: 1.4rem; font-size: 12px; }
</style>
</head>
<body>
<h1>graphscale: run a query, see its plan</h1>
<div class="row">
  <div>
    <label for="query">Query</label>
    <textarea id="query" spellcheck="false"></textarea>
    <label for="variables">Variables (JSON)</label>
    <textarea id="variables" spellcheck="false"></textarea>
    <p><button id="run" type="button">Run</button>
      <label><input id="live" type="checkbox"> live</label> <span id="status"></span> <span id="parts"></span></p>
  </div>
  <div>
    <h2>Result</h2>
    <pre id="result"></pre>
    <h2>Round trips of the last run</h2>
    <table id="round-trips"><thead><tr><th>source</th><th>calls</th></tr></thead><tbody></tbody></table>
    <h2>Live re-runs</h2>
    <ol id="live-runs"></ol>
  </div>
</div>
<h2>Plan</h2>
<p id="plan-export"></p>
<div id="diagram"></div>
<details><summary>Plan as JSON</summary><pre id="plan-json"></pre></details>
<details><summary>Plan as Mermaid text</summary><pre id="plan-mermaid"></pre></details>
<script type="application/json" id="defaults">${embedJSON(defaults)}</script>
<script src="/mermaid.min.js"></script>
<script src="/graphql-sse.js"></script>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const defaults = JSON.parse($("defaults").textContent);
$("query").value = defaults.query;
$("variables").value = JSON.stringify(defaults.variables, null, 2);
mermaid.initialize({ startOnLoad: false, securityLevel: "strict", maxTextSize: 1000000, maxEdges: 5000, flowchart: { useMaxWidth: false } });
let runs = 0;

function showStatus(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

function showRoundTrips(roundTrips) {
  const rows = [];
  for (const [name, n] of Object.entries((roundTrips && roundTrips.loadCalls) || {})) rows.push(["load " + name, n]);
  if (roundTrips && typeof roundTrips.storeCalls === "number") rows.push(["Kvetch calls", roundTrips.storeCalls]);
  ((roundTrips && roundTrips.shardQueries) || []).forEach((n, shard) => rows.push(["shard " + shard, n]));
  for (const [node, n] of Object.entries((roundTrips && roundTrips.cacheRoundTrips) || {})) rows.push(["cache " + node, n]);
  const body = $("round-trips").tBodies[0];
  body.replaceChildren(...rows.map(([name, n]) => {
    const tr = document.createElement("tr");
    for (const text of [name, String(n)]) { const td = document.createElement("td"); td.textContent = text; tr.append(td); }
    return tr;
  }));
}

function showResult(body) {
  const { explain, roundTrips, ...otherExtensions } = body.extensions || {};
  const shown = { ...body };
  if (Object.keys(otherExtensions).length > 0) shown.extensions = otherExtensions;
  else delete shown.extensions;
  $("result").textContent = JSON.stringify(shown, null, 2);
  showRoundTrips(roundTrips);
}

/** Calls onPart with each part of a multipart/mixed body (boundary "-") as soon as it has arrived whole. */
async function readParts(response, onPart) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let start = -1;
  for (;;) {
    for (;;) {
      if (start < 0) {
        const first = text.indexOf("\\r\\n---");
        if (first < 0) break;
        start = first + 5;
      }
      const end = text.indexOf("\\r\\n---", start);
      if (end < 0) break;
      const part = text.slice(start, end);
      onPart(JSON.parse(part.slice(part.indexOf("\\r\\n\\r\\n") + 4)));
      text = text.slice(end);
      start = 5;
    }
    const { done, value } = await reader.read();
    if (done) return;
    text += value;
  }
}

/** Merges one payload of graphql-js 17's incremental format; the result so far as { data, errors, extensions }. */
function mergePart(merged, part) {
  merged.count++;
  const at = (path) => path.reduce((value, key) => value[key], merged.data);
  const deepMerge = (target, source) => {
    for (const [key, value] of Object.entries(source)) {
      if (value && typeof value === "object" && !Array.isArray(value) && target[key] && typeof target[key] === "object") deepMerge(target[key], value);
      else target[key] = value;
    }
  };
  if ("data" in part) merged.data = part.data;
  merged.errors.push(...(part.errors || []));
  for (const pending of part.pending || []) merged.pending.set(pending.id, pending.path);
  for (const entry of part.incremental || []) {
    const path = merged.pending.get(entry.id);
    if (entry.items) at(path).push(...entry.items);
    else deepMerge(at(path.concat(entry.subPath || [])), entry.data);
    merged.errors.push(...(entry.errors || []));
  }
  for (const completed of part.completed || []) {
    merged.pending.delete(completed.id);
    merged.errors.push(...(completed.errors || []));
  }
  if (part.extensions) merged.extensions = { ...merged.extensions, ...part.extensions };
  const body = { data: merged.data };
  if (merged.errors.length > 0) body.errors = merged.errors;
  if (merged.extensions) body.extensions = merged.extensions;
  return body;
}

async function run() {
  let variables;
  try {
    variables = JSON.parse($("variables").value.trim() || "{}");
  } catch (error) {
    showStatus("Variables are not JSON: " + error.message, true);
    return;
  }
  showStatus("running…", false);
  $("diagram").replaceChildren();
  $("parts").textContent = "";
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", "x-graphscale-explain": "1", accept: "multipart/mixed; incrementalSpec=v0.2, application/json" },
    body: JSON.stringify({ query: $("query").value, variables }),
  });
  let body;
  if ((response.headers.get("content-type") || "").startsWith("multipart/mixed")) {
    const merged = { pending: new Map(), errors: [], count: 0 };
    await readParts(response, (part) => {
      body = mergePart(merged, part);
      showResult(body);
      $("parts").textContent = merged.count + (merged.count === 1 ? " part" : " parts") + (part.hasNext ? ", more to come…" : ", complete");
    });
    if (!body.extensions || !body.extensions.explain) {
      showStatus("incremental result: " + merged.count + " parts", false);
      return;
    }
  } else {
    body = await response.json();
    showResult(body);
  }
  const explain = (body.extensions || {}).explain;
  if (!explain) {
    showStatus("no plan (the request failed before planning)", true);
    return;
  }
  // Whether exportPlan can write this plan (a plan store keeps it), and if not, the step that prevents it.
  const blocker = explain.json.exportBlocker;
  $("plan-export").textContent = blocker ? "Not exportable: " + blocker.message : "Exportable: a plan store can keep this plan.";
  $("plan-export").className = blocker ? "error" : "";
  $("plan-json").textContent = JSON.stringify(explain.json, null, 2);
  $("plan-mermaid").textContent = explain.mermaid;
  const { svg } = await mermaid.render("plan-" + ++runs, explain.mermaid);
  $("diagram").innerHTML = svg;
  const nodes = explain.json.steps.length - explain.json.collapsed.reduce((n, g) => n + g.steps.length - 1, 0);
  showStatus(explain.json.steps.length + " steps in " + nodes + " nodes", false);
}

/** The operation marked @live: the directive goes after the operation's name and variables. */
function liveQueryText(text) {
  if (/@live\\b/.test(text)) return text;
  if (/^\\s*\\{/.test(text)) return "query @live " + text.trimStart();
  return text.replace(/^(\\s*query\\b\\s*(?:[A-Za-z_][A-Za-z0-9_]*)?\\s*(?:\\([^)]*\\))?)/, "$1 @live");
}

let liveClient = null;
let liveStream = null;

function roundTripsText(roundTrips) {
  if (!roundTrips) return "no counts";
  const parts = [];
  if (typeof roundTrips.storeCalls === "number") parts.push(roundTrips.storeCalls + " Kvetch calls");
  const shards = roundTrips.shardQueries || [];
  if (shards.length > 0) parts.push("shards " + shards.join("/"));
  const cache = Object.values(roundTrips.cacheRoundTrips || {}).reduce((a, b) => a + b, 0);
  if (cache > 0) parts.push(cache + " cache round trips");
  return parts.join(", ");
}

async function startLive() {
  let variables;
  try {
    variables = JSON.parse($("variables").value.trim() || "{}");
  } catch (error) {
    showStatus("Variables are not JSON: " + error.message, true);
    $("live").checked = false;
    return;
  }
  await run();
  liveClient = liveClient || graphqlSse.createClient({ url: "/graphql/stream", retryAttempts: 5 });
  $("live-runs").replaceChildren();
  const stream = liveClient.iterate({ query: liveQueryText($("query").value), variables });
  liveStream = stream;
  let results = 0;
  showStatus("live: waiting for the first result…", false);
  for await (const body of stream) {
    if (liveStream !== stream) break;
    const { roundTrips, ...otherExtensions } = body.extensions || {};
    const shown = { ...body };
    if (Object.keys(otherExtensions).length > 0) shown.extensions = otherExtensions;
    else delete shown.extensions;
    $("result").textContent = JSON.stringify(shown, null, 2);
    showRoundTrips(roundTrips);
    const item = document.createElement("li");
    item.textContent = (++results === 1 ? "first run: " : "re-run: ") + roundTripsText(roundTrips);
    $("live-runs").append(item);
    showStatus("live: " + results + (results === 1 ? " result" : " results"), false);
  }
}

function stopLive() {
  const stream = liveStream;
  liveStream = null;
  if (stream) stream.return();
}

$("run").addEventListener("click", () => run().catch((error) => showStatus(String(error), true)));
$("live").addEventListener("change", () => {
  stopLive();
  if ($("live").checked) startLive().catch((error) => showStatus("live: " + (error && error.message ? error.message : String(error)), true));
  else showStatus("live off", false);
});
</script>
</body>
</html>
`;
}
