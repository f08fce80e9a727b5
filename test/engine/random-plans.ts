// Random data for plans against resolvers (random-plans.test.ts): one schema twice, with plan resolvers
// (loadOne, loadMany, each, lambda, get) and as a plain graphql-js schema whose resolvers read the same data
// through the same callbacks one key at a time. What each key loads — a record, a null, an error — what each
// record's fields hold (a value or a null), the friends lists (records and nulls) and which names `tag` throws
// on are a hash of the key and the world's salt; the salt also says whether the callbacks answer at once or
// with a settled promise. A key's error is an Error the resolvers return and the plans' callbacks return as
// `fail(error)` (spec/early-exit.md: a plan's value that is an Error is a value, not an error).

import { buildSchema, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { fail, makeSchema, type Step } from "../../src/index.js";
import { each, lambda, loadMany, loadOne } from "../../steps/index.js";
import { draws, prng, saltedHash } from "../safety/fuzz.js";

export const typeDefs = /* GraphQL */ `
  type Query {
    node(id: ID!): Node
    nodeNN(id: ID!): Node!
    nodes(ids: [ID!]!): [Node]
    nodesNN(ids: [ID!]!): [Node!]!
  }
  type Node {
    id: ID!
    name: String
    nameNN: String!
    score: Int!
    tag: String
    best: Node
    bestNN: Node!
    friends: [Node]
    friendsNN: [Node!]!
  }
`;

interface NodeRecord {
  readonly id: string;
  readonly name: string | null;
  readonly nameNN: string | null;
  readonly score: number | null;
  readonly bestId: string | null;
}

const KEYS = 12;

/** One world's data and callbacks: what each key loads, fixed by the salt. */
export interface RandomWorld {
  readonly salt: number;
  readonly loadNodes: (ids: readonly string[]) => ReadonlyArray<NodeRecord | null | Error> | Promise<ReadonlyArray<NodeRecord | null | Error>>;
  readonly loadFriends: (ids: readonly string[]) => ReadonlyArray<ReadonlyArray<NodeRecord | null> | null | Error> | Promise<ReadonlyArray<ReadonlyArray<NodeRecord | null> | null | Error>>;
  readonly tagOf: (name: string | null) => string;
}

export function randomWorld(salt: number): RandomWorld {
  const asynchronous = salt % 2 === 1;
  const answer = <T>(value: T): T | Promise<T> => (asynchronous ? Promise.resolve(value) : value);
  const fieldValue = (id: string, field: string, value: string): string | null => (saltedHash(`${id}.${field}`, salt) % 8 === 0 ? null : value);
  const record = (id: string): NodeRecord | null | Error => {
    const h = saltedHash(`${id}#record`, salt) % 10;
    if (h === 0) return null;
    if (h === 1) return new Error(`no record ${id}`);
    const best = saltedHash(`${id}#best`, salt) % (KEYS + 3);
    return {
      id,
      name: fieldValue(id, "name", `name ${id}`),
      nameNN: fieldValue(id, "nameNN", `nameNN ${id}`),
      score: saltedHash(`${id}#score`, salt) % 9 === 0 ? null : saltedHash(`${id}#score`, salt) % 100,
      bestId: best >= KEYS ? null : `k${best}`,
    };
  };
  const friendsOf = (id: string): ReadonlyArray<NodeRecord | null> | null | Error => {
    const h = saltedHash(`${id}#friends`, salt);
    if (h % 10 === 0) return null;
    if (h % 10 === 1) return new Error(`the friends of ${id} are private`);
    return Array.from({ length: (h >>> 4) % 4 }, (_, i) => {
      const friend = record(`k${(h + i * 5) % KEYS}`);
      return friend instanceof Error ? null : friend;
    });
  };
  return {
    salt,
    loadNodes: (ids) => answer(ids.map(record)),
    loadFriends: (ids) => answer(ids.map(friendsOf)),
    tagOf: (name) => {
      if (name !== null && saltedHash(`${name}#tag`, salt) % 4 === 0) throw new Error(`no tag for ${name}`);
      return `tag:${name}`;
    },
  };
}

/** The world the schemas' callbacks use: set before each request. */
let world: RandomWorld = randomWorld(1);

export function useWorld(next: RandomWorld): void {
  world = next;
}

/** A callback's results as a plan's: each key's Error as `fail(error)`. */
function flagged<T>(results: ReadonlyArray<T | Error> | Promise<ReadonlyArray<T | Error>>): unknown {
  const flag = (list: ReadonlyArray<T | Error>) => list.map((value) => (value instanceof Error ? fail(value) : value));
  return results instanceof Promise ? results.then(flag) : flag(results);
}

const loadNodes = (ids: readonly string[]) => world.loadNodes(ids);
const loadFriends = (ids: readonly string[]) => world.loadFriends(ids);
const planLoadNodes = (ids: readonly string[]) => flagged(world.loadNodes(ids)) as never;
const planLoadFriends = (ids: readonly string[]) => flagged(world.loadFriends(ids)) as never;
const tagOf = (name: string | null) => world.tagOf(name);

export const planSchema: GraphQLSchema = makeSchema({
  typeDefs,
  functions: { planLoadNodes, planLoadFriends, tagOf },
  plans: {
    Query: {
      node: (_$root: Step, args) => loadOne(args.get("id"), planLoadNodes),
      nodeNN: (_$root: Step, args) => loadOne(args.get("id"), planLoadNodes),
      nodes: (_$root: Step, args) => each(args.get("ids"), ($id) => loadOne($id, planLoadNodes)),
      nodesNN: (_$root: Step, args) => each(args.get("ids"), ($id) => loadOne($id, planLoadNodes)),
    },
    Node: {
      tag: ($node: Step) => lambda($node.get("name"), tagOf),
      best: ($node: Step) => loadOne($node.get("bestId"), planLoadNodes),
      bestNN: ($node: Step) => loadOne($node.get("bestId"), planLoadNodes),
      friends: ($node: Step) => loadMany($node.get("id"), planLoadFriends),
      friendsNN: ($node: Step) => loadMany($node.get("id"), planLoadFriends),
    },
  },
});

/** The same schema as graphql-js runs it: each resolver loads its one key through the same callbacks. */
export const resolverSchema: GraphQLSchema = buildSchema(typeDefs);
{
  const one = <T>(loaded: ReadonlyArray<T> | Promise<ReadonlyArray<T>>): T | Promise<T> => (loaded instanceof Promise ? loaded.then((list) => list[0]!) : loaded[0]!);
  const query = (resolverSchema.getType("Query") as GraphQLObjectType).getFields();
  const node = (resolverSchema.getType("Node") as GraphQLObjectType).getFields();
  query.node!.resolve = query.nodeNN!.resolve = (_root, args: { id: string }) => one(loadNodes([args.id]));
  query.nodes!.resolve = query.nodesNN!.resolve = (_root, args: { ids: string[] }) => args.ids.map((id) => one(loadNodes([id])));
  node.tag!.resolve = (parent: NodeRecord) => tagOf(parent.name as string | null);
  node.best!.resolve = node.bestNN!.resolve = (parent: NodeRecord) => (parent.bestId === null ? null : one(loadNodes([parent.bestId])));
  node.friends!.resolve = node.friendsNN!.resolve = (parent: NodeRecord) => one(loadFriends([parent.id]));
}

const LEAVES = ["id", "name", "nameNN", "score", "tag"] as const;
const OBJECTS = ["best", "bestNN", "friends", "friendsNN"] as const;

/** A seeded generator of queries over the two schemas: nested selections, aliases, fragments, roots by id. */
export function randomPlanQueries(seed: number): () => string {
  const next = prng(seed);
  const choose = draws(next).pick;
  const key = (): string => `"k${Math.floor(next() * (KEYS + 1))}"`;
  // At most two list levels on a path: maxCost counts an unsized list as 100 items (spec/limits.md).
  const selection = (depth: number, lists: number): string => {
    const out: string[] = [];
    const count = 1 + Math.floor(next() * 4);
    for (let i = 0; i < count; i++) {
      const alias = next() < 0.25 ? `x${i}: ` : "";
      if (depth >= 3 || next() < 0.55) out.push(`${alias}${choose(LEAVES)}`);
      else if (next() < 0.9) {
        const field = choose(OBJECTS);
        const levels = lists + (field.startsWith("friends") ? 1 : 0);
        out.push(levels > 2 ? `${alias}best { ${selection(depth + 1, lists)} }` : `${alias}${field} { ${selection(depth + 1, levels)} }`);
      } else out.push(`... on Node { ${selection(depth + 1, lists)} }`);
    }
    return out.join(" ");
  };
  return () => {
    const roots: string[] = [];
    const rootCount = 1 + Math.floor(next() * 2);
    for (let i = 0; i < rootCount; i++) {
      const root = choose(["node", "nodeNN", "nodes", "nodesNN"] as const);
      const args = root.startsWith("nodes") ? `ids: [${Array.from({ length: 1 + Math.floor(next() * 4) }, key).join(", ")}]` : `id: ${key()}`;
      roots.push(`r${i}: ${root}(${args}) { ${selection(0, root.startsWith("nodes") ? 1 : 0)} }`);
    }
    return `{ ${roots.join(" ")} }`;
  };
}
