// high/: b, the upper part (spec/b.md). Fixture of the layout check: imports the lower part, as it may.

import { a } from "../low/a.js";
export const b = a + 1;
