/**
 * The CI smoke run of `mdmca bench` (issue 7): a few seconds of load on our SCEP CA, in process, asserting that
 * every request completed without error and that the result has the contract's shape. Throughput targets are
 * measured by hand (bench/README.md), never asserted here: a shared CI machine cannot time them.
 */
import { describe, expect, it } from 'vitest';
import { formatTable } from '../cli/bench.js';
import { toBenchHtml } from './report-html.js';
import { runBench } from './run.js';

const base = { connections: 4, warmupSeconds: 0, boundSeconds: 1, clientKeys: 4, inProcess: true, store: 'memory' as const };

function expectContractShape(result: Record<string, unknown>): void {
  for (const key of ['scenario', 'connections', 'durationSeconds', 'requests', 'errors', 'throughput', 'latency', 'bound', 'ratioToBound']) {
    expect(result, key).toHaveProperty(key);
  }
  const latency = result.latency as Record<string, number>;
  for (const key of ['p50', 'p95', 'p99', 'max']) expect(latency[key]).toBeGreaterThanOrEqual(0);
  const bound = result.bound as Record<string, number>;
  expect(bound.privateOpsPerSecond).toBeGreaterThan(0);
  expect(bound.issuancesPerSecond).toBeCloseTo(bound.privateOpsPerSecond! / 3, 1);
}

describe('mdmca bench smoke', () => {
  it('issues 300 distinct PKCSReqs against our SCEP CA with zero errors', async () => {
    const { result, plots } = await runBench({ ...base, scenario: 'scep-pkcsreq', requests: 300 });
    expect(result.errorsByKind).toEqual({});
    expect(result.errors).toBe(0);
    expect(result.requests).toBe(300);
    expect(result.throughput).toBeGreaterThan(0);
    expect(result.ratioToBound).toBeGreaterThan(0);
    expect(result.target.sample.checked).toBeGreaterThan(0);
    expect(result.target.sample.failures).toEqual([]);
    expectContractShape(result as unknown as Record<string, unknown>);
    const json = JSON.parse(JSON.stringify(result)) as Record<string, unknown>;
    expect(json.scenario).toBe('scep-pkcsreq');
    expect(formatTable(result)).toContain('throughput /s');
    expect(toBenchHtml(result, plots)).toContain('<svg');
  }, 60_000);

  it('answers GetCACert for two seconds with zero errors', async () => {
    const { result } = await runBench({ ...base, scenario: 'scep-getcacert', durationSeconds: 2 });
    expect(result.errors).toBe(0);
    expect(result.requests).toBeGreaterThan(0);
    expect(result.ratioToBound).toBeNull();
    expectContractShape(result as unknown as Record<string, unknown>);
  }, 60_000);
});
