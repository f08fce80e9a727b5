// runBackendContractSuite: the Kvetch backend contract as one test suite any backend can run — the memory
// and MySQL backends run it in this project, a third-party backend runs it the same way. The caller hands in
// its test runner's `suite` (uvu's fits), so the package never depends on a test runner at run time.

import type { KvetchBackend } from "../backend.js";
import { Kvetch } from "../kvetch.js";
import type { ContractTest } from "./contractHelpers.js";
import { faultContract } from "./contractFaults.js";
import { listContract } from "./contractLists.js";
import { objectContract } from "./contractObjects.js";
import { contractSchema } from "./contractSchema.js";
import { typedWriteContract } from "./contractTypedWrites.js";

/** A group of tests in the caller's runner: uvu's `suite(name)` returns one. */
export interface ContractSuite {
  (name: string, run: () => Promise<void>): void;
  after(hook: () => Promise<void>): void;
  run(): void;
}

export interface BackendContractOptions {
  /** Names the suite in the runner's output, e.g. "my-backend (4 shards)". */
  name: string;
  /** Makes the group of tests: pass uvu's `suite`, or any function of that shape. */
  suite: (name: string) => ContractSuite;
  /**
   * A backend of exactly 4 physical shards whose shards (and cache, when it has one) hold no rows; called
   * before every test. The suite runs `migrate` on it, so it may or may not have run before.
   */
  makeBackend(): KvetchBackend | Promise<KvetchBackend>;
  /** Runs before every test after migrate, e.g. to wait until the backend's cache is connected. */
  prepare?(kvetch: Kvetch): Promise<void>;
  /** Runs once after the last test (drop databases, stop servers). */
  close?(): void | Promise<void>;
}

/**
 * runBackendContractSuite: registers every contract test in one suite and runs it. Each test gets a new Kvetch
 * over `makeBackend()` with the contract's schema (contractSchema), migrated, counters at zero; it is closed
 * after the test whether the test passed or not.
 */
export function runBackendContractSuite(options: BackendContractOptions): void {
  const group = options.suite(options.name);
  const it: ContractTest = (name, run) => {
    group(name, async () => {
      const kvetch = new Kvetch({ schema: contractSchema, backend: await options.makeBackend() });
      try {
        await kvetch.migrate();
        await options.prepare?.(kvetch);
        kvetch.resetCounters();
        await run(kvetch);
      } finally {
        await kvetch.close();
      }
    });
  };
  objectContract(it);
  listContract(it);
  faultContract(it);
  typedWriteContract(it);
  group.after(async () => {
    await options.close?.();
  });
  group.run();
}
