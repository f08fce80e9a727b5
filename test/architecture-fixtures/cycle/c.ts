// Fixture for test/architecture.test.ts (see a.ts): the type-only import closes the cycle.
import type { a } from "./a.js";

export const c = (): number => 1 as ReturnType<typeof a>;
