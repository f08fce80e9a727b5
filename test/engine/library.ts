// The "library" test schema, twice: once with plan resolvers (makeSchema) and once as a plain graphql-js
// schema with resolvers. The two must answer every query identically.

import { buildSchema, type GraphQLSchema } from "graphql";
import { makeSchema, Step, fail, type ExecutionDetails } from "../../src/index.js";
import { access, constant, each, lambda, list, loadMany, loadOne } from "../../steps/index.js";

export const typeDefs = /* GraphQL */ `
  type Query {
    author(id: ID!): Author
    authors(ids: [ID!]!): [Author]!
    books(first: Int = 3): [Book!]!
    book(id: ID!): Book
    shelf: [[Book]]
    greeting(name: String = "world", loud: Boolean = false): String!
    failing: String
    failingNonNull: String!
    search(filter: BookFilter): [Book!]!
    numbers: [Int]
    matrix: [[Int!]]!
  }
  input BookFilter { titleContains: String, minYear: Int = 0, tags: [String!] }
  type Author { id: ID!, name: String!, born: Int, books: [Book!]!, bestBook: Book, nickname: String!, tags: [String!]! }
  type Book { id: ID!, title: String!, year: Int, author: Author!, reviews(first: Int = 2): [Review]!, secret: String, price: Float }
  type Review { stars: Int!, text: String, reviewer: Author }
`;

interface Author { id: string; name: string; born: number | null; nickname: string | null; tags: string[]; bestBookId: string | null }
interface Book { id: string; title: string; year: number | null; authorId: string; price: number | null }
interface Review { stars: number; text: string | null; reviewerId: string | null }

export const authors: Record<string, Author> = {
  a1: { id: "a1", name: "Ann", born: 1970, nickname: "annie", tags: ["x", "y"], bestBookId: "b1" },
  a2: { id: "a2", name: "Bob", born: null, nickname: "bobby", tags: [], bestBookId: null },
  a3: { id: "a3", name: "Cy", born: 1990, nickname: null, tags: ["z"], bestBookId: "b5" },
};
export const books: Record<string, Book> = {
  b1: { id: "b1", title: "Sea", year: 1999, authorId: "a1", price: 9.5 },
  b2: { id: "b2", title: "Tree", year: 2001, authorId: "a1", price: 12 },
  b3: { id: "b3", title: "Echo", year: 1985, authorId: "a2", price: null },
  b4: { id: "b4", title: "Ash", year: 2010, authorId: "a2", price: 3.25 },
  b5: { id: "b5", title: "Lake", year: 2020, authorId: "a3", price: 20 },
  b6: { id: "b6", title: "Void", year: null, authorId: "a3", price: 1 },
};
const reviews: Record<string, Array<Review | null>> = {
  b1: [{ stars: 5, text: "great", reviewerId: "a2" }, { stars: 3, text: null, reviewerId: "a3" }],
  b2: [null, { stars: 4, text: "ok", reviewerId: "a1" }, null],
  b3: [],
  b4: [{ stars: 1, text: "bad", reviewerId: null }],
  b5: [{ stars: 2, text: "meh", reviewerId: "a3" }],
  b6: [],
};
const allBooks = Object.values(books);
const shelfIds: Array<Array<string | null> | null> = [["b1", null, "b2"], null, [], ["b6"]];

function secretOf(id: string): string | Error {
  return id === "b2" || id === "b5" ? new Error(`The secret of ${id} is classified.`) : `secret-${id}`;
}

function search(filter: { titleContains?: string | null; minYear?: number; tags?: string[] | null } | null | undefined): Book[] {
  return allBooks.filter((b) => {
    if (!filter) return true;
    if (filter.titleContains != null && !b.title.toLowerCase().includes(filter.titleContains.toLowerCase())) return false;
    if ((b.year ?? 0) < (filter.minYear ?? 0)) return false;
    if (filter.tags != null && !authors[b.authorId]!.tags.some((t) => filter.tags!.includes(t))) return false;
    return true;
  });
}

function greet(name: string, loud: boolean): string {
  return loud ? `HELLO, ${name.toUpperCase()}!` : `Hello, ${name}`;
}

/** Counts of every batch callback the plan schema makes, reset by the tests. */
export const planCalls = { authors: 0, books: 0, booksByAuthor: 0, reviews: 0, secrets: 0 };

const loadAuthors = (ids: readonly string[]) => (planCalls.authors++, ids.map((id) => authors[id] ?? null));
const loadBooks = (ids: readonly string[]) => (planCalls.books++, ids.map((id) => books[id] ?? null));
const booksByAuthor = (ids: readonly string[]) => (planCalls.booksByAuthor++, ids.map((id) => allBooks.filter((b) => b.authorId === id)));
const reviewsByBook = (ids: readonly string[], first: number) => (planCalls.reviews++, ids.map((id) => (reviews[id] ?? []).slice(0, first)));

