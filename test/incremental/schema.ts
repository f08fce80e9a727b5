// The schema the incremental-delivery tests share: the same type definitions and data served twice — by
// graphql-js resolvers only (the reference graphql-js 17 runs), and by graphscale with plan resolvers for
// part of it (users, names, posts, friends: loadOne/loadMany batches) and the same resolvers for the rest
// (resolver emulation). Loader calls are counted so tests can assert one call per step per layer.

import { parse } from "graphql";
import { experimentalExecuteIncrementally, makeSchema } from "../../src/index.js";
import { constant, lambda, loadMany, loadOne } from "../../steps/index.js";
import type { Step } from "../../src/index.js";

export const typeDefs = /* GraphQL */ `
  interface Node { id: ID! }
  union SearchResult = User | Post
  type Query {
    hello: String
    asyncHello: String
    viewer: User
    user(id: ID!): User
    users: [User!]!
    maybeUsers: [User]
    nodes: [Node]
    search: [SearchResult!]!
    numbers: [Int]
    asyncNumbers: [Int]
    mixedNumbers: [Int]
    strictNumbers: [Int!]
    asyncStrictNumbers: [Int!]
    brokenNumbers: [Int]
    brokenUsers: [User]
    failing: String
    failingNN: String!
    nullUser: User
    emptyUsers: [User!]!
    looseUsers: [User]
  }
  type Mutation {
    touch(id: ID!): User
    touchAll: [User!]!
    failTouch: User!
  }
  type User implements Node {
    id: ID!
    name: String
    posts: [Post!]!
    friends: [User!]!
    best: User
    bad: String
    badNN: String!
    asyncName: String
    asyncBad: String
    slowName: String
    slowerName: String
    soloName: String
    slowPlanName: String
    flakyNN: String!
    tags: [String]
  }
  type Post implements Node {
    id: ID!
    title: String
    author: User
    bad: String
  }
`;

interface UserRow {
  readonly id: string;
  readonly name: string;
  readonly friendIds: readonly string[];
  readonly postIds: readonly string[];
  readonly tags: readonly string[];
}
interface PostRow {
  readonly id: string;
  readonly title: string;
  readonly authorId: string;
}

export const usersById = new Map<string, UserRow>();
export const postsById = new Map<string, PostRow>();
for (let i = 1; i <= 6; i++) {
  const id = `u${i}`;
  const friendIds = [`u${(i % 6) + 1}`, `u${((i + 1) % 6) + 1}`].filter(() => i !== 6);
  usersById.set(id, { id, name: `User ${i}`, friendIds, postIds: i % 2 === 0 ? [] : [`p${i}a`, `p${i}b`], tags: [`t${i}`, `x${i}`] });
  if (i % 2 === 1) for (const s of ["a", "b"]) postsById.set(`p${i}${s}`, { id: `p${i}${s}`, title: `Post ${i}${s}`, authorId: id });
}
const allUsers = [...usersById.values()];

/** Loader calls of the plan side, by loader name. */
export const calls: Record<string, number> = { users: 0, posts: 0, names: 0, slowNames: 0 };

/**
 * The slow name loader's wait (plan side): by default a timer, as the reference's slowName; a test may hold
 * every call until it lets them go (`hold`), to see what the initial payload waits for.
 */
export const slowNames = {
  held: null as null | { readonly release: () => void; readonly promise: Promise<void> },
  /** Later calls wait until `release()`. */
  hold(): () => void {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.held = { release, promise };
    return () => {
      this.held = null;
      release();
    };
  },
};

const userRef = (id: string): UserRow | null => usersById.get(id) ?? null;

/** An iterable whose iterator throws after its items. */
function* broken<T>(items: readonly T[]): Generator<T> {
  yield* items;
  throw new Error("the list's iterator broke");
}

/**
 * A batched data source's wait, as a DataLoader-backed resolver sees it: every call made before the timer
 * fires waits for the same timer (one per delay). Both sides wait this way, so groups that wait on the
 * same source complete together on both, and groups that wait on different ones apart.
 */
