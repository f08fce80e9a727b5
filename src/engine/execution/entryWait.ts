// EntryWait: the promises among a step's results (SettleResults), a list layer's items (CreateBucket) or a
// resolver group's lists (RunResolverGroup), awaited with a callback pair each and a count of those left, in
// place of Promise.all (which iterates its list, calls Promise.resolve on each element and makes element
// functions and a result promise of its own): each value is written to its place as it settles, a rejection
// failing that place only, and the last one to settle runs the wait's end. As in Promise.all, the adding
// itself counts as one pending settlement until `close`, so a thenable that calls back at once cannot end the
// wait before its last promise is added. See spec/execution.md, SettleResults.

import { fail } from "../flags.js";

export class EntryWait {
  /** How many added promises have not settled, plus one until `close` (the adding). */
  private left = 1;
  private end: (() => void) | null = null;

  /** `errorValuesFail`: a value that is an Error fails its place (a resolver's list item), as a rejection does. */
  constructor(private readonly errorValuesFail: boolean) {}

  /** A promise or thenable (its `then` called once) whose value goes to `target[at]`. Only before `close`. */
  add(item: PromiseLike<unknown>, target: unknown[], at: number): void {
    this.left++;
    (item instanceof Promise ? item : Promise.resolve(item)).then(
      (value) => this.settle(target, at, this.errorValuesFail && value instanceof Error ? fail(value) : value),
      (error: unknown) => this.settle(target, at, fail(error)),
    );
  }

  /** Every promise is added (asked once): `end` runs once they all settled — now, if they already did. */
  close(end: () => void): void {
    this.end = end;
    this.settled();
  }

  /** `close` with a promise of the end: it resolves once `end` ran, or rejects with what `end` threw. */
  ended(end: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) =>
      this.close(() => {
        try {
          end();
        } catch (error) {
          reject(error);
          return;
        }
        resolve();
      }),
    );
  }

  private settle(target: unknown[], at: number, value: unknown): void {
    target[at] = value;
    this.settled();
  }

  private settled(): void {
    if (--this.left === 0) this.end!();
  }
}
