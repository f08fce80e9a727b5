// `npm run example:users`: runs a friends-of-friends query over the in-memory users and prints the
// result and how often each data-source callback was called. main() returns both, for the tests.

import { parse, type ExecutionResult } from "graphql";
import { pathToFileURL } from "node:url";
import { execute } from "../../src/index.js";
import { makeUsersSchema, type SourceCalls } from "./schema.js";

export const query = /* GraphQL */ `
  query FriendsOfFriends($id: ID!) {
    user(id: $id) {
      name
      friends {
        name
        friends {
          name
        }
      }
    }
  }
`;

export interface UsersExampleOutput {
  result: ExecutionResult;
  calls: SourceCalls;
  /** How many `friends` lists the response holds: what a per-parent resolver would have fetched one by one. */
  friendLists: number;
}

export async function main(options: { print?: boolean } = {}): Promise<UsersExampleOutput> {
  const { schema, calls } = makeUsersSchema();
  const result = await execute({ schema, document: parse(query), variableValues: { id: "1" } });
  const user = result.data?.user as { friends: Array<{ friends: unknown[] }> } | null;
  const friendLists = user ? 1 + user.friends.length : 0;
  if (options.print !== false) {
    console.log(JSON.stringify(result, null, 2));
    console.log(`\ngetUsersById: ${calls.getUsersById.length} calls (one per layer)`);
    for (const keys of calls.getUsersById) console.log(`  keys ${JSON.stringify(keys)}`);
    console.log(`getFriendIds: ${calls.getFriendIds.length} calls for ${friendLists} friends lists`);
    for (const keys of calls.getFriendIds) console.log(`  keys ${JSON.stringify(keys)}`);
  }
  return { result, calls, friendLists };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
