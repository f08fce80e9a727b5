// The median of a list of numbers: what every bench table reports across rounds and processes.

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * `pairedRounds(rounds, a, b)`: each measured `rounds` times, back to back in pairs whose order alternates (a
 * slow stretch of a shared machine falls on both); every figure, and each pair's ratio a ÷ b.
 */
export async function pairedRounds(rounds: number, a: () => Promise<number>, b: () => Promise<number>): Promise<{ a: number[]; b: number[]; ratios: number[] }> {
  const out = { a: [] as number[], b: [] as number[], ratios: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      out.a.push(await a());
      out.b.push(await b());
    } else {
      out.b.push(await b());
      out.a.push(await a());
    }
    out.ratios.push(out.a[r]! / out.b[r]!);
  }
  return out;
}
