// Seeded random operations with @defer and @stream over the incremental tests' schema (schema.ts), and what a
// payload sequence carries whatever payload carries it (random.test.ts). Only fields whose values are there at
// once or behind settled promises: no timers, so every run of an operation gives the same payloads.

import type { Payload } from "./schema.js";
import { draws, prng } from "../safety/fuzz.js";

const USER_LEAVES = ["id", "name", "bad", "badNN", "asyncName", "asyncBad", "flakyNN", "tags"];
const USER_OBJECTS: ReadonlyArray<readonly [string, boolean]> = [["posts", true], ["friends", true], ["best", false]];
const POST_LEAVES = ["id", "title", "bad"];
const ROOT_LEAVES = ["hello", "asyncHello", "failing", "failingNN"];
const ROOT_LISTS = ["numbers", "asyncNumbers", "mixedNumbers", "strictNumbers", "asyncStrictNumbers", "brokenNumbers"];
const ROOT_USERS: ReadonlyArray<readonly [string, boolean]> = [
  ["viewer", false],
  ['user(id: "u3")', false],
  ["users", true],
  ["maybeUsers", true],
  ["nullUser", false],
  ["emptyUsers", true],
  ["looseUsers", true],
  ["brokenUsers", true],
];

/** A generator of operations: every field aliased apart (no two streams of one field conflict), labels unique. */
export function randomIncrementalQueries(seed: number): () => string {
  const next = prng(seed);
  const choose = draws(next).pick;
  let labels = 0;
  let aliases = 0;
  const alias = (field: string): string => `a${aliases++}: ${field}`;
  const defer = (selection: () => string): string => {
    const roll = next();
    const args = roll < 0.3 ? `(label: "L${labels++}")` : roll < 0.36 ? "(if: false)" : "";
    return `... @defer${args} { ${selection()} }`;
  };
  const stream = (field: string): string => `s${aliases++}: ${field} @stream(initialCount: ${Math.floor(next() * 3)})`;
  const post = (depth: number): string => {
    const out = [alias(choose(POST_LEAVES))];
    if (next() < 0.4 && depth < 3) out.push(`author { ${user(depth + 1)} }`);
    if (next() < 0.15) out.push(defer(() => alias(choose(POST_LEAVES))));
    return out.join(" ");
  };
  const user = (depth: number): string => {
    const out: string[] = [];
    const count = 1 + Math.floor(next() * 3);
    for (let i = 0; i < count; i++) {
      const roll = next();
      if (roll < 0.15 && depth < 3) out.push(defer(() => user(depth + 1)));
      else if (roll < 0.55 || depth >= 3) {
        const field = choose(USER_LEAVES);
        out.push(field === "tags" && next() < 0.3 ? stream(field) : alias(field));
      } else {
        const [field, list] = choose(USER_OBJECTS);
        const head = list && next() < 0.3 ? stream(field) : alias(field);
        out.push(`${head} { ${field === "posts" ? post(depth + 1) : user(depth + 1)} }`);
      }
    }
    return out.join(" ");
  };
  const root = (depth: number): string => {
    const out: string[] = [];
    const count = 1 + Math.floor(next() * 3);
    for (let i = 0; i < count; i++) {
      const roll = next();
      if (roll < 0.2 && depth < 1) out.push(defer(() => root(depth + 1)));
      else if (roll < 0.35) out.push(alias(choose(ROOT_LEAVES)));
      else if (roll < 0.5) {
        const field = choose(ROOT_LISTS);
        out.push(next() < 0.5 ? stream(field) : alias(field));
      } else {
        const [field, list] = choose(ROOT_USERS);
        out.push(`${list && next() < 0.4 ? stream(field) : alias(field)} { ${user(1)} }`);
      }
    }
    return out.join(" ");
  };
  return () => `{ ${root(0)} }`;
}

/**
 * What a payload sequence carries, whatever payload carries it: the initial data and errors, and per record
 * (a deferred fragment or a stream) its data, items, errors and how it completed. A record is named by its
 * path, label and rank among the records announced with both, not by its id: ids number the records in the
 * order they are announced, which follows the payloads.
 */
export function contentOf(payloads: readonly Payload[]): unknown {
  type Record = { data: unknown[]; items: unknown[]; errors: unknown[]; completed: unknown };
  interface Announced { id: string; path: unknown; label?: string }
  interface Incremental { id: string; data?: unknown; items?: unknown[]; subPath?: unknown; errors?: unknown[] }
  interface Completed { id: string; errors?: unknown[] }
  const [first, ...rest] = payloads as ReadonlyArray<{ data?: unknown; errors?: unknown[]; pending?: Announced[]; incremental?: Incremental[]; completed?: Completed[]; hasNext?: boolean }>;
  const records = new Map<string, Record>();
  const nameOf = new Map<string, string>();
  const ranks = new Map<string, number>();
  const announce = (pending: Announced): void => {
    const base = `${JSON.stringify(pending.path)} ${pending.label ?? ""}`;
    const rank = (ranks.get(base) ?? 0) + 1;
    ranks.set(base, rank);
    nameOf.set(pending.id, `${base} #${rank}`);
    records.set(`${base} #${rank}`, { data: [], items: [], errors: [], completed: null });
  };
  const record = (id: string): Record => {
    const found = records.get(nameOf.get(id) ?? "");
    if (found === undefined) throw new Error(`a payload names record ${id}, which no payload announced`);
    return found;
  };
  for (const pending of first?.pending ?? []) announce(pending);
  let hasNext = first?.hasNext ?? false;
  for (const payload of rest) {
    for (const pending of payload.pending ?? []) announce(pending);
    for (const part of payload.incremental ?? []) {
      const into = record(part.id);
      if (part.items !== undefined) into.items.push(...part.items);
      else into.data.push({ subPath: part.subPath ?? null, data: part.data });
      if (part.errors !== undefined) into.errors.push(...part.errors);
    }
    for (const done of payload.completed ?? []) record(done.id).completed = done.errors ?? "completed";
    hasNext = payload.hasNext ?? false;
  }
  return { data: first?.data, errors: first?.errors ?? null, records: [...records].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), hasNext };
}
