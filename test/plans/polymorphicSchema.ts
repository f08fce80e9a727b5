// The polymorphic schema the plan-export tests share: an interface, a union, nested and nullable lists and
// a cycle in the data (Ann and Bob are each other's friends), served by resolvers (resolver emulation).

import type { GraphQLSchema } from "graphql";
import { makeSchema } from "../../src/index.js";

export const polymorphicTypeDefs = `
  interface Named { name: String! }
  type Person implements Named { name: String! friends: [Person!]! tags: [String] matrix: [[Int!]] pet: Pet }
  type Dog implements Named { name: String! barks: Boolean! }
  type Cat implements Named { name: String! lives: Int }
  union Pet = Dog | Cat
  type Query { me: Person! people: [Person] search(text: String!): [Named!]! pets: [Pet]! }
`;

export const dog = { __typename: "Dog", name: "Rex", barks: true };
export const cat = { __typename: "Cat", name: "Tom", lives: 9 };
export const ann = { name: "Ann", tags: ["a", null, "c"], matrix: [[1, 2], [3]], pet: dog, friends: [] as unknown[] };
export const bob = { name: "Bob", tags: null, matrix: null, pet: cat, friends: [ann] };
ann.friends = [bob];

/** A fresh schema over the shared data; `compileOutput` as makeSchema takes it (absent: the environment decides). */
export function polymorphicSchema(compileOutput?: boolean): GraphQLSchema {
  return makeSchema({
    compileOutput,
    typeDefs: polymorphicTypeDefs,
    resolvers: {
      Query: {
        me: () => ann,
        people: () => [ann, null, bob],
        search: (_: unknown, { text }: { text: string }) => [ann, dog, cat, bob].filter((x) => x.name.includes(text)),
        pets: () => [dog, cat, null],
      },
      Named: { __resolveType: (x: { __typename?: string }) => x.__typename ?? "Person" },
      Pet: { __resolveType: (x: { __typename: string }) => x.__typename },
    },
  });
}
