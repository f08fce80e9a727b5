// Random resolver schemas' data and queries (seeded): the generator behind random-resolvers.test.ts. Every
// field of Node but three has its own resolver, and what each resolver, list item and property does — a
// value, a promise, a throw, a rejection, a null, a promised null, a returned Error, a value its type
// refuses — is a hash of its response path and the case's salt. The three fields without a resolver read a
// property the parent's resolver left (a value, a promise, an Error, a method), so default resolvers and
// own resolvers meet in one response. Resolver calls are logged by response path in the request's context.

import { buildSchema, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLResolveInfo } from "graphql";
import { draws, prng, saltedHash } from "../safety/fuzz.js";

export const randomResolverSchema = buildSchema(`
  enum Color { RED GREEN BLUE }
  type Query { root: Node rootNN: Node! list(n: Int = 2): [Node] listNN: [Node!]! echo(s: String, i: Int, c: Color): String }
  type Node {
    id: ID!
    a: String
    b: String!
    i: Int
    iNN: Int!
    f: Float
    flag: Boolean
    c: Color
    cNN: Color!
    n: Node
    nn: Node!
    l: [Node]
    lnn: [Node!]
    lNN: [Node]!
    lnnNN: [Node!]!
    ll: [[Node]]
    leaves: [String]
    leavesNN: [Int!]!
    arg(x: Int = 3, s: String): String
    p: String
    pn: Node
    pl: [Node]
  }
`);

type Behaviour = "value" | "promise" | "throw" | "reject" | "null" | "promisedNull" | "error" | "wrong";
const behaviours: Behaviour[] = ["value", "value", "value", "value", "value", "promise", "promise", "throw", "reject", "null", "promisedNull", "error", "wrong"];
type ItemBehaviour = "value" | "promise" | "null" | "promisedNull" | "reject" | "error";
const itemBehaviours: ItemBehaviour[] = ["value", "value", "value", "value", "promise", "null", "promisedNull", "reject", "error"];

/**
 * A rejected promise with a handler already attached: data the request never reads (a property of a node no
 * query selects, an item after a list's failure) must not show as a rejection the engine left unhandled.
 */
function rejected(message: string): Promise<never> {
  const promise = Promise.reject(new Error(message));
  promise.catch(() => undefined);
  return promise;
}

/**
 * A position's behaviour. The salt picks one of three worlds, so that the run a query takes varies: any
 * behaviour at every position; only values and settled promises (a clean response, nulls at nullable
 * positions aside); or values with a fault one position in forty (a long clean run, then a stop).
 */
function pick<T>(list: readonly T[], clean: number, key: string, salt: number): T {
  const h = saltedHash(key, salt);
  switch (salt % 3) {
    case 0:
      return list[h % list.length]!;
    case 1:
      return list[h % clean]!;
    default:
      return h % 40 === 0 ? list[clean + ((h >>> 6) % (list.length - clean))]! : list[0]!;
  }
}

function pathKey(path: GraphQLResolveInfo["path"] | undefined): string {
  const keys: Array<string | number> = [];
  for (let at = path; at !== undefined; at = at.prev) keys.push(at.key);
  return keys.reverse().join(".");
}

/** The context a case's request gets: its salt and the resolver calls made, by response path. */
export interface RandomContext {
  readonly salt: number;
  readonly calls: string[];
}

const MAX_DEPTH = 4;

/** A node at a response path: an object the Node resolvers read, with its three properties. */
function nodeAt(key: string, salt: number): Record<string, unknown> {
  const depth = key.split(".").length;
  const property = (field: string, value: () => unknown): unknown => {
    switch (pick(behaviours, 7, `${key}.${field}#property`, salt)) {
      case "promise":
        return Promise.resolve(value());
      case "reject":
        return rejected(`property rejected at ${key}.${field}`);
      case "null":
      case "promisedNull":
        return null;
      case "error":
        return new Error(`property Error at ${key}.${field}`);
      case "throw":
        // A method: graphql 16's default resolver calls it, 17's reads the function (a leaf it cannot serialize).
        return () => value();
      default:
        return value();
    }
  };
  return {
    id: key,
    p: property("p", () => `p of ${key}`),
    pn: depth > MAX_DEPTH ? null : property("pn", () => nodeAt(`${key}.pn`, salt)),
    pl: depth > MAX_DEPTH ? null : property("pl", () => [nodeAt(`${key}.pl.0`, salt), null]),
  };
}

