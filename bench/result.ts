/**
 * The result of `mdmca bench` as data: what `--json` prints (one object) and what bench.json holds. Times in
 * milliseconds, rates per second. The contract fields come first: scenario, connections, durationSeconds,
 * requests, errors, throughput, latency {p50,p95,p99,max}, bound {privateOpsPerSecond,issuancesPerSecond},
 * ratioToBound, peer {same fields} when a peer ran; then what people need to trust the numbers.
 */
import type { Bound } from './bound.js';
import type { TimingTotals } from './bench-server.js';
import type { MachineInfo } from './machine.js';
import type { ProcessStats } from './process-stats.js';

export const SCENARIOS = ['scep-pkcsreq', 'scep-getcacert', 'globalsign-order', 'symantec-rst'] as const;
export type Scenario = (typeof SCENARIOS)[number];
/** The vendor issuance scenarios (bench/vendor.ts): our GlobalSign and Symantec simulators, one signature per issuance. */
export const VENDOR_SCENARIOS = ['globalsign-order', 'symantec-rst'] as const satisfies readonly Scenario[];
export type VendorScenario = (typeof VENDOR_SCENARIOS)[number];

export function isVendorScenario(scenario: string): scenario is VendorScenario {
  return (VENDOR_SCENARIOS as readonly string[]).includes(scenario);
}

export interface LatencyMs {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** The server's CPU and RSS over the measured window (process-stats.ts), and its CPU per answered request. */
export type ServerResources = Omit<ProcessStats, 'pids' | 'samples'> & {
  /** Server CPU (all its processes) per answered request, ms: whether our code got faster, whatever the load generator costs. */
  cpuMsPerRequest: number;
};

export interface TargetResult {
  /** 'ours', 'micromdm scepserver 2.1.0', or the --target URL. */
  name: string;
  url: string;
  scenario: Scenario;
  connections: number;
  durationSeconds: number;
  requests: number;
  errors: number;
  errorsByKind: Record<string, number>;
  throughput: number;
  latency: LatencyMs;
  bound: Bound;
  /** throughput / bound.issuancesPerSecond; null for GetCACert (no private-key operation). */
  ratioToBound: number | null;
  /** Replies checked in full after the run, and what failed. */
  sample: { checked: number; failures: string[] };
  warmup: { seconds: number; requests: number; errors: number };
  poolExhausted: boolean;
  server?: ServerResources & { pids: number[]; workers?: number; store?: string; signing?: string; inProcess?: boolean };
  /** Where a PKIOperation's time went inside our server (ms per request), when it reported it. */
  timings?: { parse: number; policy: number; issue: number; reply: number; total: number; requests: number };
}

export interface BenchResult {
  scenario: Scenario;
  connections: number;
  durationSeconds: number;
  requests: number;
  errors: number;
  throughput: number;
  latency: LatencyMs;
  bound: Bound;
  ratioToBound: number | null;
  peer?: PeerFields;
  /** ours / peer throughput. */
  ratioToPeer?: number | null;
  /** CPU and RSS of our server (when the target is ours). */
  cpuPercent?: number;
  rssMiB?: { start: number; peak: number; end: number; growth: number; steadyGrowth: number };
  errorsByKind: Record<string, number>;
  target: TargetResult;
  machine: MachineInfo;
  boundMeasurement: { command: string; cores: number; seconds: number; verifyOpsPerSecond: number };
  pool: { requests: number; clientKeys: number; buildSeconds: number; note: string };
  startedAt: string;
  totalSeconds: number;
  notes: string[];
}

export type PeerFields = Pick<
  TargetResult,
  'name' | 'url' | 'scenario' | 'connections' | 'durationSeconds' | 'requests' | 'errors' | 'errorsByKind' | 'throughput' | 'latency' | 'bound' | 'ratioToBound' | 'sample' | 'server'
>;

/** What bench.html plots, per target: kept out of the --json object. */
export interface BenchPlots {
  targets: Array<{
    name: string;
    timeline: Array<{ second: number; ok: number; errors: number }>;
    /** Latency histogram: upper bound of each bin (ms) and its count. */
    histogram: Array<{ upTo: number; count: number }>;
    resources?: ProcessStats['samples'];
  }>;
}

export function ms(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function timingsPerRequest(totals: TimingTotals | undefined): TargetResult['timings'] {
  if (!totals || totals.count === 0) return undefined;
  const per = (value: number) => ms(value / totals.count);
  return {
    parse: per(totals.parseMs),
    policy: per(totals.policyMs),
    issue: per(totals.issueMs),
    reply: per(totals.replyMs),
    total: per(totals.totalMs),
    requests: totals.count,
  };
}

/** Log-spaced latency bins from 0.1 ms, four per decade. */
export function latencyHistogram(latencies: Float64Array): Array<{ upTo: number; count: number }> {
  if (latencies.length === 0) return [];
  let max = 0;
  for (const value of latencies) if (value > max) max = value;
  const edges: number[] = [];
  for (let edge = 0.1; edge < max * 1.78; edge *= 10 ** 0.25) edges.push(Math.round(edge * 1000) / 1000);
  if (edges.length === 0) edges.push(Math.max(0.1, max));
  const counts = new Array<number>(edges.length).fill(0);
  for (const value of latencies) {
    let i = 0;
    while (i < edges.length - 1 && value > edges[i]!) i++;
    counts[i]!++;
  }
  return edges.map((upTo, i) => ({ upTo, count: counts[i]! }));
}
