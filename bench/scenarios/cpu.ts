// Pure CPU scenarios: in-memory data, no store. They measure the engines themselves — graphscale's plans
// against graphql-js, graphql-jit and Grafast — on six shapes: a small query with one async field, ~20 async
// fields, nested arrays inside the data, a flat list, nested lists looked up per level, and batched loading
// (loadMany against DataLoader). Each shape is written once per engine family over the same data.

import DataLoader from "dataloader";
import { buildSchema, parse, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { execute, makeSchema } from "../../src/index.js";
import { constant, lambda, loadMany, loadOne } from "../../steps/index.js";
import type { Step } from "../../src/index.js";
import type { Scenario, StoreCounts } from "../scenario.js";
import { loadGrafast, peerComparisons, peerEngines, type GrafastModule, type GrafastStep } from "../peers.js";

const accessPlans = (fields: readonly string[]): Record<string, ($o: Step) => Step> =>
  Object.fromEntries(fields.map((f) => [f, ($o: Step) => $o.get(f)]));

/** A graphql-js schema from `typeDefs` with the given resolvers (type → field → resolver). */
function resolverSchemaOf(typeDefs: string, resolvers: Record<string, Record<string, GraphQLFieldResolver<any, any>>>): GraphQLSchema {
  const schema = buildSchema(typeDefs);
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName) as GraphQLObjectType;
    for (const [fieldName, resolve] of Object.entries(fields)) type.getFields()[fieldName]!.resolve = resolve;
  }
  return schema;
}

/** Grafast's `objects` config from type → field → plan resolver. */
function grafastObjects(plans: Record<string, Record<string, ($parent: GrafastStep, args: any) => GrafastStep>>): Record<string, { plans: Record<string, any> }> {
  return Object.fromEntries(Object.entries(plans).map(([type, fields]) => [type, { plans: fields }]));
}

// ---- Small query: a few fields, one async field -----------------------------------------------------

const smallTypeDefs = /* GraphQL */ `
  type Query { book(id: ID!): Book }
  type Book { id: ID! title: String! year: Int! author: Author }
  type Author { id: ID! name: String! }
`;

export const smallQuerySource = '{ book(id: "b1") { id title year author { id name } } }';

/** The small query's plan and resolver schemas over the same data (the HTTP bench serves them too). */
export function smallQuerySchemas(): { planSchema: GraphQLSchema; resolverSchema: GraphQLSchema; bookById: (id: string) => unknown; authorsById: (ids: readonly string[]) => Promise<unknown[]> } {
  const books = new Map([["b1", { id: "b1", title: "The Left Hand of Darkness", year: 1969, authorId: "a1" }]]);
  const authors = new Map([["a1", { id: "a1", name: "Ursula K. Le Guin" }]]);
  const bookById = (id: string) => books.get(id) ?? null;
  // The one async field: an author service answering a batch of ids.
  const authorsById = async (ids: readonly string[]) => ids.map((id) => authors.get(id) ?? null);
  const planSchema = makeSchema({
    typeDefs: smallTypeDefs,
    plans: {
      Query: { book: (_$root: Step, args) => lambda(args.get("id"), bookById) },
      Book: { ...accessPlans(["id", "title", "year"]), author: ($book: Step) => loadOne($book.get("authorId"), authorsById) },
    },
  });
  const resolverSchema = resolverSchemaOf(smallTypeDefs, {
    Query: { book: (_root, args: { id: string }) => bookById(args.id) },
    Book: { author: async (book: { authorId: string }) => authors.get(book.authorId) ?? null },
  });
  return { planSchema, resolverSchema, bookById, authorsById };
}

export async function smallQueryScenario(): Promise<Scenario> {
  const grafast = await loadGrafast();
  const { planSchema, resolverSchema, bookById, authorsById } = smallQuerySchemas();
  const grafastSchema = grafast.makeGrafastSchema({
    typeDefs: smallTypeDefs,
    objects: grafastObjects({
      Query: { book: (_$root, { $id }) => grafast.lambda($id as GrafastStep<string>, bookById) },
      Book: { author: ($book) => grafast.loadOne(grafast.access<string>($book, "authorId"), authorsById) },
    }),
  });
  return {
    id: "cpu-small-query",
    shape: "Small query: a few fields, one async field",
    title: "Small query: a few fields, one async field (in memory, no store)",
    description:
      '`{ book(id: "b1") { id title year author { id name } } }`: one book by id (synchronous) and its author through one asynchronous call. ' +
      "Plans: `lambda` for the book, `loadOne` with an async callback for the author; resolvers: a sync `book` and an `async` `author` resolver.",
    engines: peerEngines({ source: smallQuerySource, planSchema, resolverSchema, grafastSchema }, grafast),
    comparisons: peerComparisons,
  };
}

