// The Kvetch backend contract on MySQL: 4 shards as 4 databases of this run on one server, first without a
// cache and then with Redis in front. Skipped with a message when the servers are down (a failure under CI=true).
import { suite } from "uvu";
import { runBackendContractSuite } from "../../src/kvetch/testing/index.js";
import { REDIS_URL, deleteKeys, mysqlContractFixture, serversUp, testKeyPrefix } from "./kvetch-servers.js";

if (await serversUp("test/integration/kvetch-mysql.test.ts", { mysql: true, redis: true })) {
  runBackendContractSuite({ name: "mysql (4 databases)", suite, ...mysqlContractFixture() });

  const keyPrefix = testKeyPrefix("suite");
  runBackendContractSuite({
    name: "mysql + redis (4 databases, one Redis node)",
    suite,
    ...mysqlContractFixture({ url: REDIS_URL, keyPrefix }, async () => void (await deleteKeys(keyPrefix))),
  });
}
