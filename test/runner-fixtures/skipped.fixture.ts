// A file that skips itself on purpose and says why.
console.log("SKIPPED skipped.fixture.ts: the service it needs is not configured");
