// CompileFastRun: for a plan FastPlanOf admits, once, a function generated with `new Function` that runs the
// root layer's steps for one request in straight lines — per step, its dependencies read from the request's
// globals, early exit by the flags each one accepts, one `execute` call with its tuple (a call site of its
// own, so each sees one step class), a clean result stored at once. Anything else (a promise, a list that is
// not one clean entry) goes to the run's own methods (FastRun), which handle it as ExecuteStep does; the run
// is made there, at the first such result, so a request whose steps all finish synchronously makes none. No
// user text reaches the code: step ids and schedule indices are numbers. See spec/execution.md, CompileFastRun.

import { FlaggedValue, fail, FLAG_ERROR, FLAG_INHIBITED, FLAG_NULL } from "../flags.js";
import { MappedResults } from "../mappedResults.js";
import { ConstantStep } from "../planning/steps/constant.js";
import type { Bucket, RequestState } from "./bucket.js";
import { eagerReads, StepExecutionDetails } from "./executeStep.js";
import type { Schedule } from "./executeLayer.js";

/** The run's methods the generated function calls for whatever is not a clean result. */
export interface FastRunState {
  /** Step `index` returned a promise, a MappedResults, or a thenable: its results are stored when it settles. */
  later(index: number, result: unknown): void;
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
  const { facts, dependsOn } = schedule;
  const lines: string[] = [];
  const constants: string[] = [];
  let maxDeps = 0;
  for (let i = 0; i < facts.length; i++) {
    const f = facts[i]!;
    if (!f.isGlobal) return null;
    // A seeded constant (SeedConstants) is done for every request from the start: it never runs.
    if (f.step instanceof ConstantStep) continue;
    for (let k = 0; k < f.depIsGlobal.length; k++) if (!f.depIsGlobal[k]) return null;
    maxDeps = Math.max(maxDeps, f.depIds.length);
    constants.push(`const S${i} = F[${i}].step;`);
    if (f.reads !== null) constants.push(`const R${i} = F[${i}].reads;`);
    lines.push(stepCode(schedule, i, dependsOn[i] ?? null));
  }
  const values = Array.from({ length: maxDeps }, (_, k) => `v${k}`);
  const body =
    `"use strict";\n${constants.join("\n")}\n` +
    `return function fastRun(q, run, fp, make) {\n  const g = q.globals, d = q.globalDone;\n  let r, t${values.map((v) => `, ${v}`).join("")};\n` +
    `  try {\n${lines.join("\n")}\n  } catch (e) { if (run !== null) run.abandon(); throw e; }\n  return run;\n};`;
  try {
    return new Function("F", "root", "SD", "MR", "FV", "fail", "eager", body)(facts, root, StepExecutionDetails, MappedResults, FlaggedValue, fail, eagerReads) as CompiledFastRun;
  } catch {
    return null;
  }
}

/** One step's statements: a labeled block that stores its outcome, or hands its result to the run. */
function stepCode(schedule: Schedule, i: number, dependsOn: Int32Array | null): string {
  const f = schedule.facts[i]!;
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
  const out: string[] = [`  ${label}: if (${ready.join(" && ")}) {`];
  const args: string[] = [];
  for (let k = 0; k < f.depIds.length; k++) {
    const v = `v${k}`;
    out.push(`    ${v} = g[${f.depIds[k]}];`);
    // EarlyExit for a global dependency: the first flag it does not accept is the step's outcome.
    const accepts = f.accepts[k]!;
    if ((accepts & FLAG_NULL) === 0) out.push(`    if (${v} == null) { g[${id}] = null; ${done} }`);
    const refused = ~accepts & (FLAG_ERROR | FLAG_INHIBITED);
    if (refused !== 0) out.push(`    if (${v} instanceof FV && (${v}.flag & ${refused}) !== 0) { g[${id}] = ${v}; ${done} }`);
    args.push(f.asGlobal[k] ? v : `[${v}]`);
  }
  const reads = f.reads === null ? "" : ` if (t !== null && typeof t === "object" && !(t instanceof FV)) eager(q, R${i}, t);`;
  out.push(
    `    try { r = S${i}.execute(new SD(1, [${args.join(", ")}], q, root, S${i}, null)); } catch (e) { g[${id}] = fail(e); ${done} }`,
    `    if (Array.isArray(r)) {`,
    `      if (r.length === 1 && ((t = r[0]) == null || (typeof t !== "object" && typeof t !== "function") || typeof t.then !== "function")) { g[${id}] = t;${reads} ${done} }`,
    `    } else if (r instanceof MR || (r != null && typeof r.then === "function")) { (run ??= make(q, fp)).later(${i}, r); break ${label}; }`,
    `    (run ??= make(q, fp)).settle(${i}, r);`,
    `  }`,
  );
  return out.join("\n");
}
