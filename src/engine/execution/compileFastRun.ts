// CompileFastRun: for a plan FastPlanOf admits, once, a function generated with `new Function` that runs the
// root layer's steps for one request in straight lines — per step, its dependencies read from the request's
// globals, early exit by the flags each one accepts, one `execute` call with its tuple (in a function of the
// step's own, so each call site sees one step class and V8 can inline it), a clean result stored at once. Anything else (a promise, a list that is
// not one clean entry) goes to the run's own methods (FastRun), which handle it as ExecuteStep does; the run
// is made there, at the first such result, so a request whose steps all finish synchronously makes none. No
// user text reaches the code: step ids and schedule indices are numbers. See spec/execution.md, CompileFastRun.

import { FlaggedValue, fail, FLAG_ERROR, FLAG_INHIBITED, FLAG_NULL } from "../flags.js";
import { MappedResults } from "../mappedResults.js";
import { ConstantStep } from "../planning/steps/constant.js";
import type { Step } from "../step.js";
import type { Bucket, RequestState } from "./bucket.js";
import { eagerReads, StepExecutionDetails } from "./executeStep.js";
import type { Schedule } from "./executeLayer.js";

/** A step that answers by OneEntry: the Step API's optional `oneEntry`, defined. */
export type OneEntryStep = Required<Pick<Step, "oneEntry">>;

/** The run's methods the generated function calls for whatever is not a clean result. */
export interface FastRunState {
  /**
   * Step `index` returned a promise or a thenable (`map` null), or a MappedResults (its promise and map):
   * its results are stored when it settles.
   */
  wait(index: number, id: number, promise: unknown, map: ((value: unknown) => unknown) | null): void;
  /** Step `index` (OneEntry) returned its source's native promise: the step's `oneEntry` makes the entry's value of its value. */
  waitEntry(index: number, id: number, promise: Promise<unknown>, step: OneEntryStep): void;
  /** Step `index` returned something other than a list of one clean entry: SettleResults decides. */
  settle(index: number, result: unknown): void;
  /** The pass threw (an internal error): the run stores nothing more and starts no step. */
  abandon(): void;
}

/**
 * Runs every step of the plan's root layer that can run now — not done, not running, its steps in the layer
 * done — in schedule order, for `request`. Run once when the request starts (`run` null: the run is made by
 * `make(request, plan)` only when some step is not a clean result, so a request whose steps all finish
 * synchronously makes none), and again, with its run, when a step others wait for is done. Returns the run,
 * or null when none was needed.
 */
export type CompiledFastRun = <R extends FastRunState, P>(request: RequestState, run: R | null, plan: P, make: ((request: RequestState, plan: P) => R) | null) => R | null;

/**
 * spec: CompileFastRun — the root layer's steps as one generated function, or null when some step has a
 * dependency that is not global (FastPlanOf admits no such plan) or the runtime refuses `new Function`.
 */
export function compileFastRun(schedule: Schedule, root: Bucket): CompiledFastRun | null {
  const facts = schedule.facts;
  const lines: string[] = [];
  const constants: string[] = [];
  for (let i = 0; i < facts.length; i++) {
    const f = facts[i]!;
    if (!f.isGlobal) return null;
    // A seeded constant (SeedConstants) is done for every request from the start: it never runs.
    if (f.step instanceof ConstantStep) continue;
    for (let k = 0; k < f.depIsGlobal.length; k++) if (!f.depIsGlobal[k]) return null;
    constants.push(`const S${i} = F[${i}].step;`);
    if (f.reads !== null) constants.push(`const R${i} = F[${i}].reads;`);
    const byOne = hasExecuteOne(f.step);
    const byEntry = byOne && hasOneEntry(f.step);
    // Each step a function of its own, called where its block stood: small enough for V8 to inline the
    // step's execute into it (one function holding every step exhausts the inlining budget after a few).
    const own = Array.from({ length: f.depIds.length }, (_, k) => `, v${k}`).join("");
    const code = stepCode(schedule, i, byOne, byEntry);
    constants.push(`function x${i}(q, g, d, run, fp, make) {\n  let r, t${own};\n  s${i}: {\n${code.body}\n  }\n  return run;\n}`);
    lines.push(`  if (${code.ready}) run = x${i}(q, g, d, run, fp, make);`);
  }
  const body =
    `"use strict";\n${constants.join("\n")}\n` +
    `return function fastRun(q, run, fp, make) {\n  const g = q.globals, d = q.globalDone;\n` +
    `  try {\n${lines.join("\n")}\n  } catch (e) { if (run !== null) run.abandon(); throw e; }\n  return run;\n};`;
  try {
    return new Function("F", "root", "SD", "MR", "FV", "fail", "eager", body)(facts, root, StepExecutionDetails, MappedResults, FlaggedValue, fail, eagerReads) as CompiledFastRun;
  } catch {
    return null;
  }
}

/**
 * Whether the step answers one entry by ExecuteOne: the class that defines its `execute` (the nearest on its
 * prototype chain, or the step itself) defines `executeOne` too, so a subclass overriding `execute` alone
 * keeps being called through `execute`.
 */
