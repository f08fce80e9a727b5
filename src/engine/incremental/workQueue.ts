// IncrementalQueue: the deferred work of one request, in graphql-js 17's order — delivery groups become
// pending when their parent completes (empty ones give way to their children), a group completes once
// every task in it is done, a task's data is delivered once (with the first of its groups to complete),
// and each payload says what became pending, what was delivered and what completed. The tasks started at
// once run together (runTasks.ts); this module only orders and words the payloads.

import type { GraphQLError } from "graphql";
import type { DeliveryGroup, ItemStream, Task, Work } from "./discoverWork.js";

/** What a task gave: its data and errors, and the work its data reaches; or the error that nulled its root. */
export type TaskOutcome =
  | { readonly ok: true; readonly data: Record<string, unknown>; readonly errors: readonly GraphQLError[]; readonly work: Work }
  | { readonly ok: false; readonly error: GraphQLError };

export interface PendingResult {
  id: string;
  path: ReadonlyArray<string | number>;
  label?: string;
}

export interface SubsequentResult {
  hasNext: boolean;
  pending?: PendingResult[];
  incremental?: Array<Record<string, unknown>>;
  completed?: Array<{ id: string; errors?: readonly GraphQLError[] }>;
}

interface GroupNode {
  readonly children: DeliveryGroup[];
  readonly tasks: Set<Task>;
  pending: number;
}

/** spec: IncrementalQueue — graphql-js's work queue and publisher over the request's delivery groups, tasks and streams. */
export class IncrementalQueue {
  private readonly nodes = new Map<DeliveryGroup, GroupNode>();
  private readonly roots = new Set<DeliveryGroup>();
  private readonly rootStreams = new Set<ItemStream>();
  private readonly started = new Set<Task>();
  private readonly values = new Map<Task, TaskOutcome>();
  /** Per task started with its own work: the streams its data holds, announced when a group of it completes. */
  private readonly taskStreams = new Map<Task, ItemStream[]>();
  private readonly ids = new Map<object, string>();
  private nextId = 0;
  /** Tasks started and not run yet. */
  ready: Task[] = [];
  /** Streams announced and not delivered yet. */
  readyStreams: ItemStream[] = [];
  private payload: SubsequentResult = { hasNext: true };
  /** Streams that failed: with no item (completed at the end of their delivery), after items (in the next payload). */
  private readonly failedAtOnce: Array<{ stream: ItemStream; error: GraphQLError }> = [];
  private readonly failedAfterItems: Array<{ stream: ItemStream; error: GraphQLError }> = [];
  private failedAfterItemsTotal = 0;

  /** The initial payload's work: its root groups (non-empty) and streams, as `pending`. */
  start(work: Work): PendingResult[] {
    const newRoots = this.integrate(work, undefined);
    const groups = this.pruneEmpty(newRoots);
    for (const group of groups) this.roots.add(group);
    for (const stream of work.streams) this.rootStreams.add(stream);
    const pending = this.toPending(groups, work.streams);
    for (const group of groups) this.startGroup(group);
    this.readyStreams.push(...work.streams);
    return pending;
  }

  get done(): boolean {
    return this.roots.size === 0 && this.rootStreams.size === 0;
  }

  /** Takes the payload gathered so far. */
  takePayload(): SubsequentResult {
    const { pending, incremental, completed } = this.payload;
    this.payload = { hasNext: true };
    // graphql-js's key order: hasNext, pending, incremental, completed.
    const payload: SubsequentResult = { hasNext: !this.done };
    if (pending !== undefined) payload.pending = pending;
    if (incremental !== undefined) payload.incremental = incremental;
    if (completed !== undefined) payload.completed = completed;
    return payload;
  }

  get hasPayload(): boolean {
    const p = this.payload;
    return p.pending !== undefined || p.incremental !== undefined || p.completed !== undefined;
  }

