// The two operations of the plan import bench, built on the shipped bundle (dist/): the wide one (4 aliases ×
// 50 fields of one object type, 200 fields) and the nested one (4 levels of lists — shop → departments →
// products → reviews → author — selected through fragments). Plans call named functions only, so both export.
// Shared by bench/coldStart/importFirst.mjs (fresh processes) and bench/planImport.ts (one warm process).

const FIELDS = Array.from({ length: 50 }, (_, i) => `f${i}`);

/** The wide shape: `query Things` over `Thing` with 50 fields, 4 aliases. */
export function wideShape(makeSchema, steps) {
  const loadThings = (ids) => ids.map((id) => Object.fromEntries([["id", id], ...FIELDS.map((f) => [f, `${id}.${f}`])]));
  const schema = makeSchema({
    typeDefs: `type Query { thing(id: ID!): Thing } type Thing { id: ID! ${FIELDS.map((f) => `${f}: String`).join(" ")} }`,
    functions: { loadThings },
    plans: {
      Query: { thing: (_$root, args) => steps.loadOne(args.get("id"), loadThings) },
      Thing: Object.fromEntries(["id", ...FIELDS].map((f) => [f, ($thing) => $thing.get(f)])),
    },
  });
  const source = `query Things { ${[0, 1, 2, 3].map((t) => `t${t}: thing(id: "t${t}") { ${FIELDS.join(" ")} }`).join(" ")} }`;
  return { schema, source };
}

/** The nested shape: `query Shop`, 4 levels of lists under one shop, with fragments at each level. */
export function nestedShape(makeSchema, steps) {
  const loadShops = (ids) => ids.map((id) => ({ id, name: `shop ${id}` }));
  const loadDepartments = (shopIds) => shopIds.map((s) => [0, 1, 2].map((d) => ({ id: `${s}.d${d}`, name: `department ${d}` })));
  const loadProducts = (departmentIds) => departmentIds.map((d) => [0, 1, 2, 3].map((p) => ({ id: `${d}.p${p}`, name: `product ${p}`, price: 10 + p })));
  const loadReviews = (productIds) => productIds.map((p) => [0, 1].map((r) => ({ id: `${p}.r${r}`, stars: 3 + r, text: `review ${r}`, authorId: `a${r}` })));
  const loadAuthors = (ids) => ids.map((id) => ({ id, name: `author ${id}` }));
  const schema = makeSchema({
    typeDefs: `
      type Query { shop(id: ID!): Shop }
      type Shop { id: ID! name: String! departments: [Department!]! }
      type Department { id: ID! name: String! products: [Product!]! }
      type Product { id: ID! name: String! price: Int! reviews: [Review!]! }
      type Review { id: ID! stars: Int! text: String! author: Author }
      type Author { id: ID! name: String! }`,
    functions: { loadShops, loadDepartments, loadProducts, loadReviews, loadAuthors },
    plans: {
      Query: { shop: (_$root, args) => steps.loadOne(args.get("id"), loadShops) },
      Shop: { departments: ($shop) => steps.loadMany($shop.get("id"), loadDepartments) },
      Department: { products: ($department) => steps.loadMany($department.get("id"), loadProducts) },
      Product: { reviews: ($product) => steps.loadMany($product.get("id"), loadReviews) },
      Review: { author: ($review) => steps.loadOne($review.get("authorId"), loadAuthors) },
    },
  });
  const source = `
    query Shop { shop(id: "s1") { ...ShopFields departments { ...DepartmentFields products { ...ProductFields reviews { ...ReviewFields } } } } }
    fragment ShopFields on Shop { id name }
    fragment DepartmentFields on Department { id name }
    fragment ProductFields on Product { id name price }
    fragment ReviewFields on Review { id stars text author { id name } }`;
  return { schema, source };
}

export const SHAPES = { wide: wideShape, nested: nestedShape };
