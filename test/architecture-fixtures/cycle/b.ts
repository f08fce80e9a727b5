// Fixture for test/architecture.test.ts (see a.ts).
import { c } from "./c.js";

export const b = (): number => c();