// ---- ~20 fields, each from an async resolver ---------------------------------------------------------

const METRICS = 20;

export async function manyResolversScenario(): Promise<Scenario> {
  const grafast = await loadGrafast();
  const names = Array.from({ length: METRICS }, (_, i) => `m${i}`);
  const typeDefs = `type Query { metrics: Metrics } type Metrics { id: ID! ${names.map((n, i) => `${n}: ${i % 2 === 0 ? "Int" : "String"}`).join(" ")} }`;
  const record: Record<string, string | number> = { id: "metrics-1" };
  names.forEach((n, i) => (record[n] = i % 2 === 0 ? i * 31 : `value ${i}`));
  const records = new Map([[record.id as string, record]]);
  // One async source per field (a counter, a cache, a service...), read by the object's id: each field costs one
  // asynchronous call, with the same read on every engine — plans and Grafast batch the ids (one key here),
  // resolvers call it with their parent's id.
  const fieldReads = names.map((n) => (id: string): unknown => records.get(id)?.[n] ?? null);
  const fieldLoaders = fieldReads.map((read) => async (ids: readonly string[]): Promise<unknown[]> => ids.map(read));
  const planSchema = makeSchema({
    typeDefs,
    plans: {
      Query: { metrics: () => constant(record) },
      Metrics: Object.fromEntries(names.map((n, i) => [n, ($m: Step) => loadOne($m.get("id"), fieldLoaders[i]!)])),
    },
  });
  const resolverSchema = resolverSchemaOf(typeDefs, {
    Query: { metrics: () => record },
    Metrics: Object.fromEntries(names.map((n, i) => [n, async (m: { id: string }) => fieldReads[i]!(m.id)])),
  });
  const grafastSchema = grafast.makeGrafastSchema({
    typeDefs,
    objects: grafastObjects({
      Query: { metrics: () => grafast.constant(record) },
      Metrics: Object.fromEntries(names.map((n, i) => [n, ($m: GrafastStep) => grafast.loadOne(grafast.access<string>($m, "id"), fieldLoaders[i]!)])),
    }),
  });
  return {
    id: "cpu-many-resolvers",
    shape: `~${METRICS} fields, each from an async resolver`,
    title: `Many async fields: ${METRICS} fields, each asynchronous (in memory, no store)`,
    description: `\`{ metrics { id m0 … m${METRICS - 1} } }\`: one object whose ${METRICS} fields each come from an asynchronous call. Every engine reads each field from the same per-field source by the object's id: plans (and Grafast) with a \`loadOne\` whose async callback maps its ids through it; resolvers with an \`async\` resolver per field calling it with the parent's id.`,
    engines: peerEngines({ source: `{ metrics { id ${names.join(" ")} } }`, planSchema, resolverSchema, grafastSchema }, grafast),
    comparisons: peerComparisons,
  };
}

// ---- Nested arrays of objects inside the data -----------------------------------------------------

const teamsTypeDefs = /* GraphQL */ `
  type Query { teams: [Team!]! }
  type Team { id: ID! name: String! members: [Member!]! }
  type Member { id: ID! name: String! skills: [Skill!]! }
  type Skill { name: String! level: Int! }
`;