function hasExecuteOne(step: Step): boolean {
  if (Object.prototype.hasOwnProperty.call(step, "execute") || Object.prototype.hasOwnProperty.call(step, "executeOne")) return false;
  for (let proto: object | null = Object.getPrototypeOf(step) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    const own = (name: string): boolean => Object.prototype.hasOwnProperty.call(proto, name);
    if (own("execute")) return own("executeOne") && typeof (step as { executeOne?: unknown }).executeOne === "function";
    if (own("executeOne")) return false;
  }
  return false;
}

/**
 * OneEntry: the step's `executeOne` may answer with its source's promise, made the entry's value by
 * `oneEntry` — when the class that defines `executeOne` defines `oneEntry` too. Asked only of a step that
 * answers by ExecuteOne (hasExecuteOne).
 */
function hasOneEntry(step: Step): boolean {
  for (let proto: object | null = Object.getPrototypeOf(step) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    if (Object.prototype.hasOwnProperty.call(proto, "executeOne")) return Object.prototype.hasOwnProperty.call(proto, "oneEntry") && typeof (step as { oneEntry?: unknown }).oneEntry === "function";
  }
  return false;
}

/**
 * One step's statements (the body of a labeled block that stores its outcome, or hands its result to the
 * run) and the condition on which it runs; `byOne` and `byEntry`: whether it answers by ExecuteOne and OneEntry.
 */
function stepCode(schedule: Schedule, i: number, byOne: boolean, byEntry: boolean): { ready: string; body: string } {
  const f = schedule.facts[i]!;
  const dependsOn = schedule.dependsOn[i] ?? null;
  const id = f.id;
  const label = `s${i}`;
  const done = `d[${id}] = true; break ${label};`;
  // Runs when it is neither done nor running (`false`), and the steps it waits for in the layer are done.
  const ready = [`d[${id}] === undefined`];
  if (dependsOn !== null) {
    for (let k = 0; k < dependsOn.length; k++) {
      const dep = schedule.facts[dependsOn[k]!]!;
      if (!(dep.step instanceof ConstantStep)) ready.push(`d[${dep.id}] === true`);
    }
  }
  const out: string[] = [];
  const args: string[] = [];
  const one: string[] = [];
  for (let k = 0; k < f.depIds.length; k++) {
    const v = `v${k}`;
    out.push(`    ${v} = g[${f.depIds[k]}];`);
    // EarlyExit for a global dependency: the first flag it does not accept is the step's outcome.
    const accepts = f.accepts[k]!;
    if ((accepts & FLAG_NULL) === 0) out.push(`    if (${v} == null) { g[${id}] = null; ${done} }`);
    const refused = ~accepts & (FLAG_ERROR | FLAG_INHIBITED);
    if (refused !== 0) out.push(`    if (${v} instanceof FV && (${v}.flag & ${refused}) !== 0) { g[${id}] = ${v}; ${done} }`);
    args.push(f.asGlobal[k] ? v : `[${v}]`);
    one.push(v);
  }
  const reads = f.reads === null ? "" : ` if (t !== null && typeof t === "object" && !(t instanceof FV)) eager(q, R${i}, t);`;
  if (byOne) {
    // ExecuteOne: the entry's value itself. A MapResults is the step's later answer; a promise is the
    // entry's, settled as a list of one (SettleResults); anything else is stored at once. A OneEntry step's
    // native promise (its usual asynchronous answer, never a MapResults) is told first.
    const mapped = `      if (t instanceof MR) { (run ??= make(q, fp)).wait(${i}, ${id}, t.promise, t.map); break ${label}; }`;
    const thenable = `      if (typeof t.then === "function") { (run ??= make(q, fp)).settle(${i}, [t]); break ${label}; }`;
    out.push(
      `    try { t = S${i}.executeOne(${one.join(", ")}); } catch (e) { g[${id}] = fail(e); ${done} }`,
      `    if (t !== null && (typeof t === "object" || typeof t === "function")) {`,
      ...(byEntry ? [`      if (t instanceof Promise) { (run ??= make(q, fp)).waitEntry(${i}, ${id}, t, S${i}); break ${label}; }`, mapped, thenable] : [mapped, thenable]),
      `    }`,
      `    g[${id}] = t;${reads} ${done}`,
    );
    return { ready: ready.join(" && "), body: out.join("\n") };
  }
  out.push(
    `    try { r = S${i}.execute(new SD(1, [${args.join(", ")}], q, root, S${i}, null)); } catch (e) { g[${id}] = fail(e); ${done} }`,
    `    if (Array.isArray(r)) {`,
    `      if (r.length === 1 && ((t = r[0]) == null || (typeof t !== "object" && typeof t !== "function") || typeof t.then !== "function")) { g[${id}] = t;${reads} ${done} }`,
    `    } else if (r instanceof MR) { (run ??= make(q, fp)).wait(${i}, ${id}, r.promise, r.map); break ${label}; }`,
    `    else if (r != null && typeof r.then === "function") { (run ??= make(q, fp)).wait(${i}, ${id}, r, null); break ${label}; }`,
    `    (run ??= make(q, fp)).settle(${i}, r);`,
  );
  return { ready: ready.join(" && "), body: out.join("\n") };
}