  private integrate(work: Work, parentTask: Task | undefined): DeliveryGroup[] {
    const groupSet = new Set(work.groups);
    const visited = new Set<DeliveryGroup>();
    const newRoots: DeliveryGroup[] = [];
    const add = (group: DeliveryGroup): void => {
      if (visited.has(group)) return;
      visited.add(group);
      const parent = group.parent;
      if (parent !== undefined) {
        if (groupSet.has(parent)) add(parent);
        if (!this.nodes.has(parent)) return;
      }
      this.nodes.set(group, { children: [], tasks: new Set(), pending: 0 });
      if (parentTask === undefined && parent === undefined) newRoots.push(group);
      else if (parent !== undefined) this.nodes.get(parent)?.children.push(group);
    };
    for (const group of work.groups) add(group);
    for (const task of work.tasks) {
      for (const group of task.groups) {
        const node = this.nodes.get(group);
        if (node === undefined) continue;
        node.tasks.add(task);
        node.pending++;
        if (this.roots.has(group)) this.startTask(task);
      }
    }
    if (parentTask !== undefined && work.streams.length > 0) this.taskStreams.set(parentTask, [...work.streams]);
    return newRoots;
  }

  private pruneEmpty(groups: readonly DeliveryGroup[], out: DeliveryGroup[] = []): DeliveryGroup[] {
    for (const group of groups) {
      const node = this.nodes.get(group);
      if (node === undefined) continue;
      if (node.tasks.size === 0) {
        this.nodes.delete(group);
        this.pruneEmpty(node.children, out);
      } else {
        out.push(group);
      }
    }
    return out;
  }

  private startGroup(group: DeliveryGroup): void {
    const node = this.nodes.get(group);
    if (node !== undefined) for (const task of node.tasks) this.startTask(task);
  }

  private startTask(task: Task): void {
    if (this.started.has(task)) return;
    this.started.add(task);
    this.ready.push(task);
  }

  /** spec: TaskDone — a task of the wave finished: its groups complete or fail, and the groups they hold start. */
  taskDone(task: Task, outcome: TaskOutcome): void {
    if (!this.started.has(task)) return;
    if (!outcome.ok) {
      for (const group of task.groups) {
        const node = this.nodes.get(group);
        if (node === undefined || !this.roots.has(group)) continue;
        this.removeGroup(group, node);
        this.completed(group, [outcome.error]);
      }
      return;
    }
    this.values.set(task, outcome);
    this.integrate(outcome.work, task);
    const newGroups: DeliveryGroup[] = [];
    const newStreams: ItemStream[] = [];
    for (const group of task.groups) {
      const node = this.nodes.get(group);
      if (node === undefined) continue;
      node.pending--;
      this.maybeFinishGroup(group, node, newGroups, newStreams);
    }
    this.startNewWork(newGroups, newStreams);
  }

  private startNewWork(newGroups: DeliveryGroup[], newStreams: ItemStream[]): void {
    for (let i = 0; i < newGroups.length; i++) {
      const group = newGroups[i]!;
      this.roots.add(group);
      this.startGroup(group);
      const node = this.nodes.get(group);
      if (node !== undefined) this.maybeFinishGroup(group, node, newGroups, newStreams);
    }
    for (const stream of newStreams) {
      this.rootStreams.add(stream);
      this.readyStreams.push(stream);
    }
  }

  private maybeFinishGroup(group: DeliveryGroup, node: GroupNode, newGroups: DeliveryGroup[], newStreams: ItemStream[]): void {
    if (!this.roots.has(group) || node.pending !== 0) return;
    this.nodes.delete(group);
    const delivered: Task[] = [];
    const streams: ItemStream[] = [];
    for (const task of node.tasks) {
      if (!this.values.has(task)) continue;
      delivered.push(task);
      streams.push(...(this.taskStreams.get(task) ?? []));
    }
    for (const task of delivered) this.removeTask(task);
    const children = this.pruneEmpty(node.children);
    this.roots.delete(group);
    const id = this.idOf(group);
    for (const task of delivered) {
      const value = this.values.get(task) as Extract<TaskOutcome, { ok: true }>;
      const { bestId, subPath } = this.bestIdAndSubPath(id, group, task);
      const entry: Record<string, unknown> = { id: bestId, data: value.data };
      if (value.errors.length > 0) entry.errors = value.errors;
      if (subPath !== undefined) entry.subPath = subPath;
      (this.payload.incremental ??= []).push(entry);
      this.values.delete(task);
    }
    this.completed(group, undefined);
    if (children.length > 0 || streams.length > 0) (this.payload.pending ??= []).push(...this.toPending(children, streams));
    newGroups.push(...children);
    newStreams.push(...streams);
  }

