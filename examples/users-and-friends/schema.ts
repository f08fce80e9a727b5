// Users and their friends over plain in-memory arrays: loadOne/loadMany plans, no store. Each schema
// instance counts its own callback calls, so a run (or a test) can show one call per layer. Never mutates the data.

import { makeSchema } from "../../src/index.js";
import { constant, each, loadMany, loadOne } from "../../steps/index.js";
import type { Step } from "../../src/index.js";

export interface User {
  id: string;
  name: string;
}

export const users: readonly User[] = [
  { id: "1", name: "Ada" },
  { id: "2", name: "Grace" },
  { id: "3", name: "Alan" },
  { id: "4", name: "Edsger" },
  { id: "5", name: "Barbara" },
  { id: "6", name: "Ken" },
];

/** [userId, friendId] pairs, both directions listed. */
export const friendships: ReadonlyArray<readonly [string, string]> = [
  ["1", "2"], ["2", "1"],
  ["1", "3"], ["3", "1"],
  ["2", "4"], ["4", "2"],
  ["3", "4"], ["4", "3"],
  ["3", "5"], ["5", "3"],
  ["5", "6"], ["6", "5"],
];

export const typeDefs = /* GraphQL */ `
  type Query {
    user(id: ID!): User
    users: [User!]!
  }
  type User {
    id: ID!
    name: String!
    friends: [User!]!
  }
`;

/** What the data source saw: one entry per callback call, with the keys it was given. */
export interface SourceCalls {
  getUsersById: string[][];
  getFriendIds: string[][];
}

export function makeUsersSchema() {
  const calls: SourceCalls = { getUsersById: [], getFriendIds: [] };

  // The "data source": what a SQL `WHERE id IN (...)` or a batch HTTP call would be. Called once per
  // layer with every distinct key of that layer; returns one result per key, in key order.
  function getUsersById(ids: readonly string[]): Array<User | null> {
    calls.getUsersById.push([...ids]);
    return ids.map((id) => users.find((u) => u.id === id) ?? null);
  }
  function getFriendIds(userIds: readonly string[]): string[][] {
    calls.getFriendIds.push([...userIds]);
    return userIds.map((id) => friendships.filter(([from]) => from === id).map(([, to]) => to));
  }

  const schema = makeSchema({
    typeDefs,
    plans: {
      Query: {
        user: (_$root: Step, args) => loadOne(args.get("id"), getUsersById),
        users: () => constant(users),
      },
      User: {
        id: ($user: Step) => $user.get("id"),
        name: ($user: Step) => $user.get("name"),
        // The friend ids of every user in the layer (one call), then every friend (one call for the next layer).
        friends: ($user: Step) => each(loadMany($user.get("id"), getFriendIds), ($friendId) => loadOne($friendId, getUsersById)),
      },
    },
  });

  return { schema, calls };
}
