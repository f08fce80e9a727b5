// EntryWait: the promises among a step's results (SettleResults) or a list layer's items (CreateBucket), awaited
// with a callback pair each and a count of those left, in place of Promise.all (which iterates its list, calls
// Promise.resolve on each element and makes element functions and a result promise of its own): each value is
// written to its place as it settles, a rejection failing that place only, and the last one to settle runs the
// wait's end. As in Promise.all, the adding itself counts as one pending settlement until `ended`, so a
// thenable that calls back at once cannot end the wait before its last promise is added. See spec/execution.md,
// SettleResults.

import { fail } from "../flags.js";

export class EntryWait {
  /** How many added promises have not settled, plus one until `ended` (the adding). */
  private left = 1;
  private end: (() => void) | null = null;
  private resolve: (() => void) | null = null;
  private reject: ((error: unknown) => void) | null = null;

  /** `errorValuesFail`: a value that is an Error fails its place (a resolver's list item), as a rejection does. */
  constructor(private readonly errorValuesFail: boolean) {}

  /** A promise or thenable (its `then` called once) whose value goes to `target[at]`. Only before `ended`. */
  add(item: PromiseLike<unknown>, target: unknown[], at: number): void {
    this.left++;
    (item instanceof Promise ? item : Promise.resolve(item)).then(
      (value) => this.settle(target, at, this.errorValuesFail && value instanceof Error ? fail(value) : value),
      (error: unknown) => this.settle(target, at, fail(error)),
    );
  }

  /**
   * The wait's promise: once every added promise settled, `end` runs and it resolves (or rejects with what
   * `end` threw). Asked once, right after the last `add`.
   */
  ended(end: () => void): Promise<void> {
    this.end = end;
    const promise = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.settled();
    return promise;
  }

  private settle(target: unknown[], at: number, value: unknown): void {
    target[at] = value;
    this.settled();
  }

  private settled(): void {
    if (--this.left !== 0) return;
    try {
      this.end!();
    } catch (error) {
      this.reject!(error);
      return;
    }
    this.resolve!();
  }
}