const timers = new Map<number, Promise<void>>();
export function batchedWait(ms: number): Promise<void> {
  let wait = timers.get(ms);
  if (wait === undefined) {
    wait = new Promise<void>((resolve) => setTimeout(resolve, ms)).then(() => void timers.delete(ms));
    timers.set(ms, wait);
  }
  return wait;
}

/** The resolvers both sides use (the reference everywhere, graphscale where no plan is given). */
export const resolvers = {
  Query: {
    hello: () => "world",
    asyncHello: () => Promise.resolve("async world"),
    viewer: () => usersById.get("u1"),
    user: (_: unknown, args: { id: string }) => userRef(args.id),
    users: () => allUsers,
    maybeUsers: () => [allUsers[0], null, allUsers[2]],
    nodes: () => [usersById.get("u1"), postsById.get("p1a"), null, usersById.get("u2")],
    search: () => [postsById.get("p3a"), usersById.get("u3")],
    numbers: () => [1, 2, 3, 4],
    asyncNumbers: () => [1, Promise.resolve(2), 3],
    mixedNumbers: () => [1, Promise.resolve(2), 3, 4, Promise.resolve(5), 6],
    strictNumbers: () => [1, 2, null, 4],
    asyncStrictNumbers: () => [1, Promise.resolve(2), 3, Promise.resolve(null), 5],
    brokenNumbers: () => broken([1, 2, 3]),
    brokenUsers: () => broken(allUsers.slice(0, 3)),
    failing: () => {
      throw new Error("failing field");
    },
    failingNN: () => {
      throw new Error("failing non-null field");
    },
    nullUser: () => null,
    emptyUsers: () => [],
    looseUsers: () => allUsers,
  },
  Mutation: {
    touch: (_: unknown, args: { id: string }) => userRef(args.id),
    touchAll: () => allUsers,
    failTouch: () => {
      throw new Error("failTouch");
    },
  },
  Node: { __resolveType: (v: { title?: string }) => (v.title !== undefined ? "Post" : "User") },
  SearchResult: { __resolveType: (v: { title?: string }) => (v.title !== undefined ? "Post" : "User") },
  User: {
    name: (u: UserRow) => u.name,
    posts: (u: UserRow) => u.postIds.map((id) => postsById.get(id)),
    friends: (u: UserRow) => u.friendIds.map((id) => usersById.get(id)),
    best: (u: UserRow) => (u.friendIds.length > 0 ? usersById.get(u.friendIds[0]!) : null),
    bad: (u: UserRow) => {
      throw new Error(`bad ${u.id}`);
    },
    badNN: (u: UserRow) => {
      throw new Error(`badNN ${u.id}`);
    },
    asyncName: (u: UserRow) => Promise.resolve(u.name.toUpperCase()),
    asyncBad: (u: UserRow) => Promise.reject(new Error(`asyncBad ${u.id}`)),
    slowName: (u: UserRow) => batchedWait(3).then(() => u.name),
    slowerName: (u: UserRow) => batchedWait(20).then(() => u.name),
    slowPlanName: (u: UserRow) => batchedWait(3).then(() => u.name),
    /** A timer of its own per call (no batching): each entry's promise settles in a timer callback of its own. */
    soloName: (u: UserRow) => new Promise((resolve) => setTimeout(() => resolve(u.name), 3)),
    flakyNN: (u: UserRow) => {
      if (u.id === "u4") throw new Error(`flakyNN ${u.id}`);
      return `steady ${u.id}`;
    },
    tags: (u: UserRow) => u.tags,
  },
  Post: {
    title: (p: PostRow) => p.title,
    author: (p: PostRow) => usersById.get(p.authorId),
    bad: (p: PostRow) => {
      throw new Error(`bad ${p.id}`);
    },
  },
};

/** graphql-js's reference: resolvers only. */
export const referenceSchema = makeSchema({ typeDefs, resolvers });

