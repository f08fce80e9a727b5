// Pure CPU scenarios: in-memory data, no store, nothing asynchronous. They measure the engines themselves —
// graphscale's plans, graphscale running a plain resolver schema (resolver emulation), and graphql-js —
// on a wide list (1,000 objects × 5 fields) and on nested lists (25 × 25 × 25). Never touches a store.

import { buildSchema, execute as graphqlExecute, parse, type ExecutionResult, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { execute, makeSchema } from "../../src/index.js";
import { constant, loadMany } from "../../steps/index.js";
import type { Step } from "../../src/index.js";
import type { Scenario } from "../scenario.js";

/** The three engines of a CPU scenario: plans, resolver emulation, graphql-js — same document, same data. */
function cpuEngines(planSchema: GraphQLSchema, resolverSchema: GraphQLSchema, source: string): Scenario["engines"] {
  const document = parse(source);
  return [
    { key: "graphscale", name: "graphscale (plans)", run: (): unknown => execute({ schema: planSchema, document }) },
    {
      key: "graphscale-resolvers",
      name: "graphscale (resolver emulation)",
      run: (): unknown => execute({ schema: resolverSchema, document }),
    },
    { key: "graphql-js", name: "graphql-js (resolvers)", run: (): ExecutionResult | Promise<ExecutionResult> => graphqlExecute({ schema: resolverSchema, document }) },
  ];
}

const cpuComparisons = [
  { engine: "graphscale", against: "graphql-js" },
  { engine: "graphscale-resolvers", against: "graphql-js" },
];

const accessPlans = (fields: readonly string[]): Record<string, ($o: Step) => Step> =>
  Object.fromEntries(fields.map((f) => [f, ($o: Step) => $o.get(f)]));

// ---- Wide list: 1,000 products × 5 fields -----------------------------------------------------------

const productTypeDefs = /* GraphQL */ `
  type Query { products: [Product!]! }
  type Product { id: ID! name: String! price: Float! stock: Int! category: String! }
`;

export function wideListScenario(size = 1000): Scenario {
  const products = Array.from({ length: size }, (_, i) => ({
    id: `p${i}`,
    name: `Product ${i}`,
    price: Math.round(i * 137) / 100,
    stock: (i * 7) % 50,
    category: `c${i % 12}`,
  }));
  const planSchema = makeSchema({
    typeDefs: productTypeDefs,
    plans: {
      Query: { products: () => constant(products) },
      Product: accessPlans(["id", "name", "price", "stock", "category"]),
    },
  });
  const resolverSchema = buildSchema(productTypeDefs);
  resolverSchema.getQueryType()!.getFields().products!.resolve = () => products;
  return {
    id: "cpu-wide-list",
    title: `Wide list: ${size.toLocaleString("en-US")} objects × 5 fields (in memory, no store)`,
    description: `\`{ products { id name price stock category } }\` over an in-memory array of ${size} objects. Plans: \`constant(products)\` and an \`access\` step per field; resolvers: graphql-js's default property resolvers.`,
    engines: cpuEngines(planSchema, resolverSchema, "{ products { id name price stock category } }"),
    comparisons: cpuComparisons,
  };
}

// ---- Nested lists: 25 regions × 25 shops × 25 items ------------------------------------------------

const nestedTypeDefs = /* GraphQL */ `
  type Query { regions: [Region!]! }
  type Region { id: ID! name: String! shops: [Shop!]! }
  type Shop { id: ID! name: String! items: [Item!]! }
  type Item { id: ID! name: String! }
`;

export function nestedListsScenario(width = 25): Scenario {
  const regions: Array<{ id: string; name: string }> = [];
  const shopsByRegion = new Map<string, Array<{ id: string; name: string }>>();
  const itemsByShop = new Map<string, Array<{ id: string; name: string }>>();
  for (let r = 0; r < width; r++) {
    const region = { id: `r${r}`, name: `Region ${r}` };
    regions.push(region);
    const shops = [];
    for (let s = 0; s < width; s++) {
      const shop = { id: `r${r}s${s}`, name: `Shop ${r}.${s}` };
      shops.push(shop);
      const items = [];
      for (let i = 0; i < width; i++) items.push({ id: `r${r}s${s}i${i}`, name: `Item ${r}.${s}.${i}` });
      itemsByShop.set(shop.id, items);
    }
    shopsByRegion.set(region.id, shops);
  }
  // Plans look children up once per layer with every distinct parent id (loadMany); resolvers once per parent.
  const shopsOfRegions = (ids: readonly string[]) => ids.map((id) => shopsByRegion.get(id) ?? []);
  const itemsOfShops = (ids: readonly string[]) => ids.map((id) => itemsByShop.get(id) ?? []);
  const planSchema = makeSchema({
    typeDefs: nestedTypeDefs,
    plans: {
      Query: { regions: () => constant(regions) },
      Region: { ...accessPlans(["id", "name"]), shops: ($region: Step) => loadMany($region.get("id"), shopsOfRegions) },
      Shop: { ...accessPlans(["id", "name"]), items: ($shop: Step) => loadMany($shop.get("id"), itemsOfShops) },
      Item: accessPlans(["id", "name"]),
    },
  });
  const resolverSchema = buildSchema(nestedTypeDefs);
  resolverSchema.getQueryType()!.getFields().regions!.resolve = () => regions;
  (resolverSchema.getType("Region") as GraphQLObjectType).getFields().shops!.resolve = (region: { id: string }) =>
    shopsByRegion.get(region.id) ?? [];
  (resolverSchema.getType("Shop") as GraphQLObjectType).getFields().items!.resolve = (shop: { id: string }) =>
    itemsByShop.get(shop.id) ?? [];
  const total = width + width * width + width * width * width;
  return {
    id: "cpu-nested-lists",
    title: `Nested lists: ${width} × ${width} × ${width} (in memory, no store)`,
    description: `\`{ regions { id name shops { id name items { id name } } } }\`: ${total.toLocaleString("en-US")} objects, 2 fields each. Plans: \`loadMany\` per level over in-memory maps (one callback per layer); resolvers: one map lookup per parent.`,
    engines: cpuEngines(planSchema, resolverSchema, "{ regions { id name shops { id name items { id name } } } }"),
    comparisons: cpuComparisons,
  };
}
