// Snapshot files for tests: one place that reads, compares and (only when asked, never under CI: CI set to
// anything but "", "0" or "false") writes them. A missing snapshot is a failure that says how to create it;
// a snapshot is never created as a side effect of a test run, so a run cannot pass by agreeing with what it
// just wrote.

import * as assert from "uvu/assert";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { relative } from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
/** CI set to anything but "", "0" or "false" (any case) counts as CI: snapshots are then never written. */
export function isCI(value: string | undefined): boolean {
  return value !== undefined && !["", "0", "false"].includes(value.toLowerCase());
}
const inCI = isCI(process.env.CI);
const updating = process.env.UPDATE_SNAPSHOTS === "1";

/** The snapshot directory next to a test file: `snapshotDir(import.meta.url)` → `<dir>/__snapshots__/`. */
export function snapshotDir(testFileUrl: string): URL {
  return new URL("./__snapshots__/", testFileUrl);
}

function display(file: URL): string {
  return relative(root, fileURLToPath(file));
}

/** A snapshot's text, or null when the file does not exist. */
export function readSnapshot(dir: URL, name: string): string | null {
  const file = new URL(name, dir);
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}

/** Snapshot file names in a directory (sorted), optionally those with one extension (".mmd"). */
export function listSnapshots(dir: URL, extension = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.endsWith(extension)).sort();
}

/**
 * Asserts that `actual` equals the stored snapshot `name`. With UPDATE_SNAPSHOTS=1 (refused under CI)
 * it writes `actual` instead; the review test for the directory then checks what was written.
 */
export function matchSnapshot(dir: URL, name: string, actual: string): void {
  const file = new URL(name, dir);
  const how = `create or update it locally with \`UPDATE_SNAPSHOTS=1 node scripts/test.mjs <test file>\` (not under CI), review the diff and commit it`;
  if (updating) {
    if (inCI) assert.unreachable(`UPDATE_SNAPSHOTS=1 is refused under CI (CI=${process.env.CI}): snapshots are written locally and reviewed (${display(file)})`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, actual);
    console.log(`snapshot ${display(file)} written`);
    return;
  }
  const expected = readSnapshot(dir, name);
  if (expected === null) assert.unreachable(`snapshot ${display(file)} is missing: ${how}`);
  assert.fixture(actual, expected!, `snapshot ${display(file)} differs: if the change is intended, ${how}`);
}
