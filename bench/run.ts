/**
 * One `mdmca bench` run: the hardware bound (openssl speed), then each target in turn under the same load
 * (ours, or a --target URL; then micromdm's scepserver with --peer), each with a warm-up, a measured run,
 * the server's CPU and RSS when we can see its processes, and a full check of a sample of replies.
 */
import type { SigningMode } from '../core/pki/algorithms.js';
import { DEFAULT_SCEP_CHALLENGE } from '../fixtures/defaults.js';
import { measureBound, type MeasuredBound } from './bound.js';
import type { BenchServerKind } from './bench-server.js';
import { classifyCertRep, readCertRepStatus } from './certrep-status.js';
import { runLoad, type LoadResult, type PoolCursor } from './load.js';
import { machineInfo } from './machine.js';
import { startOurServer, type OurServer } from './ours.js';
import { startMicromdmPeer, type PeerServer } from './peer.js';
import { watchProcesses, type ProcessStats } from './process-stats.js';
import { type ClientKey, generateClientKeys, PoolBuilder } from './request-pool.js';
import {
  type BenchPlots,
  type BenchResult,
  latencyHistogram,
  ms,
  type PeerFields,
  type Scenario,
  type TargetResult,
  timingsPerRequest,
} from './result.js';
import { SampleKeeper, verifyCaCertSamples, verifyCertRepSamples } from './verify-sample.js';
import { fallbackStatus } from './certrep-fallback.js';
import { fetchExchangeTimings } from './server-timings.js';
import { isVendorScenario, prepareVendorLoad, type VendorLoad } from './vendor.js';

export interface BenchOptions {
  scenario: Scenario;
  /** A SCEP URL to load instead of ours (e.g. https://ca.example/scep). */
  target?: string;
  connections: number;
  /** Default 10 s; ignored when `requests` is given. */
  durationSeconds?: number;
  requests?: number;
  /** Seconds of load before measuring (its requests are not counted). Default 2. */
  warmupSeconds?: number;
  /** The challenge password in every CSR; default the embedded simulator's. */
  challenge?: string;
  /** Also run micromdm's scepserver under the same load. */
  peer?: boolean;
  /** Our server's processes (cluster workers when > 1). Default: the cores. */
  workers?: number;
  server?: BenchServerKind;
  store?: 'sqlite' | 'memory';
  /** Where our server signs: libuv's pool or inline (see core/pki/algorithms.ts). Default: inline with workers > 1. */
  signing?: SigningMode;
  /** Our server in this process (the smoke test). */
  inProcess?: boolean;
  /** openssl speed seconds (per operation). Default 3. */
  boundSeconds?: number;
  cores?: number;
  /** RSA-2048 client keys the requests are spread over. Default 32. */
  clientKeys?: number;
  cpuProfileDir?: string;
  log?: (line: string) => void;
}

const PKI_MESSAGE = 'application/x-pki-message';
/** Requests built per second of warm-up, at most: the warm-up also tells how fast the target is. */
const WARMUP_RATE = 1000;

