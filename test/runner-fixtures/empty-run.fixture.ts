// A file that calls test.run() with no test registered: uvu reports "Total: 0" and exits 0.
import { test } from "uvu";

test.run();
