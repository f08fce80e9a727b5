// The Kvetch contract suite on MySQL: 4 shards as 4 databases on one server, first without a cache and then
// with Redis in front. Skipped with a message when the servers are down (a failure under CI=true).
import { Kvetch, mysqlBackend } from "../../src/kvetch/index.js";
import { kvetchSuite } from "../kvetch/suite.js";
import { todoSchema } from "../kvetch/todo-schema.js";
import { REDIS_URL, deleteKeys, dropDatabases, serversUp, shardUrls, testKeyPrefix, truncateDatabases } from "./kvetch-servers.js";

if (await serversUp("test/integration/kvetch-mysql.test.ts", { mysql: true, redis: true })) {
  kvetchSuite("mysql (4 databases)", async () => {
    await dropDatabases();
    const kvetch = new Kvetch({ schema: todoSchema, backend: mysqlBackend({ shards: shardUrls() }) });
    await kvetch.migrate();
    return {
      async fresh() {
        await truncateDatabases();
        kvetch.resetCounters();
        return kvetch;
      },
      async close() {
        await kvetch.close();
        await dropDatabases();
      },
    };
  });

  kvetchSuite("mysql + redis (4 databases, one Redis node)", async () => {
    const keyPrefix = testKeyPrefix("suite");
    await dropDatabases();
    const kvetch = new Kvetch({
      schema: todoSchema,
      backend: mysqlBackend({ shards: shardUrls(), redis: { url: REDIS_URL, keyPrefix } }),
    });
    await kvetch.migrate();
    return {
      async fresh() {
        await truncateDatabases();
        await deleteKeys(keyPrefix);
        kvetch.resetCounters();
        return kvetch;
      },
      async close() {
        await kvetch.close();
        await dropDatabases();
        await deleteKeys(keyPrefix);
      },
    };
  });
}
