// The KvetchError a Kvetch call rejects with (a test fails when it resolves, or rejects with anything else).
import * as assert from "uvu/assert";
import { KvetchError } from "../../src/kvetch/index.js";

export async function rejectionOf(run: () => Promise<unknown>): Promise<KvetchError> {
  const error = await run().then(
    () => null,
    (thrown: unknown) => thrown,
  );
  assert.instance(error, KvetchError);
  return error as KvetchError;
}
