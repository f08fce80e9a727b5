// context(): the request's context value (graphql-js `contextValue`), a global step.
// Stores such as Kvetch reach steps this way, so one schema serves many stores.

import { Step, type ExecutionDetails, registerStepClass } from "../src/index.js";

export class ContextStep<T = unknown> extends Step<T> {
  static override readonly stepName = "Context";
  static override readonly readsRequest = true;
  static {
    registerStepClass(this);
  }
  execute({ count, request }: ExecutionDetails): readonly T[] {
    return new Array<T>(count).fill(request.contextValue as T);
  }

  override deduplicate(peers: readonly Step[]): readonly Step[] {
    return peers.filter((p) => p instanceof ContextStep);
  }
}

export function context<T = any>(): ContextStep<T> {
  return new ContextStep<T>();
}