function produce(key: string, salt: number, value: () => unknown, wrong: () => unknown): unknown {
  switch (pick(behaviours, 7, key, salt)) {
    case "value":
      return value();
    case "promise":
      return Promise.resolve(value());
    case "throw":
      throw new Error(`thrown at ${key}`);
    case "reject":
      return rejected(`rejected at ${key}`);
    case "null":
      return null;
    case "promisedNull":
      return Promise.resolve(null);
    case "error":
      return new Error(`Error returned at ${key}`);
    case "wrong":
      return wrong();
  }
}

function items(key: string, salt: number, item: (at: string) => unknown): unknown[] {
  const count = saltedHash(`${key}#count`, salt) % 4;
  return Array.from({ length: count }, (_, i) => {
    const at = `${key}.${i}`;
    switch (pick(itemBehaviours, 5, `${at}#item`, salt)) {
      case "value":
        return item(at);
      case "promise":
        return Promise.resolve(item(at));
      case "null":
        return null;
      case "promisedNull":
        return Promise.resolve(null);
      case "reject":
        return rejected(`item rejected at ${at}`);
      case "error":
        return new Error(`item Error at ${at}`);
    }
  });
}

/** Each field's value when its behaviour is "value", and one its type refuses when it is "wrong". */
function fieldValues(field: string, key: string, salt: number, depth: number): { value: () => unknown; wrong: () => unknown } {
  const node = (): unknown => (depth > MAX_DEPTH ? null : nodeAt(key, salt));
  const nodes = (): unknown => (depth > MAX_DEPTH ? [] : items(key, salt, (at) => nodeAt(at, salt)));
  switch (field) {
    case "id":
      return { value: () => key, wrong: () => ({ id: key }) };
    case "a":
    case "b":
      return { value: () => `${field} of ${key}`, wrong: () => ({ text: key }) };
    case "i":
    case "iNN":
      return { value: () => saltedHash(key, salt) % 1000, wrong: () => 2.5 };
    case "f":
      return { value: () => (saltedHash(key, salt) % 100) / 8, wrong: () => "not a number" };
    case "flag":
      return { value: () => saltedHash(key, salt) % 2 === 0, wrong: () => "yes" };
    case "c":
    case "cNN":
      return { value: () => ["RED", "GREEN", "BLUE"][saltedHash(key, salt) % 3], wrong: () => "PURPLE" };
    case "n":
    case "nn":
      return { value: node, wrong: () => `a string at ${key}` };
    case "l":
    case "lnn":
    case "lNN":
    case "lnnNN":
      return { value: nodes, wrong: () => 5 };
    case "ll":
      return { value: () => items(key, salt, (at) => (depth > MAX_DEPTH ? [] : items(at, salt, (inner) => nodeAt(inner, salt)))), wrong: () => [7] };
    case "leaves":
      return { value: () => items(key, salt, (at) => `leaf ${at}`), wrong: () => "not a list" };
    case "leavesNN":
      return { value: () => items(key, salt, (at) => saltedHash(at, salt) % 50), wrong: () => [1, "x", 3] };
    default:
      throw new Error(`no values for ${field}`);
  }
}

const resolved = (field: string): GraphQLFieldResolver<unknown, RandomContext> => {
  return (_source, _args, context, info) => {
    const key = pathKey(info.path);
    context.calls.push(key);
    const { value, wrong } = fieldValues(field, key, context.salt, key.split(".").length);
    return produce(key, context.salt, value, wrong);
  };
};