  private completed(group: object, errors: readonly GraphQLError[] | undefined): void {
    const id = this.idOf(group);
    (this.payload.completed ??= []).push(errors === undefined ? { id } : { id, errors });
    this.ids.delete(group);
  }

  private removeGroup(group: DeliveryGroup, node: GroupNode): void {
    this.roots.delete(group);
    this.nodes.delete(group);
    for (const task of node.tasks) if (task.groups.every((g) => !this.nodes.has(g))) this.removeTask(task);
    for (const child of node.children) {
      const childNode = this.nodes.get(child);
      if (childNode !== undefined) this.removeGroup(child, childNode);
    }
  }

  private removeTask(task: Task): void {
    for (const group of task.groups) this.nodes.get(group)?.tasks.delete(task);
    this.taskStreams.delete(task);
  }

  /**
   * spec: StreamItems — a run of a stream's items (graphql-js's batch of stream items): they go to
   * `incremental`, and the groups and streams below them are announced (`pending`) and start.
   */
  streamItems(stream: ItemStream, items: unknown[], errors: readonly GraphQLError[], work: Work): void {
    if (items.length === 0) return;
    const id = this.idOf(stream);
    (this.payload.incremental ??= []).push(errors.length > 0 ? { id, items, errors } : { id, items });
    const groups = this.pruneEmpty(this.integrate(work, undefined));
    if (groups.length > 0 || work.streams.length > 0) (this.payload.pending ??= []).push(...this.toPending(groups, work.streams));
    this.startNewWork(groups, work.streams);
  }

  /**
   * spec: StreamDone — the stream completes; a stream that failed (`failure`) completes with that error, in
   * the payload after its items when some came first (`afterItems`: graphql-js sends the items it had before
   * the failure, then the failure), else after the other streams of its delivery.
   */
  streamDone(stream: ItemStream, failure: GraphQLError | undefined, afterItems: boolean): void {
    if (failure !== undefined) {
      (afterItems ? this.failedAfterItems : this.failedAtOnce).push({ stream, error: failure });
      if (afterItems) this.failedAfterItemsTotal++;
      return;
    }
    this.rootStreams.delete(stream);
    this.completed(stream, undefined);
  }

  /**
   * The streams of a delivery that failed: those with no items complete now (after the others of the
   * delivery, as graphql-js's rejected stream arrives later); those with items wait for `afterItems`.
   */
  completeFailedStreams(afterItems: boolean): void {
    for (const { stream, error } of (afterItems ? this.failedAfterItems : this.failedAtOnce).splice(0)) {
      this.rootStreams.delete(stream);
      this.completed(stream, [error]);
    }
  }

  get hasFailedAfterItems(): boolean {
    return this.failedAfterItems.length > 0;
  }

  /** How many streams failed after items so far (completed or not). */
  get failedAfterItemsCount(): number {
    return this.failedAfterItemsTotal;
  }

  /** The earliest `n` of the streams that failed after items and are not completed yet complete now. */
  completeEarliestFailed(n: number): void {
    for (const { stream, error } of this.failedAfterItems.splice(0, n)) {
      this.rootStreams.delete(stream);
      this.completed(stream, [error]);
    }
  }

  private idOf(record: object): string {
    let id = this.ids.get(record);
    if (id === undefined) this.ids.set(record, (id = String(this.nextId++)));
    return id;
  }

  private toPending(groups: readonly DeliveryGroup[], streams: readonly ItemStream[]): PendingResult[] {
    const out: PendingResult[] = [];
    for (const record of [...groups, ...streams]) {
      const pending: PendingResult = { id: this.idOf(record), path: record.path };
      if (record.label !== undefined) pending.label = record.label;
      out.push(pending);
    }
    return out;
  }

  /** graphql-js's best id: the deepest pending group of the task's groups, and the path below it. */
  private bestIdAndSubPath(id: string, group: DeliveryGroup, task: Task): { bestId: string; subPath: Array<string | number> | undefined } {
    let maxLength = group.path.length;
    let bestId = id;
    for (const other of task.groups) {
      if (other === group) continue;
      const otherId = this.ids.get(other);
      if (otherId === undefined) continue;
      if (other.path.length > maxLength) {
        maxLength = other.path.length;
        bestId = otherId;
      }
    }
    const subPath = task.pathArray.slice(maxLength);
    return { bestId, subPath: subPath.length > 0 ? [...subPath] : undefined };
  }
}
