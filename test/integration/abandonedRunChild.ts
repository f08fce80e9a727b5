// A test run that is killed before its cleanup (test/integration/abandoned-runs.test.ts): it takes its run's
// lock as every test process does (serversUp), makes one database and one Redis key under its run id, says
// its run id on stdout and waits to be killed.

import mysql from "mysql2/promise";
import { Redis } from "ioredis";
import { MYSQL_SERVER, REDIS_URL, RUN_ID, serversUp, testDatabases, testKeyPrefix } from "./kvetch-servers.js";

if (!(await serversUp("test/integration/abandonedRunChild.ts", { mysql: true, redis: true }))) process.exit(2);
const connection = await mysql.createConnection({ uri: MYSQL_SERVER });
const database = testDatabases("abandoned")[0]!;
await connection.query("CREATE DATABASE ??", [database]);
await connection.query("CREATE TABLE ??.objects (id INT PRIMARY KEY)", [database]);
await connection.end();
const redis = new Redis(REDIS_URL);
await redis.set(`${testKeyPrefix("abandoned")}left`, "1");
redis.disconnect();
process.stdout.write(`${RUN_ID}\n`);
setInterval(() => {}, 60_000);
