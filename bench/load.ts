/**
 * One load run with autocannon: N keep-alive connections, each sending the next body of a shared pool (so every
 * request is distinct) or the same GET, for a duration or a number of requests. Every response is classified by
 * the caller (HTTP status, then pkiStatus/failInfo); latencies are kept exactly, so p50/p95/p99 are not
 * histogram estimates, and completions are bucketed per second for the throughput plot.
 *
 * autocannon hands response bodies to callbacks as UTF-8 strings, which mangles DER; so each client's HTTP
 * parser body callback is replaced by one that keeps the raw bytes (and skips the string building).
 */
import autocannon from 'autocannon';

export interface PoolCursor {
  next: number;
  /** Requests that found the pool used up (sent again from its start, so not distinct). */
  reused: number;
}

export interface LoadOptions {
  /** Full URL, query included (…/scep?operation=PKIOperation). */
  url: string;
  method: 'GET' | 'POST';
  /** POST bodies, one per request, taken in order through `cursor`. */
  bodies?: readonly Uint8Array[];
  cursor?: PoolCursor;
  contentType?: string;
  /** More request headers (e.g. SOAPAction). */
  headers?: Record<string, string>;
  /** Take `bodies` round and round instead of stopping when they are used up (pools that may repeat). */
  cycle?: boolean;
  /** TLS client options for https URLs (autocannon's tlsOptions: pfx, passphrase, ca). */
  tlsOptions?: Record<string, unknown>;
  connections: number;
  /** Ignored when `requests` is given. */
  durationSeconds?: number;
  requests?: number;
  /** undefined for a good response, else the error class ('HTTP 500', 'FAILURE badRequest', …). */
  classify(status: number, body: Uint8Array, poolIndex: number): string | undefined;
  timeoutSeconds?: number;
  /** Called about once a second with the completions so far. */
  onProgress?: (completed: number, elapsedSeconds: number) => void;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  /** Completed responses (good and bad). */
  requests: number;
  errors: number;
  errorsByKind: Record<string, number>;
  /** From the first request to the last response. */
  durationSeconds: number;
  /** Good responses per second. */
  throughput: number;
  latency: LatencySummary;
  /** Per second of the run: good and bad completions. */
  timeline: Array<{ second: number; ok: number; errors: number }>;
  /** Every latency in ms, in completion order (for histograms). */
  latencies: Float64Array;
  /** True when a duration run used up its pool and stopped early. */
  poolExhausted: boolean;
}

/** http-parser-js's kOnBody slot (autocannon 8 parses responses with http-parser-js). */
const K_ON_BODY = 3;

interface ClientState {
  chunks: Buffer[];
  poolIndex: number;
}

type ParserClient = { parser: Record<number, unknown>; requestIterator?: unknown };

class LatencyLog {
  private values = new Float64Array(4096);
  length = 0;
  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
  toArray(): Float64Array {
    return this.values.slice(0, this.length);
  }
}

