// The shop schema of the custom-step example: products with optional SKUs, related products (a second
// layer), and a `price(currency:)` field planned with the custom PriceStep. In-memory data, never mutated.

import { makeSchema } from "../../src/index.js";
import { constant, each, loadMany, loadOne } from "../../steps/index.js";
import type { Step } from "../../src/index.js";
import { price } from "./priceStep.js";

interface Product {
  id: string;
  name: string;
  /** Null for products the pricing service does not sell (gift wrap, samples). */
  sku: string | null;
  relatedIds: string[];
}

const products: readonly Product[] = [
  { id: "p1", name: "A Book", sku: "BOOK-1", relatedIds: ["p2", "p3"] },
  { id: "p2", name: "Another Book", sku: "BOOK-2", relatedIds: ["p1", "p5"] },
  { id: "p3", name: "Mug", sku: "MUG-1", relatedIds: ["p4", "p5"] },
  { id: "p4", name: "Pen", sku: "PEN-1", relatedIds: [] },
  { id: "p5", name: "Gift wrap", sku: null, relatedIds: ["p1"] },
  { id: "p6", name: "Free sample", sku: null, relatedIds: [] },
];

const typeDefs = /* GraphQL */ `
  type Query {
    products: [Product!]!
  }
  type Product {
    id: ID!
    name: String!
    sku: String
    price(currency: String! = "EUR"): Money
    related: [Product!]!
  }
  type Money {
    amount: Float!
    currency: String!
  }
`;

function getProducts(ids: readonly string[]): Array<Product | null> {
  return ids.map((id) => products.find((p) => p.id === id) ?? null);
}

function getRelatedIds(ids: readonly string[]): string[][] {
  return getProducts(ids).map((p) => p?.relatedIds ?? []);
}

export const shopSchema = makeSchema({
  typeDefs,
  plans: {
    Query: { products: () => constant(products) },
    Product: {
      id: ($p: Step) => $p.get("id"),
      name: ($p: Step) => $p.get("name"),
      sku: ($p: Step) => $p.get("sku"),
      price: ($p: Step, args) => price($p.get("sku"), args.get("currency")),
      related: ($p: Step) => each(loadMany($p.get("id"), getRelatedIds), ($id) => loadOne($id, getProducts)),
    },
    Money: {
      amount: ($m: Step) => $m.get("amount"),
      currency: ($m: Step) => $m.get("currency"),
    },
  },
});
