// graphql-jit's own three benchmark schemas (fewResolvers, manyResolvers, nestedArrays), written here with the
// shape, data and query graphql-jit publishes for them: plain graphql-js schemas with resolvers, unchanged.
// graphscale runs them through resolver emulation (no plans) against graphql-js and graphql-jit. The query
// selects two fields the schemas do not define (`hidden`, `notdefined`, and `articles` on manyResolvers'
// Author): executors skip them, as graphql-jit's benchmark does without validating.

import {
  execute as graphqlExecute,
  GraphQLBoolean,
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  type GraphQLFieldConfig,
} from "graphql";
import { compileQuery, isCompiledQuery } from "graphql-jit";
import { execute } from "../../src/index.js";
import type { Engine, Scenario } from "../scenario.js";
import { PEER_VERSIONS } from "../peers.js";

export type JitSchemaKind = "fewResolvers" | "manyResolvers" | "nestedArrays";

/** The variables graphql-jit's benchmark passes. */
export const jitVariables = { id: "2", width: 300, height: 500 };

const FIELDS = `
  __typename
  id,
  isPublished,
  title,
  body,
  hidden,
  notdefined
`;

const LIST_QUERY = `
query ($id: ID! = "1", $width: Int = 640, $height: Int = 480) {
  feed { __typename id, title },
  article(id: $id) {
    ...articleFields,
    author {
      __typename
      id,
      name,
      pic(width: $width, height: $height) { __typename url, width, height },
      articles {
        ...articleFields,
        keywords,
        badges { color, text },
        adverts { text, image { url, width, height } }
      }
    }
  }
}
fragment articleFields on Article {${FIELDS}}
`;

/** graphql-jit's query per schema (fewResolvers asks for `recentArticle`, the others for `articles`). */
export const jitQueries: Record<JitSchemaKind, string> = {
  fewResolvers: `
query ($id: ID! = "1", $width: Int = 640, $height: Int = 480) {
  feed { __typename id, title },
  article(id: $id) {
    ...articleFields,
    author {
      __typename
      id,
      name,
      pic(width: $width, height: $height) { __typename url, width, height },
      recentArticle { ...articleFields, keywords }
    }
  }
}
fragment articleFields on Article {${FIELDS}}
`,
  manyResolvers: LIST_QUERY,
  nestedArrays: LIST_QUERY,
};

type Resolved = GraphQLFieldConfig<any, any>;

/** A field whose resolver returns the property through `Promise.resolve` (manyResolvers, nestedArrays), or the default resolver. */
function field(type: Resolved["type"], asyncProperty: string | null): Resolved {
  if (asyncProperty === null) return { type };
  return { type, resolve: (source: any) => Promise.resolve(source && source[asyncProperty]) };
}