export function summarizeLatencies(latencies: Float64Array): LatencySummary {
  if (latencies.length === 0) return { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  const sorted = Float64Array.from(latencies).sort();
  // Nearest-rank percentiles.
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  let sum = 0;
  for (const value of sorted) sum += value;
  return { p50: at(50), p95: at(95), p99: at(99), max: sorted[sorted.length - 1]!, mean: sum / sorted.length };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  const bodies = options.bodies;
  const cursor = options.cursor ?? { next: 0, reused: 0 };
  const states = new WeakMap<object, ClientState>();
  const latencies = new LatencyLog();
  const errorsByKind: Record<string, number> = {};
  const perSecond: Array<{ ok: number; errors: number }> = [];
  let completed = 0;
  let good = 0;
  let errors = 0;
  let poolExhausted = false;
  let firstRequestAt = 0;
  let lastResponseAt = 0;
  let instance: autocannon.Instance | undefined;

  const count = (kind: string) => {
    errors++;
    errorsByKind[kind] = (errorsByKind[kind] ?? 0) + 1;
  };
  const bucket = (now: number) => {
    const second = Math.floor((now - firstRequestAt) / 1000);
    while (perSecond.length <= second) perSecond.push({ ok: 0, errors: 0 });
    return perSecond[second]!;
  };

  const headers: Record<string, string> = { ...(options.contentType ? { 'content-type': options.contentType } : {}), ...options.headers };
  const request: autocannon.Request = {
    method: options.method,
    path: `${url.pathname}${url.search}`,
    headers,
  };
  if (bodies) {
    if (bodies.length === 0) throw new Error('the request pool is empty');
    request.setupRequest = (req, context) => {
      let index = cursor.next++;
      if (index >= bodies.length && options.cycle) index %= bodies.length;
      else if (index >= bodies.length) {
        cursor.reused++;
        index %= bodies.length;
        if (options.requests === undefined && !poolExhausted) {
          poolExhausted = true;
          setImmediate(() => (instance as unknown as { stop(): void } | undefined)?.stop());
        }
      }
      (context as { poolIndex?: number }).poolIndex = index;
      const body = bodies[index]!;
      return { ...req, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
    };
  }

  const setupClient = (client: autocannon.Client) => {
    const state: ClientState = { chunks: [], poolIndex: -1 };
    states.set(client, state);
    // The parser's callbacks are installed after setupClient returns, and no response can arrive before then.
    queueMicrotask(() => {
      const parser = (client as unknown as ParserClient).parser;
      if (typeof parser?.[K_ON_BODY] !== 'function') throw new Error('autocannon internals changed: cannot capture response bodies');
      parser[K_ON_BODY] = (chunk: Buffer, start: number, length: number) => {
        state.chunks.push(chunk.subarray(start, start + length));
      };
    });
  };

  firstRequestAt = performance.now();
  const progress = options.onProgress
    ? setInterval(() => options.onProgress!(completed, (performance.now() - firstRequestAt) / 1000), 1000)
    : undefined;
  try {
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      instance = autocannon(
        {
          url: `${url.protocol}//${url.host}`,
          connections: options.connections,
          ...(options.requests !== undefined ? { amount: options.requests } : { duration: options.durationSeconds ?? 10 }),
          timeout: options.timeoutSeconds ?? 30,
          requests: [request],
          ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
          setupClient,
          sampleInt: 250,
          // Our own accounting below is what we report.
          skipAggregateResult: true,
        } as autocannon.Options,
        (error, result) => (error ? reject(error) : resolve(result)),
      );
      instance.on('response', (client: autocannon.Client, status: number, _bytes: number, responseTime: number) => {
        const now = performance.now();
        lastResponseAt = now;
        completed++;
        latencies.push(responseTime);
        const state = states.get(client);
        const body = state ? (state.chunks.length === 1 ? state.chunks[0]! : Buffer.concat(state.chunks)) : Buffer.alloc(0);
        if (state) state.chunks = [];
        const iterator = (client as unknown as { requestIterator?: { context?: { poolIndex?: number } } }).requestIterator;
        const kind = options.classify(status, body, iterator?.context?.poolIndex ?? -1);
        const slot = bucket(now);
        if (kind === undefined) {
          slot.ok++;
          good++;
        } else {
          slot.errors++;
          count(kind);
        }
      });
      instance.on('reqError', (error: Error & { code?: string }) => {
        const now = performance.now();
        const kind = /timed? ?out/i.test(error.message) ? 'timeout' : `connection ${error.code ?? error.message}`;
        count(kind);
        bucket(now).errors++;
      });
    });
    void result;
  } finally {
    if (progress) clearInterval(progress);
  }
  const elapsedMs = (lastResponseAt || performance.now()) - firstRequestAt;
  const durationSeconds = Math.max(elapsedMs, 1) / 1000;
  const all = latencies.toArray();
  return {
    requests: completed,
    errors,
    errorsByKind,
    durationSeconds,
    throughput: good / durationSeconds,
    latency: summarizeLatencies(all),
    // The last second is usually partial: leave it out of the per-second plot (it is in every total).
    timeline: perSecond.map((slot, second) => ({ second, ...slot })).filter((slot, i, all) => all.length === 1 || slot.second + 1 <= durationSeconds),
    latencies: all,
    poolExhausted,
  };
}
