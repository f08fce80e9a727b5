// Loaded with `node --import` before every test file: test files that import "uvu" get uvu.mjs instead,
// which reports failing before/after hooks (uvu itself swallows a hook's error and prints only "(0 / 1)").
import { register } from "node:module";

register("./resolve.mjs", import.meta.url);
