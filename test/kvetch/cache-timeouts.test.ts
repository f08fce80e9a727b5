// ReadTimeouts (spec/kvetch-storage.md §7.3): the cache's MGETs keep their command timeout in one queue per
// timeout instead of a timer each. A command unanswered past its deadline is rejected with ioredis's own error,
// an answered one never is, answered commands leave the queue from the front, and the check timer runs only
// while a command is out. Driven with a clock of the test's own.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { ReadTimeouts } from "../../src/kvetch/cacheTimeouts.js";

/** A command as ioredis's Command shows itself: answered (isResolved) or rejected. */
class FakeCommand {
  isResolved = false;
  rejected: Error | null = null;
  reject = (error: Error): void => {
    this.rejected ??= error;
  };
  answer(): void {
    this.isResolved = true;
  }
}

test("ReadTimeouts: a command unanswered at its deadline is rejected with 'Command timed out'; an answered one never is", () => {
  let now = 0;
  const timeouts = new ReadTimeouts(1000, () => now);
  const answered = new FakeCommand();
  const silent = new FakeCommand();
  timeouts.watch(answered);
  now = 10;
  timeouts.watch(silent);
  answered.answer();
  now = 999;
  timeouts.check();
  assert.is(silent.rejected, null, "before its deadline");
  now = 1010;
  timeouts.check();
  assert.is(silent.rejected?.message, "Command timed out");
  assert.is(answered.rejected, null);
  assert.is(timeouts.pending, 0);
  assert.not.ok(timeouts.checking, "nothing out: the timer stops");
});

test("ReadTimeouts: answered commands leave from the front as new ones come; a later deadline waits for its own", () => {
  let now = 0;
  const timeouts = new ReadTimeouts(1000, () => now);
  const commands = Array.from({ length: 5000 }, () => new FakeCommand());
  for (const command of commands) {
    timeouts.watch(command);
    command.answer();
    now += 0.1;
  }
  assert.is(timeouts.pending, 1, "only the last, answered after it was watched, is still held");
  const late = new FakeCommand();
  timeouts.watch(late); // deadline 1500
  const later = new FakeCommand();
  now = 900;
  timeouts.watch(later); // deadline 1900
  now = 1600;
  timeouts.check();
  assert.is(late.rejected?.message, "Command timed out");
  assert.is(later.rejected, null, "its deadline has not come");
  assert.ok(timeouts.checking, "a command is still out");
  later.answer();
  timeouts.check();
  assert.is(timeouts.pending, 0);
  assert.not.ok(timeouts.checking);
});

test("ReadTimeouts: the check runs on its own timer while a command is out", async () => {
  const timeouts = new ReadTimeouts(20);
  const silent = new FakeCommand();
  timeouts.watch(silent);
  assert.ok(timeouts.checking);
  const deadline = Date.now() + 5000;
  while (silent.rejected === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.is(silent.rejected?.message, "Command timed out");
  assert.not.ok(timeouts.checking);
});

test.run();
