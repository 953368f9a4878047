/**
 * Fault injection shared by every simulator, in the manner of WireMock's faults and Pebble's deliberate
 * misbehaviour: latency, error responses, dropped connections and clock skew, switched on by configuration.
 * Decisions come from a seeded PRNG, so the same seed and the same request sequence give the same faults.
 */
import { z } from 'zod';
import type { AdjustableClock } from '../core/clock.js';
import type { Handler } from '../core/http.js';

/** Thrown by a handler to make the adapter close the connection without any response. */
export class DropConnection extends Error {
  constructor(message = 'connection dropped') {
    super(message);
    this.name = 'DropConnection';
  }
}

const latencySchema = z.union([
  z.number().int().min(0).max(600_000),
  z
    .object({ min: z.number().int().min(0).max(600_000), max: z.number().int().min(0).max(600_000) })
    .strict()
    .refine((l) => l.min <= l.max, { message: 'min must not exceed max', path: ['min'] }),
]);

export const faultRuleSchema = z
  .object({
    match: z
      .object({
        pathPrefix: z.string().startsWith('/', { message: 'must start with "/"' }).optional(),
        method: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    latencyMs: latencySchema.optional(),
    errorRate: z.number().min(0).max(1).optional(),
    errorStatus: z.number().int().min(400).max(599).optional(),
    errorBody: z.string().optional(),
    dropRate: z.number().min(0).max(1).optional(),
  })
  .strict();

export const faultConfigSchema = z
  .object({
    seed: z.number().int().min(0).max(0xffff_ffff).default(1),
    rules: z.array(faultRuleSchema).default([]),
    clockSkewMs: z.number().int().default(0),
  })
  .strict();

export type FaultRule = z.output<typeof faultRuleSchema>;
export type FaultConfig = z.output<typeof faultConfigSchema>;
export type FaultConfigInput = z.input<typeof faultConfigSchema>;

export type FaultKind = 'latency' | 'error' | 'drop';

export interface FaultCounters {
  /** Requests that went through the injector (admin paths excluded). */
  requests: number;
  latency: number;
  error: number;
  drop: number;
}

export interface FaultDecision {
  /** Index of the rule that applied; -1 when none did. */
  rule: number;
  latencyMs: number;
  outcome: 'pass' | 'error' | 'drop';
}

/** mulberry32: a tiny, well-mixed 32-bit PRNG; plenty for test decisions, and reproducible from a seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The path of an absolute URL without parsing it whole (this runs on every request). */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start === -1) return '/';
  const end = url.indexOf('?', start);
  return end === -1 ? url.slice(start) : url.slice(start, end);
}

/** Admin surfaces are never faulted: a suite must always be able to switch faults off again. */
const ADMIN_PREFIX = '/__mdmca/';

export interface FaultInjectorOptions {
  /** Receives clockSkewMs; the injector moves it by the difference whenever the skew changes. */
  clock?: AdjustableClock;
  /** How latency is waited; tests may replace it. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class FaultInjector {
  private config: FaultConfig;
  private random: () => number;
  private counters: FaultCounters = { requests: 0, latency: 0, error: 0, drop: 0 };
  private appliedSkewMs = 0;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    config: FaultConfigInput = {},
    private readonly options: FaultInjectorOptions = {},
  ) {
    this.sleep = options.sleep ?? realSleep;
    this.config = faultConfigSchema.parse(config);
    this.random = mulberry32(this.config.seed);
    this.applySkew();
  }

  get(): { config: FaultConfig; counters: FaultCounters } {
    return { config: structuredClone(this.config), counters: { ...this.counters } };
  }

  /** Replaces the configuration (validated: throws a ZodError), restarts the PRNG from its seed, zeroes counters. */
  set(config: FaultConfigInput): FaultConfig {
    this.config = faultConfigSchema.parse(config);
    this.random = mulberry32(this.config.seed);
    this.counters = { requests: 0, latency: 0, error: 0, drop: 0 };
    this.applySkew();
    return structuredClone(this.config);
  }

  /** No rules, no skew, seed 1, counters zeroed. */
  reset(): void {
    this.set({});
  }

  /**
   * The fault for one request. A matching rule always draws three numbers (drop, error, latency), whatever it
   * configures, so the sequence of decisions depends only on the seed and the sequence of matching requests.
   */
  decide(method: string, pathname: string): FaultDecision {
    const rules = this.config.rules;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (rule.match?.pathPrefix !== undefined && !pathname.startsWith(rule.match.pathPrefix)) continue;
      if (rule.match?.method !== undefined && rule.match.method.toUpperCase() !== method.toUpperCase()) continue;
      const dropDraw = this.random();
      const errorDraw = this.random();
      const latencyDraw = this.random();
      const outcome = dropDraw < (rule.dropRate ?? 0) ? 'drop' : errorDraw < (rule.errorRate ?? 0) ? 'error' : 'pass';
      return { rule: i, latencyMs: latencyOf(rule, latencyDraw), outcome };
    }
    return { rule: -1, latencyMs: 0, outcome: 'pass' };
  }

  wrap(handler: Handler): Handler {
    return async (request, peer) => {
      if (this.config.rules.length === 0) return handler(request, peer);
      const pathname = pathOf(request.url);
      if (pathname.startsWith(ADMIN_PREFIX)) return handler(request, peer);
      this.counters.requests++;
      const decision = this.decide(request.method, pathname);
      if (decision.latencyMs > 0) {
        this.counters.latency++;
        await this.sleep(decision.latencyMs);
      }
      if (decision.outcome === 'drop') {
        this.counters.drop++;
        throw new DropConnection('connection dropped by fault injection');
      }
      if (decision.outcome === 'error') {
        this.counters.error++;
        const rule = this.config.rules[decision.rule]!;
        const status = rule.errorStatus ?? 503;
        return new Response(rule.errorBody ?? `Injected fault: HTTP ${status}\n`, {
          status,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        });
      }
      return handler(request, peer);
    };
  }

  private applySkew(): void {
    const clock = this.options.clock;
    if (!clock) return;
    clock.advance(this.config.clockSkewMs - this.appliedSkewMs);
    this.appliedSkewMs = this.config.clockSkewMs;
  }
}

function latencyOf(rule: FaultRule, draw: number): number {
  const latency = rule.latencyMs;
  if (latency === undefined) return 0;
  if (typeof latency === 'number') return latency;
  return latency.min + Math.floor(draw * (latency.max - latency.min + 1));
}