const loadUsers = (ids: readonly string[]) => {
  calls.users!++;
  return ids.map((id) => usersById.get(id) ?? null);
};
const loadPostsOf = (userIds: readonly string[]) => {
  calls.posts!++;
  return userIds.map((id) => (usersById.get(id)?.postIds ?? []).map((p) => postsById.get(p)!));
};
const loadFriendsOf = (userIds: readonly string[]) => {
  calls.users!++;
  return userIds.map((id) => (usersById.get(id)?.friendIds ?? []).map((f) => usersById.get(f)!));
};
/** The keys of each slow name loader call (plan side). */
export const slowNameBatches: number[] = [];
const loadSlowNames = async (ids: readonly string[]) => {
  calls.slowNames!++;
  slowNameBatches.push(ids.length);
  await (slowNames.held?.promise ?? batchedWait(3));
  return ids.map((id) => usersById.get(id)?.name ?? null);
};
const loadNames = (ids: readonly string[]) => {
  calls.names!++;
  return ids.map((id) => usersById.get(id)?.name ?? null);
};

/** graphscale: plans for users, names, posts and friends; the reference's resolvers for the rest. */
export const planSchema = makeSchema({
  typeDefs,
  resolvers: {
    Query: { hello: resolvers.Query.hello, asyncHello: resolvers.Query.asyncHello, maybeUsers: resolvers.Query.maybeUsers, nodes: resolvers.Query.nodes, search: resolvers.Query.search, numbers: resolvers.Query.numbers, asyncNumbers: resolvers.Query.asyncNumbers, mixedNumbers: resolvers.Query.mixedNumbers, strictNumbers: resolvers.Query.strictNumbers, asyncStrictNumbers: resolvers.Query.asyncStrictNumbers, brokenNumbers: resolvers.Query.brokenNumbers, brokenUsers: resolvers.Query.brokenUsers, failing: resolvers.Query.failing, failingNN: resolvers.Query.failingNN, nullUser: resolvers.Query.nullUser, emptyUsers: resolvers.Query.emptyUsers, looseUsers: resolvers.Query.looseUsers },
    Mutation: { touchAll: resolvers.Mutation.touchAll, failTouch: resolvers.Mutation.failTouch },
    Node: resolvers.Node,
    SearchResult: resolvers.SearchResult,
    User: { best: resolvers.User.best, bad: resolvers.User.bad, badNN: resolvers.User.badNN, asyncName: resolvers.User.asyncName, asyncBad: resolvers.User.asyncBad, slowName: resolvers.User.slowName, slowerName: resolvers.User.slowerName, soloName: resolvers.User.soloName, flakyNN: resolvers.User.flakyNN, tags: resolvers.User.tags },
    Post: { title: resolvers.Post.title, author: resolvers.Post.author, bad: resolvers.Post.bad },
  },
  plans: {
    Query: {
      viewer: () => loadOne(constant("u1"), loadUsers),
      user: (_$root: Step, args) => loadOne(args.get("id") as Step<string>, loadUsers),
      users: () => constant(allUsers),
    },
    Mutation: {
      touch: (_$root: Step, args) => loadOne(args.get("id") as Step<string>, loadUsers),
    },
    User: {
      id: ($user: Step) => lambda($user, (u: UserRow) => u.id),
      name: ($user: Step) => loadOne(lambda($user, (u: UserRow) => u.id), loadNames),
      slowPlanName: ($user: Step) => loadOne(lambda($user, (u: UserRow) => u.id), loadSlowNames),
      posts: ($user: Step) => loadMany(lambda($user, (u: UserRow) => u.id), loadPostsOf),
      friends: ($user: Step) => loadMany(lambda($user, (u: UserRow) => u.id), loadFriendsOf),
    },
  },
});

/** A payload of an incremental result, as the tests read it. */
export type Payload = Record<string, unknown>;
interface Incremental {
  readonly initialResult: Payload;
  readonly subsequentResults: AsyncGenerator<Payload, void, void>;
}

/** An operation on planSchema, delivered incrementally (graphql 17). */
export const start = async (query: string): Promise<Incremental> =>
  (await experimentalExecuteIncrementally({ schema: planSchema, document: parse(query) })) as unknown as Incremental;
export const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** Whether `promise` has settled after the pending callbacks and a few timer turns ran. */
export async function settles(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return settled;
}