export async function runBench(options: BenchOptions): Promise<{ result: BenchResult; plots: BenchPlots }> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const log = options.log ?? (() => undefined);
  const machine = machineInfo();
  const cores = options.cores ?? machine.cores;
  const durationSeconds = options.durationSeconds ?? 10;
  const warmupSeconds = options.warmupSeconds ?? 2;
  const challenge = options.challenge ?? DEFAULT_SCEP_CHALLENGE;
  const notes: string[] = [];
  if (machine.loadAverage > cores * 0.5) notes.push(`load average ${machine.loadAverage} at start: other work shares the ${cores} cores`);

  const scenario = options.scenario;
  const pkcsReq = scenario === 'scep-pkcsreq';
  // A vendor issuance signs once (the certificate); a SCEP one three times.
  const vendor = isVendorScenario(scenario);
  if (vendor && (options.target !== undefined || options.peer || options.server === 'bare')) {
    throw new Error(`${scenario} runs against our embedded simulators only (no --target, --peer or --server bare)`);
  }
  log(`bound: openssl speed -multi ${cores} rsa2048 (${(options.boundSeconds ?? 3) * 2} s)`);
  const bound = await measureBound({ cores, seconds: options.boundSeconds ?? 3, kind: vendor ? 'csr' : 'scep' });
  log(`bound: ${Math.round(bound.privateOpsPerSecond)} RSA-2048 signatures/s = ${Math.round(bound.issuancesPerSecond)} ${vendor ? 'CSR' : 'SCEP'} issuances/s`);

  // Requests are built before each run: the warm-up's at up to WARMUP_RATE per second, the measured run's at
  // the rate the warm-up showed with a margin (without a warm-up, at the bound: nobody goes faster for long).
  const boundRate = bound.issuancesPerSecond;
  const warmupPool = Math.ceil(Math.min(boundRate, WARMUP_RATE) * warmupSeconds * 1.2) + options.connections;
  const measuredPool = (warmupRate: number | undefined) =>
    options.requests !== undefined
      ? options.requests + options.connections
      : Math.ceil((warmupRate === undefined ? boundRate : Math.max(50, warmupRate * 1.6)) * durationSeconds * 1.1) + options.connections * 2;
  let keys: ClientKey[] = [];
  let keygenSeconds = 0;
  if (pkcsReq) {
    const count = Math.max(1, options.clientKeys ?? 32);
    log(`client keys: generating ${count} RSA-2048 keys`);
    const keygenStarted = performance.now();
    keys = await generateClientKeys(count, startedAt.replace(/\D/g, '').slice(0, 14));
    keygenSeconds = (performance.now() - keygenStarted) / 1000;
  }
  const runId = `${Date.now().toString(36)}`;
  const plots: BenchPlots = { targets: [] };
  let buildSeconds = keygenSeconds;
  let poolRequests = 0;

  const measure = async (
    name: string,
    url: string,
    builder: PoolBuilder | undefined,
    pids: number[] | undefined,
    vendorLoad?: VendorLoad,
  ): Promise<{ target: TargetResult; load: LoadResult; stats?: ProcessStats }> => {
    const cursor: PoolCursor = { next: 0, reused: 0 };
    let samples = new SampleKeeper();
    const classify = (status: number, body: Uint8Array, poolIndex: number): string | undefined => {
      if (vendorLoad) {
        const kind = vendorLoad.classify(status, body);
        if (kind === undefined) samples.offer(body, poolIndex);
        return kind;
      }
      if (status !== 200) return `HTTP ${status}`;
      if (!pkcsReq) {
        if (body[0] !== 0x30) return 'GetCACert body is not DER';
        samples.offer(body, poolIndex);
        return undefined;
      }
      const kind = classifyCertRep(readCertRepStatus(body) ?? fallbackStatus(body));
      if (kind === undefined) samples.offer(body, poolIndex);
      return kind;
    };
    const load = vendorLoad
      ? {
          url: vendorLoad.url,
          method: 'POST' as const,
          bodies: vendorLoad.bodies,
          cursor,
          cycle: true,
          contentType: vendorLoad.contentType,
          headers: vendorLoad.headers,
          ...(vendorLoad.tlsOptions ? { tlsOptions: vendorLoad.tlsOptions } : {}),
          connections: options.connections,
        }
      : {
      url: pkcsReq ? `${url}?operation=PKIOperation` : `${url}?operation=GetCACert`,
      method: pkcsReq ? ('POST' as const) : ('GET' as const),
      ...(builder ? { bodies: builder.bodies, cursor, contentType: PKI_MESSAGE } : {}),
      connections: options.connections,
    };
    const grow = async (count: number) => {
      if (!builder || count <= 0) return;
      log(`${name}: building ${count} PKCSReq messages`);
      const started = performance.now();
      await builder.add(count);
      buildSeconds += (performance.now() - started) / 1000;
    };
    let warmup: LoadResult | undefined;
    if (warmupSeconds > 0) {
      await grow(warmupPool);
      log(`${name}: warm-up ${warmupSeconds} s at ${options.connections} connections`);
      warmup = await runLoad({ ...load, durationSeconds: warmupSeconds, classify: (status, body) => classify(status, body, -1) });
      samples = new SampleKeeper();
    }
    const warmupRate = warmup && warmup.durationSeconds > 0 ? warmup.requests / warmup.durationSeconds : undefined;
    if (builder) await grow(cursor.next + measuredPool(warmupRate) - builder.size);
    log(`${name}: measuring ${options.requests !== undefined ? `${options.requests} requests` : `${durationSeconds} s`} at ${options.connections} connections`);
    const watcher = pids ? watchProcesses(pids) : undefined;
    const reusedBefore = cursor.reused;
    const result = await runLoad({
      ...load,
      ...(options.requests !== undefined ? { requests: options.requests } : { durationSeconds }),
      classify,
      onProgress: (completed, elapsed) => log(`${name}: ${completed} responses in ${elapsed.toFixed(0)} s`),
    });
    const stats = watcher?.stop();
    const pool = builder?.pool;
    const sample = vendorLoad ? vendorLoad.verify(samples.samples) : pool ? verifyCertRepSamples(samples.samples, pool) : verifyCaCertSamples(samples.samples);
    if (sample.failures.length > 0) log(`${name}: ${sample.failures.length} of ${sample.checked} sampled replies failed the full check`);
    const errorsByKind = { ...result.errorsByKind };
    for (const failure of sample.failures) errorsByKind[`sample check: ${failure.slice(0, 120)}`] = 1;
    if (cursor.reused > reusedBefore) notes.push(`${name}: the request pool ran out; ${cursor.reused - reusedBefore} requests were resent (not distinct)`);
    if (result.poolExhausted) notes.push(`${name}: the run stopped early when its ${builder?.size} requests were used up`);
    poolRequests += builder?.size ?? 0;
    const target: TargetResult = {
      name,
      url,
      scenario,
      connections: options.connections,
      durationSeconds: ms(result.durationSeconds),
      requests: result.requests,
      errors: result.errors + sample.failures.length,
      errorsByKind,
      throughput: ms(result.throughput),
      latency: { p50: ms(result.latency.p50), p95: ms(result.latency.p95), p99: ms(result.latency.p99), max: ms(result.latency.max) },
      bound: { privateOpsPerSecond: ms(bound.privateOpsPerSecond), issuancesPerSecond: ms(bound.issuancesPerSecond) },
      ratioToBound: pkcsReq || vendor ? ms(result.throughput / bound.issuancesPerSecond) : null,
      sample,
      warmup: { seconds: warmupSeconds, requests: warmup?.requests ?? 0, errors: warmup?.errors ?? 0 },
      poolExhausted: result.poolExhausted,
      ...(stats ? { server: { ...resources(stats, result.requests), pids: stats.pids } } : {}),
    };
    plots.targets.push({
      name,
      timeline: result.timeline,
      histogram: latencyHistogram(result.latencies),
      ...(stats ? { resources: stats.samples } : {}),
    });
    log(`${name}: ${target.throughput} /s, p50 ${target.latency.p50} ms, p99 ${target.latency.p99} ms, ${target.errors} errors`);
    return { target, load: result, ...(stats ? { stats } : {}) };
  };

  const builderFor = async (name: string, url: string): Promise<PoolBuilder | undefined> => {
    if (!pkcsReq) return undefined;
    const caCert = await fetchCaCert(url);
    return new PoolBuilder({
      caCert,
      keys,
      challenge,
      subjectPrefix: `bench-${runId}-${name.replace(/[^A-Za-z0-9]+/g, '').slice(0, 12)}`,
      onProgress: (built, total) => log(`${name}: built ${built}/${total}`),
    });
  };

  // Ours (or the given target).
  let ours: OurServer | undefined;
  let vendorLoad: VendorLoad | undefined;
  let primary: { target: TargetResult };
  try {
    let url = options.target;
    if (!url) {
      const workers = options.inProcess ? 1 : (options.workers ?? cores);
      log(`ours: starting ${workers === 1 ? 'one process' : `${workers} cluster workers`} (${options.server ?? 'embedded'}, ${options.store ?? 'sqlite'})`);
      ours = await startOurServer({
        workers,
        challenge,
        ...(options.server ? { server: options.server } : {}),
        ...(options.store ? { store: options.store } : {}),
        ...(options.inProcess ? { inProcess: true } : {}),
        ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
        signing: options.signing ?? (workers > 1 ? 'inline' : 'pool'),
      });
      url = ours.scepUrl;
    }
    const builder = await builderFor(ours ? 'ours' : 'target', url);
    if (vendor) {
      if (!ours?.vendorUrls) throw new Error(`${scenario}: our server did not report the vendor simulators' URLs`);
      log(`ours: building ${options.clientKeys ?? 32} CSRs (one RSA-2048 key each)`);
      const buildStarted = performance.now();
      vendorLoad = await prepareVendorLoad(scenario, { urls: ours.vendorUrls, csrs: options.clientKeys ?? 32, runId, workers: ours.workers });
      buildSeconds += (performance.now() - buildStarted) / 1000;
      notes.push(...vendorLoad.notes);
      url = vendorLoad.url;
    }
    primary = await measure(ours ? 'ours' : url, url, builder, ours && !ours.inProcess ? ours.pids : undefined, vendorLoad);
    const recorded = ours && pkcsReq ? timingsPerRequest(await fetchExchangeTimings(url)) : undefined;
    if (recorded) primary.target.timings = recorded;
    if (ours) {
      primary.target.server = primary.target.server
        ? { ...primary.target.server, workers: ours.workers, store: ours.store, signing: ours.signing, inProcess: ours.inProcess }
        : undefined;
      if (ours.inProcess) notes.push('ours ran in the load generator\'s process: its CPU and RSS are not reported');
    }
  } finally {
    const closed = ours ? await ours.close() : {};
    const timings = timingsPerRequest(closed.timings);
    if (timings && primary!) primary.target.timings = timings;
  }

  // The peer, under the same load.
  let peerFields: PeerFields | undefined;
  if (options.peer) {
    let peer: PeerServer | undefined;
    try {
      peer = await startMicromdmPeer({ challenge });
      const builder = await builderFor('peer', peer.url);
      const measured = await measure(`${peer.name} ${peer.version}`, peer.url, builder, [peer.pid]);
      const { target } = measured;
      peerFields = {
        name: target.name,
        url: target.url,
        scenario: target.scenario,
        connections: target.connections,
        durationSeconds: target.durationSeconds,
        requests: target.requests,
        errors: target.errors,
        errorsByKind: target.errorsByKind,
        throughput: target.throughput,
        latency: target.latency,
        bound: target.bound,
        ratioToBound: target.ratioToBound,
        sample: target.sample,
        ...(target.server ? { server: target.server } : {}),
      };
    } finally {
      await peer?.close();
    }
  }

  const target = primary.target;
  const result: BenchResult = {
    scenario,
    connections: options.connections,
    durationSeconds: target.durationSeconds,
    requests: target.requests,
    errors: target.errors,
    throughput: target.throughput,
    latency: target.latency,
    bound: target.bound,
    ratioToBound: target.ratioToBound,
    ...(peerFields ? { peer: peerFields, ratioToPeer: peerFields.throughput > 0 ? ms(target.throughput / peerFields.throughput) : null } : {}),
    ...(target.server
      ? {
          cpuPercent: target.server.cpuPercent,
          rssMiB: {
            start: target.server.rssStartMiB,
            peak: target.server.rssPeakMiB,
            end: target.server.rssEndMiB,
            growth: target.server.rssGrowthMiB,
            steadyGrowth: target.server.rssSteadyGrowthMiB,
          },
        }
      : {}),
    errorsByKind: target.errorsByKind,
    target,
    machine,
    boundMeasurement: boundMeasurement(bound),
    pool: {
      requests: vendorLoad ? vendorLoad.bodies.length : poolRequests,
      clientKeys: vendorLoad ? vendorLoad.bodies.length : keys.length,
      buildSeconds: ms(buildSeconds),
      note: vendorLoad
        ? `${vendorLoad.bodies.length} distinct CSRs (own RSA-2048 key and subject each), built before the run and cycled`
        : pkcsReq
        ? `each request has its own subject, transactionID, senderNonce and CSR; they are spread over ${keys.length} RSA-2048 client keys (keys generated before the run)`
        : 'GetCACert needs no request pool',
    },
    startedAt,
    totalSeconds: ms((performance.now() - started) / 1000),
    notes,
  };
  return { result, plots };
}

function resources(stats: ProcessStats, requests: number) {
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    cpuMsPerRequest: requests > 0 ? Math.round((stats.cpuSeconds * 1e6) / requests) / 1000 : 0,
    cpuSeconds: round(stats.cpuSeconds),
    cpuPercent: round(stats.cpuPercent),
    rssStartMiB: round(stats.rssStartMiB),
    rssPeakMiB: round(stats.rssPeakMiB),
    rssEndMiB: round(stats.rssEndMiB),
    rssGrowthMiB: round(stats.rssGrowthMiB),
    rssSteadyGrowthMiB: round(stats.rssSteadyGrowthMiB),
  };
}

function boundMeasurement(bound: MeasuredBound): BenchResult['boundMeasurement'] {
  return { command: bound.command, cores: bound.cores, seconds: bound.seconds, verifyOpsPerSecond: ms(bound.verifyOpsPerSecond) };
}

async function fetchCaCert(url: string): Promise<{ contentType: string; body: Uint8Array }> {
  const response = await fetch(`${url}?operation=GetCACert`, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`GetCACert at ${url} answered HTTP ${response.status}`);
  return { contentType: response.headers.get('content-type') ?? '', body: new Uint8Array(await response.arrayBuffer()) };
}
