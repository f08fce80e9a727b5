// Read timeouts without a timer per command (spec/kvetch-storage.md §7.3): the cache's connections run with a
// command timeout of 1000 ms, which ioredis keeps with a setTimeout per command, cleared on its reply with a
// `delete` that turns the command into a dictionary-mode object. The single-node reads (MGET) are the cache's
// hot path, a few per request; their deadlines are kept here instead, in one queue per timeout, checked by one
// timer while any read is out.

/** What a watched command is: ioredis's Command has both. */
export interface Watched {
  readonly isResolved: boolean;
  reject(error: Error): void;
}

/** How often the queue is checked while a read is out: a read fails between `ms` and `ms + CHECK_MS` after it was sent. */
export const CHECK_MS = 50;

/**
 * spec: ReadTimeouts — commands in the order sent, each with its deadline (`ms` after it was watched, the same
 * for all: the queue is in deadline order). Answered commands leave from the front as new ones come, and at
 * each check; a check rejects every unanswered command whose deadline has passed with ioredis's own error
 * ("Command timed out") and stops the timer when nothing is left. The timer never keeps the process alive.
 */
export class ReadTimeouts {
  private commands: (Watched | undefined)[] = [];
  private deadlines: number[] = [];
  private head = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    readonly ms: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {}

  /** Whether the check timer runs (a test reads it). */
  get checking(): boolean {
    return this.timer !== null;
  }

  /** Commands not yet known answered (a test reads it). */
  get pending(): number {
    return this.commands.length - this.head;
  }

  watch(command: Watched): void {
    this.dropAnswered();
    this.commands.push(command);
    this.deadlines.push(this.now() + this.ms);
    if (this.timer === null) {
      this.timer = setInterval(() => this.check(), CHECK_MS);
      this.timer.unref();
    }
  }

  /** Rejects the commands past their deadline; stops the timer once none is out. */
  check(): void {
    const now = this.now();
    while (this.head < this.commands.length) {
      const command = this.commands[this.head]!;
      if (!command.isResolved) {
        if (this.deadlines[this.head]! > now) break;
        command.reject(new Error("Command timed out"));
      }
      this.commands[this.head++] = undefined;
    }
    this.compact();
    if (this.head === this.commands.length && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private dropAnswered(): void {
    while (this.head < this.commands.length && this.commands[this.head]!.isResolved) this.commands[this.head++] = undefined;
    this.compact();
  }

  /** Drops the front's empty slots once they are half the arrays. */
  private compact(): void {
    if (this.head === this.commands.length) {
      this.commands.length = 0;
      this.deadlines.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.commands.length) {
      this.commands = this.commands.slice(this.head);
      this.deadlines = this.deadlines.slice(this.head);
      this.head = 0;
    }
  }
}
