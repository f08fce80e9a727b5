// Fixture for test/architecture.test.ts (see a.ts): imported, outside the cycle.
export const leaf = 1;
