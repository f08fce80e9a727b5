// A `graphscale kvetch --config` module for the CLI tests: a user's own backend (the map backend of
// third-backend.ts) and a schema, seeded with one interrupted write so that repair has something to heal.
import { Kvetch } from "../../src/kvetch/index.js";
import { contractSchema, kvetchTestHooks } from "../../src/kvetch/testing/index.js";
import { mapBackend } from "./third-backend.js";

export const backend = mapBackend(2);
export const schema = contractSchema;

const kvetch = new Kvetch({ schema, backend });
const user = await kvetch.createObject("User", { username: "cli" });
kvetchTestHooks(kvetch).afterCanonicalWrite = () => {
  throw new Error("crash between the canonical and the derived write");
};
await kvetch.createObjects([{ type: "TodoList", data: { userId: user.id } }]).catch(() => undefined);
await kvetch.close();
