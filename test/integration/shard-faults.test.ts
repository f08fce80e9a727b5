// Shard faults on real MySQL: shard 2 is reached through a TCP proxy that can blackhole it (accept, never
// answer). Requests touching it get one error per entry on shard 2 while entries on the other shards are
// served in the same response; after two timed-out round trips the breaker opens (no more round trips to
// shard 2) and closes on the first probe after the proxy answers again. Writes cut between their canonical and derived rows report what is stored,
// retries with the idempotency key create nothing new, and `repair --queue` heals the queued objects.
// Every error these tests produce is checked for hosts, ports, database names and driver text.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, type ExecutionResult } from "graphql";
import { execute } from "../../src/index.js";
import { Kvetch, mysqlBackend, type DerivedWriteFailure, type KvetchObject } from "../../src/kvetch/index.js";
import { kvetchTestHooks } from "../../src/kvetch/testing/index.js";
import { todoKvetchSchema, todoSchema } from "../../examples/todo/schema.js";
import { MYSQL_SERVER, dropDatabases, serversUp, shardUrls, testDatabases } from "./kvetch-servers.js";
import { startTcpProxy, type TcpProxy } from "../safety/tcpProxy.js";
import { leaksConnectionDetails } from "../safety/leaks.js";

const DATABASES = testDatabases("faults");
const QUERY_TIMEOUT_MS = 1000;
const PROBE_INTERVAL_MS = 300;
const CUT = 2;

/** Every error message a client could see in these tests (masked and unmasked), and the raw store errors. */
const seen: string[] = [];

