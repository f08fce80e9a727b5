// a: the lower part, without its spec file named.
// Fixture of the layout check: its header breaks the rule, and it imports the upper part.

import { c } from "../high/c.js";
export const a = c - 2;
