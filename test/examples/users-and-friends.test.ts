// The users-and-friends example: its main() answers the friends-of-friends query and calls each data
// source once per layer with distinct keys. Asserts counts and data, never times.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { main } from "../../examples/users-and-friends/run.js";

test("users-and-friends: getUsersById once per layer (3 calls for 8 users), distinct keys", async () => {
  const { result, calls } = await main({ print: false });
  assert.equal(result.errors, undefined);
  assert.equal(calls.getUsersById, [["1"], ["2", "3"], ["1", "4", "5"]]);
});

test("users-and-friends: getFriendIds once per layer (2 calls for 3 friends lists)", async () => {
  const { calls, friendLists } = await main({ print: false });
  assert.is(friendLists, 3);
  assert.equal(calls.getFriendIds, [["1"], ["2", "3"]]);
});

test("users-and-friends: the friends of friends of Ada", async () => {
  const { result } = await main({ print: false });
  const data = JSON.parse(JSON.stringify(result.data));
  assert.equal(data, {
    user: {
      name: "Ada",
      friends: [
        { name: "Grace", friends: [{ name: "Ada" }, { name: "Edsger" }] },
        { name: "Alan", friends: [{ name: "Ada" }, { name: "Edsger" }, { name: "Barbara" }] },
      ],
    },
  });
});

test.run();
