// Shared bits for the ledger benchmarks: percentiles and printing. Benchmarks print figures and ratios
// against a baseline measured in the same run; they assert nothing.
export function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export function ms(n: number): string {
  return `${n.toFixed(2)} ms`;
}

export async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