/** A user step: one call per layer, with a per-entry failure returned as fail(error). */
class SecretStep extends Step<string> {
  constructor($id: Step) {
    super();
    this.addDependency($id);
  }
  execute({ count, values: [ids] }: ExecutionDetails<[readonly string[]]>) {
    planCalls.secrets++;
    const out = new Array(count);
    for (let i = 0; i < count; i++) {
      const s = secretOf(ids[i]!);
      out[i] = s instanceof Error ? fail(s) : s;
    }
    return out;
  }
}

class AlwaysFailsStep extends Step<string> {
  execute(): never {
    throw new Error("This field always fails.");
  }
}

export function planSchema(): GraphQLSchema {
  return makeSchema({
    typeDefs,
    plans: {
      Query: {
        author: (_$root, args) => loadOne(args.get("id"), loadAuthors),
        authors: (_$root, args) => each(args.get("ids"), ($id) => loadOne($id, loadAuthors)),
        books: (_$root, args) => lambda(args.get("first"), (n: number) => allBooks.slice(0, n)),
        book: (_$root, args) => loadOne(args.get("id"), loadBooks),
        shelf: () => each(constant(shelfIds), ($row) => each($row, ($id) => loadOne($id, loadBooks))),
        greeting: (_$root, args) => lambda(list([args.get("name"), args.get("loud")]), ([n, loud]: [string, boolean]) => greet(n, loud)),
        failing: () => new AlwaysFailsStep(),
        failingNonNull: () => new AlwaysFailsStep(),
        search: (_$root, args) => lambda(args.get("filter"), search),
        numbers: () => constant([1, null, 3]),
        matrix: () => constant([[1, 2], [3]]),
      },
      Author: {
        books: ($a) => loadMany($a.get("id"), booksByAuthor),
        bestBook: ($a) => loadOne($a.get("bestBookId"), loadBooks),
        tags: ($a) => access($a, "tags"),
      },
      Book: {
        author: ($b) => loadOne($b.get("authorId"), loadAuthors),
        reviews: ($b, args) => loadMany($b.get("id"), reviewsByBook, args.get("first")),
        secret: ($b) => new SecretStep($b.get("id")),
      },
      Review: {
        reviewer: ($r) => loadOne($r.get("reviewerId"), loadAuthors),
      },
    },
  });
}

/** Counts of resolver calls in the plain graphql-js schema. */
export const resolverCalls = { author: 0 };

export function resolverSchema(): GraphQLSchema {
  const schema = buildSchema(typeDefs);
  const resolvers: Record<string, Record<string, (source: any, args: any) => unknown>> = {
    Query: {
      author: (_s, { id }) => (resolverCalls.author++, authors[id] ?? null),
      authors: (_s, { ids }) => ids.map((id: string) => authors[id] ?? null),
      books: (_s, { first }) => allBooks.slice(0, first),
      book: (_s, { id }) => books[id] ?? null,
      shelf: () => shelfIds.map((row) => (row === null ? null : row.map((id) => (id === null ? null : books[id]!)))),
      greeting: (_s, { name, loud }) => greet(name, loud),
      failing: () => {
        throw new Error("This field always fails.");
      },
      failingNonNull: () => {
        throw new Error("This field always fails.");
      },
      search: (_s, { filter }) => search(filter),
      numbers: () => [1, null, 3],
      matrix: () => [[1, 2], [3]],
    },
    Author: {
      books: (a: Author) => allBooks.filter((b) => b.authorId === a.id),
      bestBook: (a: Author) => (a.bestBookId ? books[a.bestBookId]! : null),
    },
    Book: {
      author: (b: Book) => authors[b.authorId]!,
      reviews: (b: Book, { first }) => (reviews[b.id] ?? []).slice(0, first),
      secret: (b: Book) => {
        const s = secretOf(b.id);
        if (s instanceof Error) throw s;
        return s;
      },
    },
    Review: {
      reviewer: (r: Review) => (r.reviewerId ? authors[r.reviewerId]! : null),
    },
  };
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName) as unknown as { getFields(): Record<string, { resolve?: unknown }> };
    for (const [fieldName, resolve] of Object.entries(fields)) type.getFields()[fieldName]!.resolve = resolve;
  }
  return schema;
}