const queryFields = (randomResolverSchema.getType("Query") as GraphQLObjectType).getFields();
const nodeFields = (randomResolverSchema.getType("Node") as GraphQLObjectType).getFields();
for (const name of ["root", "rootNN"]) queryFields[name]!.resolve = resolved("n");
queryFields.list!.resolve = (_source, args: { n: number | null }, context: RandomContext, info) => {
  const key = pathKey(info.path);
  context.calls.push(key);
  return Array.from({ length: Math.max(0, Math.min(args.n ?? 0, 4)) }, (_, i) => nodeAt(`${key}.${i}`, context.salt));
};
queryFields.listNN!.resolve = resolved("lnnNN");
queryFields.echo!.resolve = (_source, args: Record<string, unknown>, context: RandomContext, info) => {
  context.calls.push(pathKey(info.path));
  return JSON.stringify(args);
};
for (const [name, field] of Object.entries(nodeFields)) {
  if (name === "p" || name === "pn" || name === "pl") continue;
  field.resolve =
    name === "arg"
      ? (_source, args: Record<string, unknown>, context: RandomContext, info) => {
          const key = pathKey(info.path);
          context.calls.push(key);
          return produce(key, context.salt, () => JSON.stringify(args), () => ({ args }));
        }
      : resolved(name);
}

const NODE_LEAVES = ["id", "a", "b", "i", "iNN", "f", "flag", "c", "cNN", "leaves", "leavesNN", "p"] as const;
const NODE_OBJECTS = ["n", "nn", "l", "lnn", "lNN", "lnnNN", "ll", "pn", "pl"] as const;

/** A seeded generator of operations over randomResolverSchema: fields, aliases, arguments, fragments, directives. */
export function randomResolverQueries(seed: number): () => { query: string; variableValues: Record<string, unknown> } {
  const next = prng(seed);
  const choose = draws(next).pick;
  const fragments = new Map<string, string>();
  // At most two list levels on a path (`ll` is two): the planner's cost estimate counts each list as many
  // items, and a deeper nesting would be refused by maxCost before anything runs.
  const LISTS: Record<string, number> = { l: 1, lnn: 1, lNN: 1, lnnNN: 1, pl: 1, ll: 2 };
  const selection = (depth: number, lists: number): string => {
    const out: string[] = [];
    const count = 1 + Math.floor(next() * 4);
    for (let i = 0; i < count; i++) {
      const roll = next();
      const alias = next() < 0.3 ? `x${i}: ` : "";
      const directive = next() < 0.1 ? (next() < 0.5 ? " @include(if: $yes)" : " @skip(if: $yes)") : "";
      if (roll < 0.5 || depth >= 3) {
        const leaf = choose(NODE_LEAVES);
        out.push(next() < 0.15 ? `${alias}arg(x: ${Math.floor(next() * 9)}, s: $s)${directive}` : `${alias}${leaf}${directive}`);
      } else if (roll < 0.9) {
        const field = choose(NODE_OBJECTS);
        const levels = lists + (LISTS[field] ?? 0);
        if (levels > 2) out.push(`${alias}n${directive} { ${selection(depth + 1, lists)} }`);
        else out.push(`${alias}${field}${directive} { ${selection(depth + 1, levels)} }`);
      } else if (roll < 0.95) {
        const name = `F${fragments.size}`;
        fragments.set(name, ""); // taken before its body is made, so a spread inside it names another fragment
        fragments.set(name, `fragment ${name} on Node { ${selection(depth + 1, lists)} }`);
        out.push(`...${name}`);
      } else {
        out.push(`... on Node${directive} { ${selection(depth + 1, lists)} __typename }`);
      }
    }
    return out.join(" ");
  };
  return () => {
    fragments.clear();
    const roots: string[] = [];
    const rootCount = 1 + Math.floor(next() * 2);
    for (let i = 0; i < rootCount; i++) {
      const root = choose(["root", "rootNN", "list", "list(n: 3)", "listNN"] as const);
      roots.push(`r${i}: ${root} { ${selection(0, root.startsWith("list") ? 1 : 0)} }`);
    }
    if (next() < 0.2) roots.push(`echo(s: $s, i: 4, c: GREEN)`);
    const query = `query Q($yes: Boolean = true, $s: String) { ${roots.join(" ")} } ${[...fragments.values()].join(" ")}`;
    return { query, variableValues: next() < 0.5 ? { yes: false, s: "given" } : {} };
  };
}