export async function nestedArraysScenario(teamCount = 50, membersPerTeam = 10, skillsPerMember = 4): Promise<Scenario> {
  const grafast = await loadGrafast();
  const teams = Array.from({ length: teamCount }, (_, t) => ({
    id: `t${t}`,
    name: `Team ${t}`,
    members: Array.from({ length: membersPerTeam }, (_, m) => ({
      id: `t${t}m${m}`,
      name: `Member ${t}.${m}`,
      skills: Array.from({ length: skillsPerMember }, (_, s) => ({ name: `skill ${(t + m + s) % 17}`, level: (t * m + s) % 5 })),
    })),
  }));
  // Below the root, every engine reads properties: graphscale's and Grafast's default plans, graphql-js's default resolver.
  const planSchema = makeSchema({ typeDefs: teamsTypeDefs, plans: { Query: { teams: () => constant(teams) } } });
  const resolverSchema = resolverSchemaOf(teamsTypeDefs, { Query: { teams: () => teams } });
  const grafastSchema = grafast.makeGrafastSchema({ typeDefs: teamsTypeDefs, objects: grafastObjects({ Query: { teams: () => grafast.constant(teams) } }) });
  const objects = teamCount * (1 + membersPerTeam * (1 + skillsPerMember));
  return {
    id: "cpu-nested-arrays",
    shape: `Nested arrays of objects, ${teamCount} × ${membersPerTeam} × ${skillsPerMember}`,
    title: `Nested arrays: ${teamCount} teams × ${membersPerTeam} members × ${skillsPerMember} skills (in memory, no store)`,
    description: `\`{ teams { id name members { id name skills { name level } } } }\` over one in-memory tree (${objects.toLocaleString("en-US")} objects, the arrays inside their parents). Only the root field has a plan or resolver; everything below is each engine's default property access.`,
    engines: peerEngines({ source: "{ teams { id name members { id name skills { name level } } } }", planSchema, resolverSchema, grafastSchema }, grafast),
    comparisons: peerComparisons,
  };
}

// ---- Flat list: 1,000 products × 5 fields -----------------------------------------------------------

const productTypeDefs = /* GraphQL */ `
  type Query { products: [Product!]! }
  type Product { id: ID! name: String! price: Float! stock: Int! category: String! }
`;

export interface Product {
  id: string;
  name: string;
  price: number;
  stock: number;
  category: string;
}

export function makeProducts(size: number): Product[] {
  return Array.from({ length: size }, (_, i) => ({
    id: `p${i}`,
    name: `Product ${i}`,
    price: Math.round(i * 137) / 100,
    stock: (i * 7) % 50,
    category: `c${i % 12}`,
  }));
}

export const productsQuery = "{ products { id name price stock category } }";

/** The flat list's three schemas over `products` (the memory scenario uses them with 100,000). */
export function productSchemas(products: readonly Product[], grafast: GrafastModule) {
  const planSchema = makeSchema({
    typeDefs: productTypeDefs,
    plans: {
      Query: { products: () => constant(products) },
      Product: accessPlans(["id", "name", "price", "stock", "category"]),
    },
  });
  const resolverSchema = resolverSchemaOf(productTypeDefs, { Query: { products: () => products } });
  const grafastSchema = grafast.makeGrafastSchema({ typeDefs: productTypeDefs, objects: grafastObjects({ Query: { products: () => grafast.constant(products) } }) });
  return { planSchema, resolverSchema, grafastSchema };
}

export async function wideListScenario(size = 1000): Promise<Scenario> {
  const grafast = await loadGrafast();
  const schemas = productSchemas(makeProducts(size), grafast);
  const engines = peerEngines({ source: productsQuery, ...schemas }, grafast);
  // graphscale running the plain resolver schema (no plans at all), for reference.
  const document = parse(productsQuery);
  engines.splice(1, 0, { key: "graphscale-resolvers", name: "graphscale (resolver emulation)", run: (): unknown => execute({ schema: schemas.resolverSchema, document }) });
  return {
    id: "cpu-wide-list",
    shape: `Flat list, ${size.toLocaleString("en-US")} objects × 5 fields`,
    title: `Flat list: ${size.toLocaleString("en-US")} objects × 5 fields (in memory, no store)`,
    description: `\`${productsQuery}\` over an in-memory array of ${size} objects. Plans: \`constant(products)\` and an \`access\` step per field; resolvers: graphql-js's default property resolvers; Grafast: \`constant\` and its default plans.`,
    engines,
    comparisons: [...peerComparisons, { engine: "graphscale-resolvers", against: "graphql-js" }],
  };
}

// ---- Nested lists: 25 regions × 25 shops × 25 items, looked up per level --------------------------

