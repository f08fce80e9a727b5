// Fixture for test/architecture.test.ts: one of each kind of function, at known lines.
/* eslint-disable */

export function outer(): number {
  const inner = () => {
    return 1;
  };
  return inner();
}

export class Shape {
  constructor(readonly side: number) {
    this.side = side;
  }
  area(): number {
    return this.side * this.side;
  }
  get name(): string {
    return "square";
  }
}

export const doubled = [1, 2].map((n) => {
  return n * 2;
});

export const fn = function named(): void {};
