/**
 * Duration axes for the latency plots. Latencies are skewed (a 2 ms GetCACaps beside a 30 s timeout), so an axis
 * turns logarithmic when the values span more than two decades; otherwise it is linear from zero.
 */

export interface Scale {
  kind: 'linear' | 'log';
  /** Maps a value to [0, 1] (clamped). */
  at(value: number): number;
  /** The value at a position in [0, 1]. */
  invert(position: number): number;
  ticks: number[];
}

/** Smallest duration the log axis shows: sub-10-µs values are timer noise. */
const FLOOR_MS = 0.01;

export function durationScale(values: readonly number[]): Scale {
  const finite = values.filter((v) => Number.isFinite(v) && v >= 0);
  const max = Math.max(FLOOR_MS, ...finite);
  const positive = finite.filter((v) => v > 0);
  const min = positive.length > 0 ? Math.max(FLOOR_MS, Math.min(...positive)) : max;
  return max / min > 100 ? logScale(min, max) : linearScale(max);
}

function linearScale(max: number): Scale {
  const step = niceStep(max / 5);
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= top + step / 2; t += step) ticks.push(roundTick(t));
  return { kind: 'linear', at: (v) => clamp01(v / top), invert: (u) => u * top, ticks };
}

function logScale(min: number, max: number): Scale {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
  const ticks: number[] = [];
  for (let p = lo; p <= hi; p++) {
    ticks.push(roundTick(10 ** p));
    if (hi - lo <= 2 && p < hi) ticks.push(roundTick(2 * 10 ** p), roundTick(5 * 10 ** p));
  }
  return {
    kind: 'log',
    at: (v) => clamp01((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)),
    invert: (u) => 10 ** (lo + u * (hi - lo)),
    ticks,
  };
}

function niceStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const factor = [1, 2, 5, 10].find((f) => f * magnitude >= raw) ?? 10;
  return factor * magnitude;
}

function roundTick(value: number): number {
  return Number(value.toPrecision(6));
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/** An axis label: 0, 0.5 ms, 20 ms, 1 s, 30 s. */
export function tickLabel(ms: number): string {
  if (ms === 0) return '0';
  if (ms >= 1000) return `${Number((ms / 1000).toPrecision(3))} s`;
  return `${Number(ms.toPrecision(3))} ms`;
}

export interface LatencyStats {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

/** Nearest-rank percentiles. */
export function latencyStats(values: readonly number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
  return { count: sorted.length, p50: rank(0.5), p95: rank(0.95), max: sorted[sorted.length - 1] ?? 0 };
}
