// What the contract tests share: assertions on node:assert (so the package needs no test runner at run time),
// sums of round trips, and small fixtures. Never reaches into a backend; reads only through the Kvetch API.

import { strict } from "node:assert";
import { KvetchError } from "../errors.js";
import type { Kvetch } from "../kvetch.js";
import type { KvetchEdge, KvetchObject, KvetchPage } from "../model.js";

/** Registers one contract test: `run` gets a store over empty, migrated shards with its counters at zero. */
export type ContractTest = (name: string, run: (kvetch: Kvetch) => Promise<void>) => void;

/** The assertions the contract uses, with uvu's names and meanings (is: Object.is; equal: deep). */
export const assert = {
  is(actual: unknown, expected: unknown, message?: string): void {
    strict.strictEqual(actual, expected, message);
  },
  equal(actual: unknown, expected: unknown, message?: string): void {
    strict.deepStrictEqual(actual, expected, message);
  },
  ok(value: unknown, message?: string): void {
    strict.ok(value, message);
  },
  /** A substring or a pattern. */
  match(text: string, pattern: string | RegExp, message?: string): void {
    if (typeof pattern === "string") strict.ok(text.includes(pattern), message ?? `expected ${JSON.stringify(text)} to include ${JSON.stringify(pattern)}`);
    else strict.match(text, pattern, message);
  },
  instance(value: unknown, type: abstract new (...args: never[]) => unknown, message?: string): void {
    strict.ok(value instanceof type, message);
  },
  unreachable(message: string): never {
    strict.fail(message);
  },
};

export function total(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum;
}

export function shardsOf(kvetch: Kvetch, ids: readonly string[]): Set<number> {
  return new Set(ids.map((id) => kvetch.shardOf(id)));
}

export function toIds(page: KvetchPage<KvetchEdge>): string[] {
  return page.edges.map((edge) => edge.toId);
}

/** Awaits `promise` and asserts it fails with a KvetchError of `code` whose message matches `pattern`. */
export async function rejects(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, KvetchError, `expected a KvetchError, got ${String(error)}`);
    assert.is((error as KvetchError).code, code, (error as Error).message);
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected an error with code ${code} matching ${pattern}`);
}

/** A user with `lists` todo lists (derived edge user_to_list), lists in creation order. */
export async function userWithLists(kvetch: Kvetch, name: string, lists: number): Promise<{ user: KvetchObject; lists: KvetchObject[] }> {
  const user = await kvetch.createObject("User", { username: name });
  const created: KvetchObject[] = [];
  for (let i = 0; i < lists; i++) created.push(await kvetch.createObject("TodoList", { userId: user.id, title: `${name} ${i}` }));
  return { user, lists: created };
}

export async function rowTotals(kvetch: Kvetch): Promise<{ objects: number; edges: number; indexEntries: number }> {
  const stats = await kvetch.stats();
  return {
    objects: total(stats.map((s) => s.objects)),
    edges: total(stats.map((s) => s.edges)),
    indexEntries: total(stats.map((s) => s.indexEntries)),
  };
}
