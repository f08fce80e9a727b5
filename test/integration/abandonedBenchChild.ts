// A bench process that is killed before its cleanup (test/integration/abandoned-runs.test.ts): it names one
// store as every MySQL section of the bench does (bench/servers.ts's benchStore, which claims the run), makes
// its first database and one Redis key under its prefix, says its run id on stdout and waits to be killed.

import mysql from "mysql2/promise";
import { Redis } from "ioredis";
import { BENCH_RUN, REDIS_URL, benchStore } from "../../bench/servers.js";
import { MYSQL_SERVER } from "./kvetch-servers.js";

const { databases, keyPrefix } = await benchStore("abandoned", 2);
const connection = await mysql.createConnection({ uri: MYSQL_SERVER });
await connection.query("CREATE DATABASE ??", [databases[0]!]);
await connection.end();
const redis = new Redis(REDIS_URL);
await redis.set(`${keyPrefix}left`, "1");
redis.disconnect();
process.stdout.write(`${BENCH_RUN}\n`);
setInterval(() => {}, 60_000);
