// One fresh process, one engine: the time of the first execution of an operation (the schema already made,
// as a server makes it at startup). Printed as JSON for bench/coldStart/run.ts. Run from the bundle.
const engine = process.argv[2];
const { parse, execute: jsExecute, buildSchema } = await import("graphql");
const books = new Map([["b1", { id: "b1", title: "The Dispossessed", year: 1974, authorId: "a1" }]]);
const authors = new Map([["a1", { id: "a1", name: "Ursula K. Le Guin" }]]);
const typeDefs = `type Query { book(id: ID!): Book } type Book { id: ID! title: String! year: Int! author: Author } type Author { id: ID! name: String! }`;
const document = parse('{ book(id: "b1") { id title year author { id name } } }');
let run;
if (engine === "graphscale") {
  const { makeSchema, execute } = await import("../../dist/index.js");
  const { lambda, loadOne } = await import("../../dist/steps.js");
  const schema = makeSchema({
    typeDefs,
    plans: {
      Query: { book: (_r, args) => lambda(args.get("id"), (id) => books.get(id) ?? null) },
      Book: { author: ($book) => loadOne($book.get("authorId"), async (ids) => ids.map((id) => authors.get(id) ?? null)) },
    },
  });
  run = () => execute({ schema, document });
} else {
  const schema = buildSchema(typeDefs);
  schema.getQueryType().getFields().book.resolve = (_root, args) => books.get(args.id) ?? null;
  schema.getType("Book").getFields().author.resolve = async (book) => authors.get(book.authorId) ?? null;
  run = () => jsExecute({ schema, document });
}
const start = performance.now();
const result = await run();
const firstMs = performance.now() - start;
if (result.errors) throw new Error(JSON.stringify(result.errors));
console.log(JSON.stringify({ engine, firstMs }));