const nestedTypeDefs = /* GraphQL */ `
  type Query { regions: [Region!]! }
  type Region { id: ID! name: String! shops: [Shop!]! }
  type Shop { id: ID! name: String! items: [Item!]! }
  type Item { id: ID! name: String! }
`;

export async function nestedListsScenario(width = 25): Promise<Scenario> {
  const grafast = await loadGrafast();
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
  const resolverSchema = resolverSchemaOf(nestedTypeDefs, {
    Query: { regions: () => regions },
    Region: { shops: (region: { id: string }) => shopsByRegion.get(region.id) ?? [] },
    Shop: { items: (shop: { id: string }) => itemsByShop.get(shop.id) ?? [] },
  });
  const grafastSchema = grafast.makeGrafastSchema({
    typeDefs: nestedTypeDefs,
    objects: grafastObjects({
      Query: { regions: () => grafast.constant(regions) },
      Region: { shops: ($region) => grafast.loadMany(grafast.access<string>($region, "id"), shopsOfRegions) },
      Shop: { items: ($shop) => grafast.loadMany(grafast.access<string>($shop, "id"), itemsOfShops) },
    }),
  });
  const source = "{ regions { id name shops { id name items { id name } } } }";
  const engines = peerEngines({ source, planSchema, resolverSchema, grafastSchema }, grafast);
  const document = parse(source);
  engines.splice(1, 0, { key: "graphscale-resolvers", name: "graphscale (resolver emulation)", run: (): unknown => execute({ schema: resolverSchema, document }) });
  const total = width + width * width + width * width * width;
  return {
    id: "cpu-nested-lists",
    shape: `Nested lists ${width} × ${width} × ${width}, 2 fields each`,
    title: `Nested lists: ${width} × ${width} × ${width} (in memory, no store)`,
    description: `\`${source}\`: ${total.toLocaleString("en-US")} objects, 2 fields each. Plans and Grafast: \`loadMany\` per level over in-memory maps (one callback per layer); resolvers: one map lookup per parent.`,
    engines,
    comparisons: [...peerComparisons, { engine: "graphscale-resolvers", against: "graphql-js" }],
  };
}

// ---- Nested lists 250 × 250: two levels, the size breadth-first executors are measured at -------------

export const twoLevelListsSource = "{ regions { id name shops { id name } } }";

/** `width` regions × `width` shops each (2 fields per object), as plan, resolver and Grafast schemas over one data set. */
export function twoLevelListSchemas(width: number, grafast: GrafastModule): { planSchema: GraphQLSchema; resolverSchema: GraphQLSchema; grafastSchema: GraphQLSchema } {
  const regions = Array.from({ length: width }, (_, r) => ({ id: `r${r}`, name: `Region ${r}` }));
  const shopsByRegion = new Map(regions.map((region, r) => [region.id, Array.from({ length: width }, (_, s) => ({ id: `r${r}s${s}`, name: `Shop ${r}.${s}` }))]));
  // As in the 25 × 25 × 25 shape: plans and Grafast look the shops up once per layer (loadMany), resolvers once per region.
  const shopsOfRegions = (ids: readonly string[]) => ids.map((id) => shopsByRegion.get(id) ?? []);
  const planSchema = makeSchema({
    typeDefs: nestedTypeDefs,
    plans: {
      Query: { regions: () => constant(regions) },
      Region: { ...accessPlans(["id", "name"]), shops: ($region: Step) => loadMany($region.get("id"), shopsOfRegions) },
      Shop: accessPlans(["id", "name"]),
    },
  });
  const resolverSchema = resolverSchemaOf(nestedTypeDefs, {
    Query: { regions: () => regions },
    Region: { shops: (region: { id: string }) => shopsByRegion.get(region.id) ?? [] },
  });
  const grafastSchema = grafast.makeGrafastSchema({
    typeDefs: nestedTypeDefs,
    objects: grafastObjects({
      Query: { regions: () => grafast.constant(regions) },
      Region: { shops: ($region) => grafast.loadMany(grafast.access<string>($region, "id"), shopsOfRegions) },
    }),
  });
  return { planSchema, resolverSchema, grafastSchema };
}

