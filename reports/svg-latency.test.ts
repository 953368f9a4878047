import { describe, expect, it } from 'vitest';
import type { Exchange } from '../suites/model.js';
import { checkDurationChart, durationHistogram, exchangeStripChart } from './svg-latency.js';
import { durationScale, latencyStats, tickLabel } from './svg-scale.js';

const exchange = (label: string, durationMs: number, status = 200): Exchange => ({
  label,
  from: 'device',
  to: 'scep-ca',
  method: 'GET',
  url: `http://127.0.0.1/scep?operation=${label}`,
  status,
  requestBytes: 0,
  responseBytes: 0,
  startedAt: 0,
  durationMs,
});

describe('durationScale', () => {
  it('is linear from zero with round ticks when values are close', () => {
    const scale = durationScale([3, 12, 37]);
    expect(scale.kind).toBe('linear');
    expect(scale.ticks).toEqual([0, 10, 20, 30, 40]);
    expect(scale.at(0)).toBe(0);
    expect(scale.at(20)).toBe(0.5);
    expect(scale.at(1e9)).toBe(1);
    expect(scale.invert(0.5)).toBe(20);
  });

  it('turns logarithmic when values span more than two decades', () => {
    const scale = durationScale([0.5, 3, 30_000]);
    expect(scale.kind).toBe('log');
    expect(scale.ticks).toEqual([0.1, 1, 10, 100, 1000, 10_000, 100_000]);
    expect(scale.at(10)).toBeCloseTo(2 / 6);
    expect(scale.at(0)).toBe(0);
    expect(scale.invert(scale.at(42))).toBeCloseTo(42);
  });

  it('copes with empty, zero and non-finite input', () => {
    for (const values of [[], [0], [0, 0], [Number.NaN, Infinity, 5]]) {
      const scale = durationScale(values);
      expect(scale.ticks.length).toBeGreaterThan(1);
      expect(Number.isFinite(scale.at(1))).toBe(true);
    }
  });

  it('labels ticks and computes nearest-rank percentiles', () => {
    expect([0, 0.5, 20, 1000, 30_000].map(tickLabel)).toEqual(['0', '0.5 ms', '20 ms', '1 s', '30 s']);
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(latencyStats(values)).toEqual({ count: 100, p50: 50, p95: 95, max: 100 });
    expect(latencyStats([])).toEqual({ count: 0, p50: 0, p95: 0, max: 0 });
  });
});

describe('latency plots', () => {
  it('draws a bar per check coloured by status', () => {
    const svg = checkDurationChart(
      [{ id: 'A', status: 'pass', durationMs: 3 }, { id: 'B', status: 'fail', durationMs: 30 }, { id: 'C', status: 'skip', durationMs: 0 }],
      'checks',
    );
    expect(svg.match(/<rect class="lt-(pass|fail|skip)"/g)).toEqual(['<rect class="lt-pass"', '<rect class="lt-fail"', '<rect class="lt-skip"']);
    expect(svg).toContain('aria-label="checks"');
    expect(checkDurationChart([], 'none')).toBe('');
  });

  it('draws a row per kind of exchange, a dot per exchange and a median, folding rare kinds into "other"', () => {
    const exchanges = [exchange('GetCACaps', 1), exchange('GetCACaps', 2), exchange('GetCACaps', 9), exchange('PKIOperation', 20, 500)];
    const svg = exchangeStripChart(exchanges, 'strip');
    expect(svg.match(/<circle/g)).toHaveLength(4);
    expect(svg.match(/class="lt-err"/g)).toHaveLength(1);
    expect(svg).toContain('>GetCACaps (3)<');
    expect(svg).toContain('<title>median 2.00 ms</title>');
    const many = Array.from({ length: 20 }, (_, i) => exchange(`op${i}`, i + 1));
    const folded = exchangeStripChart(many, 'strip', 5);
    expect(folded.match(/class="lt-median"/g)).toHaveLength(5);
    expect(folded).toContain('>other (16)<');
    expect(exchangeStripChart([], 'none')).toBe('');
  });

  it('puts every value in exactly one histogram bin', () => {
    const values = [0.2, 0.3, 1, 1.5, 2, 8, 40, 41, 300, 30_000];
    const svg = durationHistogram(values, 'histogram', 12);
    const counts = [...svg.matchAll(/<title>(\d+) in /g)].map((m) => Number(m[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(values.length);
    expect(svg).toContain('>log<');
    expect(durationHistogram([], 'none')).toBe('');
  });
});
