// Fixture for test/architecture.test.ts: a → b → c → a, written with ".js" specifiers as in src/.
import { b } from "./b.js";
import { leaf } from "./leaf.js";

export const a = (): number => b() + leaf;