export async function twoLevelListsScenario(width = 250): Promise<Scenario> {
  const grafast = await loadGrafast();
  const engines = peerEngines({ source: twoLevelListsSource, ...twoLevelListSchemas(width, grafast) }, grafast);
  return {
    id: "cpu-nested-lists-250",
    shape: `Nested lists ${width} × ${width}, 2 fields each`,
    title: `Nested lists: ${width} × ${width} (in memory, no store)`,
    description: `\`${twoLevelListsSource}\`: ${(width + width * width).toLocaleString("en-US")} objects, 2 fields each. Plans and Grafast: \`loadMany\` for the shops of every region at once over an in-memory map; resolvers: one map lookup per region. The memory table "Memory: nested lists ${width} × ${width}" measures the same shape's heap.`,
    engines,
    comparisons: peerComparisons,
  };
}

// ---- Batched loading: 20 authors → 10 books each, one async batch call -----------------------------

const libraryTypeDefs = /* GraphQL */ `
  type Query { authors: [Author!]! }
  type Author { id: ID! name: String! books: [Book!]! }
  type Book { id: ID! title: String! pages: Int! }
`;

interface Book {
  id: string;
  title: string;
  pages: number;
}

export async function batchedLoadingScenario(authorCount = 20, booksPerAuthor = 10): Promise<Scenario> {
  const grafast = await loadGrafast();
  const authors = Array.from({ length: authorCount }, (_, a) => ({ id: `a${a}`, name: `Author ${a}` }));
  const booksByAuthor = new Map<string, Book[]>(
    authors.map((a, ai) => [a.id, Array.from({ length: booksPerAuthor }, (_, b) => ({ id: `${a.id}b${b}`, title: `Book ${ai}.${b}`, pages: 100 + ((ai * 37 + b * 11) % 400) }))]),
  );
  // The batch service every engine calls: one asynchronous call per request with every author id.
  let calls = 0;
  let rows = 0;
  const booksOfAuthors = async (ids: readonly string[]): Promise<Book[][]> => {
    calls++;
    const out = ids.map((id) => booksByAuthor.get(id) ?? []);
    for (const books of out) rows += books.length;
    return out;
  };
  const planSchema = makeSchema({
    typeDefs: libraryTypeDefs,
    plans: {
      Query: { authors: () => constant(authors) },
      Author: { ...accessPlans(["id", "name"]), books: ($author: Step) => loadMany($author.get("id"), booksOfAuthors) },
      Book: accessPlans(["id", "title", "pages"]),
    },
  });
  interface LibraryContext {
    books: DataLoader<string, Book[]>;
  }
  const resolverSchema = resolverSchemaOf(libraryTypeDefs, {
    Query: { authors: () => authors },
    Author: { books: (author: { id: string }, _args, context: LibraryContext) => context.books.load(author.id) },
  });
  const grafastSchema = grafast.makeGrafastSchema({
    typeDefs: libraryTypeDefs,
    objects: grafastObjects({
      Query: { authors: () => grafast.constant(authors) },
      Author: { books: ($author) => grafast.loadMany(grafast.access<string>($author, "id"), booksOfAuthors) },
    }),
  });
  const takeCounts = (): StoreCounts => {
    const counts = { storeCalls: calls, roundTrips: calls, rowsFetched: rows };
    calls = 0;
    rows = 0;
    return counts;
  };
  return {
    id: "cpu-batched-loading",
    shape: `${authorCount} authors → ${booksPerAuthor} books each, one async batch call`,
    title: `Batched loading: ${authorCount} authors → ${booksPerAuthor} books each, one async batch call (in memory, no store)`,
    description:
      `\`{ authors { id name books { id title pages } } }\`: the books of all ${authorCount} authors come from one asynchronous batch call per request. ` +
      "Plans and Grafast: `loadMany` over the batch function; graphql-js and graphql-jit: a per-request DataLoader over the same function. Store calls count calls of the batch function.",
    engines: peerEngines(
      {
        source: "{ authors { id name books { id title pages } } }",
        planSchema,
        resolverSchema,
        grafastSchema,
        resolverContext: (): LibraryContext => ({ books: new DataLoader(booksOfAuthors) }),
      },
      grafast,
    ),
    takeCounts,
    comparisons: peerComparisons,
  };
}