/** One of graphql-jit's benchmark schemas, with its data. */
export function jitSchema(kind: JitSchemaKind, listSize = 25): GraphQLSchema {
  const asyncFields = kind !== "fewResolvers";
  const a = (name: string): string | null => (asyncFields ? name : null);
  const pic = (uid: number, width: number, height: number) => ({ url: `cdn://${uid}`, width: `${width}`, height: `${height}` });
  const Image = new GraphQLObjectType({
    name: "Image",
    fields: { url: field(GraphQLString, a("url")), width: field(GraphQLInt, a("width")), height: field(GraphQLInt, a("height")) },
  });
  const Badge = new GraphQLObjectType({ name: "ArticleBadge", fields: { color: field(GraphQLString, "color"), text: field(GraphQLString, "text") } });
  const Advert = new GraphQLObjectType({ name: "ArticleAdvert", fields: { text: field(GraphQLString, "text"), image: field(Image, "image") } });
  const articles: unknown[] = [];
  const Author: GraphQLObjectType = new GraphQLObjectType({
    name: "Author",
    fields: () => ({
      id: field(GraphQLString, a("id")),
      name: field(GraphQLString, a("name")),
      pic: {
        type: Image,
        args: { width: { type: GraphQLInt }, height: { type: GraphQLInt } },
        resolve: (author: any, args: { width: number; height: number }) => author.pic(args.width, args.height),
      },
      ...(kind === "nestedArrays" ? { articles: { type: new GraphQLList(Article), resolve: () => Promise.resolve(articles) } } : { recentArticle: field(Article, a("recentArticle")) }),
    }),
  });
  const Article: GraphQLObjectType = new GraphQLObjectType({
    name: "Article",
    fields: {
      id: field(new GraphQLNonNull(GraphQLID), a("id")),
      isPublished: field(GraphQLBoolean, a("isPublished")),
      author: { type: Author },
      title: field(GraphQLString, a("title")),
      body: field(GraphQLString, a("body")),
      keywords: field(new GraphQLList(GraphQLString), a("keywords")),
      ...(kind === "nestedArrays" ? { badges: { type: new GraphQLList(Badge) }, adverts: { type: new GraphQLList(Advert) } } : {}),
    },
  });
  const badges = Array.from({ length: listSize }, (_, i) => ({ color: `color${i}`, text: `text${i}` }));
  const adverts = Array.from({ length: listSize }, (_, i) => ({ text: `text${i}`, image: pic(i, 100, 200) }));
  const author: Record<string, unknown> = { id: 123, name: "John Smith", pic: (width: number, height: number) => pic(123, width, height), recentArticle: null };
  const article = (id: unknown): Record<string, unknown> => ({
    id,
    isPublished: true,
    author,
    title: `My Article ${id}`,
    body: "This is a post",
    hidden: "This data is not exposed in the schema",
    keywords: ["foo", "bar", 1, true, null],
    ...(kind === "nestedArrays" ? { badges, adverts } : {}),
  });
  author.recentArticle = article(1);
  for (let i = 0; i < listSize; i++) articles.push(article(i));
  const Query = new GraphQLObjectType({
    name: "Query",
    fields: {
      article: { type: Article, args: { id: { type: GraphQLID } }, resolve: (_root: unknown, args: { id: string }) => article(args.id) },
      feed: { type: new GraphQLList(Article), resolve: () => Promise.resolve(Array.from({ length: 10 }, (_, i) => article(i + 1))) },
    },
  });
  return new GraphQLSchema({ query: Query });
}

const DESCRIPTIONS: Record<JitSchemaKind, string> = {
  fewResolvers: "resolvers on the root fields and `pic` only, every other field graphql-js's default resolver",
  manyResolvers: "a resolver returning `Promise.resolve(property)` on almost every field",
  nestedArrays: "manyResolvers with the author's 25 articles, each with 25 badges and 25 adverts (default resolvers for the lists, async resolvers below)",
};

/** graphql-jit's benchmark schema `kind`: graphscale (resolver emulation), graphql-js and graphql-jit on the same schema object. */
export async function jitSchemaScenario(kind: JitSchemaKind): Promise<Scenario> {
  const schema = jitSchema(kind);
  const document = parse(jitQueries[kind]);
  const compiled = compileQuery(schema, document);
  if (!isCompiledQuery(compiled)) throw new Error(`graphql-jit could not compile ${kind}: ${JSON.stringify(compiled.errors)}`);
  const variableValues = jitVariables;
  const engines: Engine[] = [
    { key: "graphscale-resolvers", name: "graphscale (resolver emulation)", run: (): unknown => execute({ schema, document, variableValues }) },
    { key: "graphql-js", name: "graphql-js (resolvers)", run: (): unknown => graphqlExecute({ schema, document, variableValues }) },
    { key: "graphql-jit", name: `graphql-jit ${PEER_VERSIONS["graphql-jit"]}`, run: (): unknown => compiled.query(undefined, {}, variableValues) },
  ];
  return {
    id: `jit-${kind}`,
    title: `graphql-jit's ${kind} schema, resolvers unchanged (in memory, no store)`,
    description: `graphql-jit's own benchmark schema and query "${kind}": ${DESCRIPTIONS[kind]}. The same graphql-js schema object runs on every engine; graphscale has no plans for it.`,
    engines,
    comparisons: [
      { engine: "graphscale-resolvers", against: "graphql-js" },
      { engine: "graphscale-resolvers", against: "graphql-jit" },
    ],
  };
}
