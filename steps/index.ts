// graphscale/steps: the standard step library. Each step is a class plus a lowercase factory.

export { constant, ConstantStep, rootValue, RootValueStep, each, EachStep } from "../src/index.js";
export { context, ContextStep } from "./context.js";
export { access, AccessStep } from "./access.js";
export { lambda, LambdaStep } from "./lambda.js";
export { object, ObjectStep } from "./object.js";
export { list, ListStep } from "./list.js";
export { first, FirstStep } from "./first.js";
export { last, LastStep } from "./last.js";
export { loadOne } from "./loadOne.js";
export { loadMany } from "./loadMany.js";
export { LoadStep, type LoadCallback } from "./loadStep.js";
export { inhibitOnNull, InhibitOnNullStep } from "./inhibitOnNull.js";
export { assertNotNull, AssertNotNullStep } from "./assertNotNull.js";
export { trap, TrapStep, type TrapOptions, type TrapOutcome } from "./trap.js";
export { exitIf, ExitIfStep, type ExitOutcome } from "./exitIf.js";
export { sideEffect, SideEffectStep } from "./sideEffect.js";