export const queries: Array<{ name: string; query: string; variables?: Record<string, unknown> }> = [
  { name: "argument default", query: `{ greeting }` },
  { name: "literal argument", query: `{ greeting(name: "Ann") }` },
  { name: "variable argument", query: `query($n: String) { greeting(name: $n) }`, variables: { n: "Bo" } },
  { name: "variable default", query: `query($n: String = "Cy") { greeting(name: $n) }` },
  { name: "boolean variable", query: `query($loud: Boolean!) { greeting(loud: $loud) }`, variables: { loud: true } },
  { name: "object by id", query: `{ author(id: "a1") { id name born } }` },
  { name: "unknown id is null", query: `{ author(id: "zz") { id name } }` },
  { name: "aliases", query: `{ a: author(id: "a1") { name } b: author(id: "a2") { n: name } }` },
  { name: "list of objects", query: `{ author(id: "a1") { books { title year } } }` },
  { name: "non-null leaf null propagates to object", query: `{ author(id: "a3") { name nickname } }` },
  { name: "list with a missing item", query: `{ authors(ids: ["a1", "a3", "zz"]) { name } }` },
  { name: "non-null error nulls the list item", query: `{ authors(ids: ["a1", "a3"]) { name nickname } }` },
  { name: "nested object in list", query: `{ books { title author { name } } }` },
  { name: "list argument literal", query: `{ books(first: 6) { title year } }` },
  { name: "list argument variable", query: `query($f: Int) { books(first: $f) { id } }`, variables: { f: 2 } },
  { name: "errors inside a list", query: `{ books(first: 6) { title secret } }` },
  { name: "deep lists", query: `{ book(id: "b1") { title reviews { stars text reviewer { name } } } }` },
  { name: "nulls inside a list", query: `{ book(id: "b2") { reviews(first: 5) { stars } } }` },
  { name: "nested lists with nulls", query: `{ shelf { title } }` },
  { name: "leaf list with null", query: `{ numbers }` },
  { name: "nested leaf lists", query: `{ matrix }` },
  { name: "error at a nullable root field", query: `{ failing }` },
  { name: "error at a non-null root field nulls data", query: `{ failingNonNull greeting }` },
  { name: "named fragment", query: `{ author(id: "a1") { ...AuthorParts } } fragment AuthorParts on Author { id name }` },
  { name: "inline fragments", query: `{ author(id: "a1") { ... on Author { name } ... { born } } }` },
  { name: "skip with variable true", query: `query($skip: Boolean!) { author(id: "a1") { name born @skip(if: $skip) } }`, variables: { skip: true } },
  { name: "skip with variable false", query: `query($skip: Boolean!) { author(id: "a1") { name born @skip(if: $skip) } }`, variables: { skip: false } },
  {
    name: "include with variable",
    query: `query($inc: Boolean!) { author(id: "a1") { name @include(if: $inc) books @include(if: $inc) { title } } }`,
    variables: { inc: false },
  },
  { name: "literal skip and include", query: `{ author(id: "a1") { name @skip(if: true) born @include(if: true) } }` },
  { name: "__typename", query: `{ author(id: "a1") { __typename name books { __typename title } } }` },
  { name: "input object literal", query: `{ search(filter: { titleContains: "e" }) { title } }` },
  { name: "input object default field", query: `{ search(filter: { minYear: 2000, tags: ["x"] }) { title } }` },
  {
    name: "input object variable",
    query: `query($f: BookFilter) { search(filter: $f) { title year } }`,
    variables: { f: { titleContains: "a", minYear: 1990 } },
  },
  { name: "omitted input object", query: `{ search { title } }` },
  { name: "recursive objects", query: `{ author(id: "a1") { bestBook { title author { name bestBook { title } } } } }` },
  { name: "null object field", query: `{ author(id: "a2") { bestBook { title } } }` },
  { name: "deep nesting across lists", query: `{ book(id: "b1") { author { books { reviews { reviewer { name } } } } } }` },
  { name: "non-null leaf list", query: `{ author(id: "a1") { tags } }` },
  { name: "floats and nulls", query: `{ books(first: 6) { price } }` },
  { name: "error beside data", query: `{ book(id: "b2") { title secret author { name } } }` },
  { name: "same field under two aliases", query: `{ a1: author(id: "a1") { name } a1b: author(id: "a1") { born } }` },
  { name: "merged fields", query: `{ author(id: "a1") { name } author(id: "a1") { born } }` },
  {
    name: "error propagation inside nested lists",
    query: `{ authors(ids: ["a1", "a2"]) { books { reviews(first: 3) { stars reviewer { nickname } } } } }`,
  },
  { name: "non-null object with error nulls its parent", query: `{ book(id: "b6") { year author { nickname } } }` },
  { name: "list variable", query: `query($ids: [ID!]!) { authors(ids: $ids) { name born } }`, variables: { ids: ["a2", "a1"] } },
  { name: "mixed fragments and aliases", query: `query Q { x: book(id: "b4") { ...B reviews(first: 1) { r: stars } } } fragment B on Book { t: title y: year }` },
];