if (await serversUp("test/integration/shard-faults.test.ts", { mysql: true })) {
  const server = new URL(MYSQL_SERVER);
  let proxy: TcpProxy;
  let kvetch: Kvetch;
  const failures: DerivedWriteFailure[] = [];
  const internal: unknown[] = [];

  /** Shard URLs with shard 2 behind the proxy. */
  const urls = (): string[] => shardUrls(DATABASES).map((url, shard) => (shard === CUT ? url.replace(`${server.host}`, `127.0.0.1:${proxy.port}`) : url));

  async function run(query: string, variableValues: Record<string, unknown> = {}, expose = false): Promise<ExecutionResult> {
    const result = await execute({
      schema: todoSchema,
      document: parse(query),
      variableValues,
      contextValue: { kvetch },
      exposeInternalErrors: expose,
      onInternalError: (report) => void internal.push(report.error),
    });
    for (const error of result.errors ?? []) seen.push(error.message);
    return JSON.parse(JSON.stringify(result)) as ExecutionResult;
  }

  test.before(async () => {
    await dropDatabases(DATABASES);
    proxy = await startTcpProxy(server.hostname, Number(server.port || 3306));
    kvetch = new Kvetch({
      schema: todoKvetchSchema,
      backend: mysqlBackend({
        shards: urls(),
        queryTimeoutMs: QUERY_TIMEOUT_MS,
        acquireTimeoutMs: 400,
        breaker: { failureThreshold: 2, probeIntervalMs: PROBE_INTERVAL_MS },
      }),
      onDerivedWriteFailure: (report) => void failures.push(report),
    });
    await kvetch.migrate();
  });

  test.after(async () => {
    await kvetch?.close();
    await proxy?.close();
    await dropDatabases(DATABASES);
  });

  /** A user off the cut shard with 12 lists, at least 2 of them on the cut shard and 2 elsewhere. */
  async function userWithLists(): Promise<{ user: KvetchObject; lists: KvetchObject[] }> {
    for (;;) {
      const user = await kvetch.createObject("User", { name: "u" });
      if (kvetch.shardOf(user.id) === CUT) continue;
      const lists = await kvetch.createObjects(Array.from({ length: 12 }, (_, i) => ({ type: "TodoList", data: { userId: user.id, name: `list ${i}` } })));
      const cut = lists.filter((list) => kvetch.shardOf(list.id) === CUT).length;
      if (cut >= 2 && cut <= 10) return { user, lists };
    }
  }

  const VIEW = `query ($id: ID!) { todoUser(id: $id) { name todoListsConnection(first: 12) { edges { node { id name } } } } }`;

  test("blackholed shard: one error per list on it, the other lists served in the same response; two timed-out round trips open the breaker (no round trip while open), one probe closes it", async () => {
    const { user, lists } = await userWithLists();
    const onCut = new Set(lists.filter((list) => kvetch.shardOf(list.id) === CUT).map((list) => list.id));
    kvetch.resetCounters();
    const healthy = await run(VIEW, { id: user.id });
    assert.is(healthy.errors, undefined);
    // the lists on the cut shard are read there in one round trip
    assert.is(kvetch.counters.shardQueries[CUT], 1);

    proxy.blackhole();
    const served: number[] = [];
    const errored: number[] = [];
    const cutRoundTrips: number[] = [];
    for (let request = 0; request < 4; request++) {
      const before = kvetch.counters.shardQueries[CUT]!;
      const result = await run(VIEW, { id: user.id }, request % 2 === 1);
      cutRoundTrips.push(kvetch.counters.shardQueries[CUT]! - before);
      const edges = (result.data as any).todoUser.todoListsConnection.edges as { node: { id: string } | null }[];
      served.push(edges.filter((edge) => edge.node !== null).length);
      errored.push(result.errors?.length ?? 0);
      // each error sits at the node of a list on the cut shard; every other node is there
      for (const error of result.errors ?? []) {
        const path = error.path!;
        assert.equal(path.slice(0, 3), ["todoUser", "todoListsConnection", "edges"]);
        assert.is(path[4], "node");
        assert.ok(onCut.has(lists[path[3] as number]!.id), `an error at ${path.join(".")}, a list off the cut shard`);
      }
    }
    console.log(`  blackhole: nodes served ${served.join(", ")} of ${lists.length}; errors ${errored.join(", ")}; round trips to the cut shard ${cutRoundTrips.join(", ")}`);
    for (let r = 0; r < 4; r++) {
      assert.is(served[r], lists.length - onCut.size, "every list off the cut shard is served");
      assert.is(errored[r], onCut.size, "one error per list on the cut shard");
    }
    // the first two requests each make their one round trip, which times out (failureThreshold 2); the breaker
    // is then open and the next two make none
    assert.equal(cutRoundTrips, [1, 1, 0, 0]);
    assert.is((await kvetch.health()).shards[CUT]!.breaker, "open");

    proxy.forward();
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS + 50));
    const back: number[] = [];
    const backRoundTrips: number[] = [];
    for (let request = 0; request < 3; request++) {
      const before = kvetch.counters.shardQueries[CUT]!;
      back.push((await run(VIEW, { id: user.id })).errors?.length ?? 0);
      backRoundTrips.push(kvetch.counters.shardQueries[CUT]! - before);
    }
    assert.equal(back, [0, 0, 0], "the first request after the probe interval closes the breaker");
    assert.equal(backRoundTrips, [1, 1, 1], "the probe is the first request's own round trip");
    assert.is((await kvetch.health()).shards[CUT]!.breaker, "closed");
    assert.ok(internal.length > 0, "masked errors reached onInternalError");
    assert.ok(internal.some((error) => String((error as Error).cause && ((error as Error).cause as Error).message).includes(`/${DATABASES[CUT]}`)), "the hook gets the shard's address in the cause");
  });

  test("a shard cut between the canonical and the derived write: responses match the store, key retries create nothing, repair --queue heals", async () => {
    // a list on the cut shard: its item edges live there
    let list: KvetchObject;
    do list = (await userWithLists()).lists.find((l) => kvetch.shardOf(l.id) === CUT)!;
    while (!list);
    const CREATE = `mutation ($listId: ID!, $text: String!, $key: String) { createTodoItem(listId: $listId, text: $text, idempotencyKey: $key) { id text } }`;
    const hooks = kvetchTestHooks(kvetch);
    let cuts = 0;
    hooks.afterCanonicalWrite = ({ op, ids }) => {
      // cut only when the new item's own shard (where its queue row goes) stays up
      if (op === "create" && ids.length === 1 && kvetch.shardOf(ids[0]!) !== CUT) {
        cuts++;
        proxy.blackhole();
      }
    };
    const responses: ExecutionResult[] = [];
    try {
      for (let i = 0; i < 8; i++) {
        responses.push(await run(CREATE, { listId: list.id, text: `item ${i}`, key: `create-${i}` }));
        proxy.forward();
      }
    } finally {
      delete hooks.afterCanonicalWrite;
      proxy.forward();
    }
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS + 50));
    assert.ok(cuts >= 1, "at least one write was cut");
    assert.is(failures.length, cuts, "each cut write was reported to onDerivedWriteFailure");
    assert.ok(failures.every((failure) => failure.queued), "and queued");

    // every mutation reported success, and each reported item is stored with its text
    const created = responses.map((response) => {
      assert.is(response.errors, undefined);
      return (response.data as any).createTodoItem as { id: string; text: string };
    });
    const stored = await kvetch.getObjects(created.map((item) => item.id));
    assert.equal(stored.map((object) => object?.data.text), created.map((item) => item.text));

    // retries with the same keys give the same items; nothing new is stored
    const before = (await kvetch.stats()).reduce((n, s) => n + s.objects, 0);
    for (let i = 0; i < 8; i++) {
      const again = await run(CREATE, { listId: list.id, text: `item ${i}`, key: `create-${i}` });
      assert.is((again.data as any).createTodoItem.id, created[i]!.id);
    }
    assert.is((await kvetch.stats()).reduce((n, s) => n + s.objects, 0), before);

    // the key retries re-derived the rows; drain the queue and check the list shows all 8 items
    const report = await kvetch.repair({ queue: true });
    assert.is(report.scanned, cuts);
    assert.is((await kvetch.repair({ queue: true })).scanned, 0, "the queue is empty after the drain");
    const [page] = await kvetch.getEdges("list_to_item", [list.id]);
    assert.equal(new Set(page!.edges.map((edge) => edge.toId)), new Set(created.map((item) => item.id)));
    assert.equal(await kvetch.countEdges("list_to_item", [list.id]), [8]);
  });

  test("a cut without retries: repair --queue alone restores the derived rows", async () => {
    let list: KvetchObject;
    do list = (await userWithLists()).lists.find((l) => kvetch.shardOf(l.id) === CUT)!;
    while (!list);
    failures.length = 0;
    const hooks = kvetchTestHooks(kvetch);
    hooks.afterCanonicalWrite = ({ ids }) => {
      if (ids.every((id) => kvetch.shardOf(id) !== CUT)) proxy.blackhole();
    };
    let item: KvetchObject | null = null;
    try {
      for (let attempt = 0; attempt < 20 && failures.length === 0; attempt++) {
        item = await kvetch.createObject("TodoItem", { listId: list.id, text: "queued", done: false });
        proxy.forward();
      }
    } finally {
      delete hooks.afterCanonicalWrite;
      proxy.forward();
    }
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS + 50));
    assert.is(failures.length, 1);
    assert.equal(failures[0]!.ids, [item!.id]);
    const [missing] = await kvetch.getEdges("list_to_item", [list.id], { verify: false });
    assert.not.ok(missing!.edges.some((edge) => edge.toId === item!.id), "the edge is missing before repair");
    const report = await kvetch.repair({ queue: true });
    assert.equal([report.scanned, report.edgesAdded], [1, 1]);
    const [healed] = await kvetch.getEdges("list_to_item", [list.id]);
    assert.ok(healed!.edges.some((edge) => edge.toId === item!.id));
    seen.push(String((failures[0]!.error as Error).message));
  });

  test("no error message of these tests names a host, port, database or driver text", () => {
    assert.ok(seen.length >= 9, `errors collected: ${seen.length}`); // at least 2 per blackholed request, and the cut write's
    const leaks = seen.filter((message) => leaksConnectionDetails(message, [String(proxy.port), server.port || "3306", ...DATABASES]));
    assert.equal(leaks, []);
  });

  test.run();
}
