/** Latency statistics of a fleet run: nearest-rank percentiles per step. */

export interface LatencySummary {
  count: number;
  failed: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** The nearest-rank percentile of sorted values (0 for none). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export class LatencyRecorder {
  private readonly values: number[] = [];
  private failures = 0;

  add(ms: number, ok = true): void {
    this.values.push(ms);
    if (!ok) this.failures++;
  }

  summary(): LatencySummary {
    const sorted = [...this.values].sort((a, b) => a - b);
    const total = sorted.reduce((sum, v) => sum + v, 0);
    const round = (v: number) => Math.round(v * 100) / 100;
    return {
      count: sorted.length,
      failed: this.failures,
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? 0),
      mean: round(sorted.length ? total / sorted.length : 0),
    };
  }
}
