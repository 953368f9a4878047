import { describe, expect, it } from 'vitest';
import { AdjustableClock, FixedClock } from '../core/clock.js';
import { loopbackPeer, type Handler } from '../core/http.js';
import { clockAdminRoutes, faultAdminRoutes } from './admin-routes.js';
import { DropConnection, FaultInjector, type FaultConfigInput } from './faults.js';
import { createRouter, route, text } from './router.js';

const ok: Handler = async () => new Response('ok');
const req = (path: string, method = 'GET', body?: unknown) =>
  new Request(`http://sim.test${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

/** Outcome of one call through a wrapped handler: 'pass', 'error:<status>' or 'drop'. */
async function outcome(handler: Handler, path = '/scep'): Promise<string> {
  try {
    const response = await handler(req(path), loopbackPeer);
    return response.status === 200 ? 'pass' : `error:${response.status}`;
  } catch (error) {
    if (error instanceof DropConnection) return 'drop';
    throw error;
  }
}

const noSleep = { sleep: async () => undefined };

describe('FaultInjector', () => {
  const mixed: FaultConfigInput = { seed: 42, rules: [{ errorRate: 0.2, dropRate: 0.1, latencyMs: { min: 1, max: 9 } }] };

  it('makes the same decisions for the same seed, and different ones for another seed', async () => {
    const run = async (seed: number) => {
      const waits: number[] = [];
      const injector = new FaultInjector({ ...mixed, seed }, { sleep: async (ms) => void waits.push(ms) });
      const handler = injector.wrap(ok);
      const outcomes: string[] = [];
      for (let i = 0; i < 300; i++) outcomes.push(await outcome(handler));
      return { outcomes, waits };
    };
    const a = await run(42);
    const b = await run(42);
    expect(b).toEqual(a);
    expect(new Set(a.outcomes)).toEqual(new Set(['pass', 'error:503', 'drop']));
    expect(Math.min(...a.waits)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...a.waits)).toBeLessThanOrEqual(9);
    expect(new Set(a.waits).size).toBeGreaterThan(5);
    expect((await run(43)).outcomes).not.toEqual(a.outcomes);

    // set() restarts the sequence from the seed.
    const injector = new FaultInjector(mixed, noSleep);
    const first = Array.from({ length: 50 }, () => injector.decide('GET', '/scep'));
    injector.set(mixed);
    expect(Array.from({ length: 50 }, () => injector.decide('GET', '/scep'))).toEqual(first);
  });

  it('injects errors at the configured rate (2 000 calls, seed 7)', async () => {
    const injector = new FaultInjector(
      { seed: 7, rules: [{ errorRate: 0.25, errorStatus: 500, errorBody: 'CA unavailable' }] },
      noSleep,
    );
    const handler = injector.wrap(ok);
    let errors = 0;
    for (let i = 0; i < 2000; i++) {
      const response = await handler(req('/scep'), loopbackPeer);
      if (response.status === 500) {
        errors++;
        if (errors === 1) expect(await response.text()).toBe('CA unavailable');
      }
    }
    expect(errors / 2000).toBeGreaterThan(0.22);
    expect(errors / 2000).toBeLessThan(0.28);
    expect(injector.get().counters).toEqual({ requests: 2000, latency: 0, error: errors, drop: 0 });
  });

  it('drops connections at the configured rate', async () => {
    const injector = new FaultInjector({ seed: 3, rules: [{ dropRate: 0.5 }] }, noSleep);
    const handler = injector.wrap(ok);
    const outcomes = await Promise.all(Array.from({ length: 2000 }, () => outcome(handler)));
    const drops = outcomes.filter((o) => o === 'drop').length;
    expect(drops / 2000).toBeGreaterThan(0.46);
    expect(drops / 2000).toBeLessThan(0.54);
    expect(injector.get().counters.drop).toBe(drops);
    const always = new FaultInjector({ rules: [{ dropRate: 1 }] }).wrap(ok);
    await expect(always(req('/x'), loopbackPeer)).rejects.toBeInstanceOf(DropConnection);
  });

  it('delays by the configured latency, in real time', async () => {
    const handler = new FaultInjector({ rules: [{ latencyMs: 60 }] }).wrap(ok);
    const started = performance.now();
    expect((await handler(req('/scep'), loopbackPeer)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('applies the first matching rule, by path prefix and method, and never faults admin paths', async () => {
    const injector = new FaultInjector(
      {
        rules: [
          { match: { pathPrefix: '/scep', method: 'post' }, errorRate: 1, errorStatus: 502 },
          { match: { pathPrefix: '/scep' }, errorRate: 1, errorStatus: 504 },
          { errorRate: 1 },
        ],
      },
      noSleep,
    );
    const handler = injector.wrap(ok);
    expect((await handler(req('/scep', 'POST'), loopbackPeer)).status).toBe(502);
    expect((await handler(req('/scep?operation=GetCACert'), loopbackPeer)).status).toBe(504);
    expect((await handler(req('/other'), loopbackPeer)).status).toBe(503);
    expect((await handler(req('/__mdmca/scep-ca/faults'), loopbackPeer)).status).toBe(200);
    expect(injector.get().counters.requests).toBe(3);
  });

  it('skews an AdjustableClock by clockSkewMs, and takes the skew back on reset', () => {
    const clock = new AdjustableClock(new FixedClock(new Date('2025-01-01T00:00:00Z')));
    clock.advance(1000); // an admin move that the skew must compose with
    const injector = new FaultInjector({ clockSkewMs: -300_000 }, { clock });
    expect(clock.now().toISOString()).toBe('2024-12-31T23:55:01.000Z');
    injector.set({ clockSkewMs: 60_000 });
    expect(clock.offset).toBe(61_000);
    injector.reset();
    expect(clock.offset).toBe(1000);
  });

  it('validates configuration', () => {
    const injector = new FaultInjector();
    expect(() => injector.set({ rules: [{ errorRate: 2 }] })).toThrow();
    expect(() => injector.set({ rules: [{ latencyMs: { min: 5, max: 1 } }] })).toThrow();
    expect(injector.get().config).toEqual({ seed: 1, rules: [], clockSkewMs: 0 });
  });
});

describe('admin routes', () => {
  const setup = () => {
    const clock = new AdjustableClock(new FixedClock(new Date('2025-01-01T00:00:00Z')));
    const injector = new FaultInjector({}, { clock, sleep: async () => undefined });
    const handler = injector.wrap(
      createRouter([
        ...faultAdminRoutes('scep-ca', injector),
        ...clockAdminRoutes('scep-ca', clock),
        route('GET', '/scep', () => text('ok')),
      ]),
    );
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await handler(req(path, method, body), loopbackPeer);
      return { status: response.status, body: await response.json().catch(() => null) };
    };
    return { call, clock, handler };
  };

  it('reads, replaces and resets the fault configuration', async () => {
    const { call, handler } = setup();
    expect(await call('GET', '/__mdmca/scep-ca/faults')).toEqual({
      status: 200,
      body: { config: { seed: 1, rules: [], clockSkewMs: 0 }, counters: { requests: 0, latency: 0, error: 0, drop: 0 } },
    });
    const put = await call('PUT', '/__mdmca/scep-ca/faults', { seed: 9, rules: [{ match: { pathPrefix: '/scep' }, errorRate: 1 }] });
    expect(put.status).toBe(200);
    expect(put.body.config.rules).toHaveLength(1);
    expect((await handler(req('/scep'), loopbackPeer)).status).toBe(503);
    expect((await call('GET', '/__mdmca/scep-ca/faults')).body.counters).toMatchObject({ requests: 1, error: 1 });
    expect((await call('DELETE', '/__mdmca/scep-ca/faults')).body.config.rules).toEqual([]);
    expect((await handler(req('/scep'), loopbackPeer)).status).toBe(200);
  });

  it('refuses an invalid configuration with every issue and its path', async () => {
    const { call } = setup();
    const bad = await call('PUT', '/__mdmca/scep-ca/faults', {
      seed: -1,
      rules: [{ errorRate: 3, match: { pathPrefix: 'scep' } }, { latencyMs: 'slow', bogus: true }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    const paths = bad.body.error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['seed', 'rules[0].errorRate', 'rules[0].match.pathPrefix', 'rules[1].latencyMs', 'rules[1]']));
    expect((await call('PATCH', '/__mdmca/scep-ca/faults', {})).status).toBe(405);
  });

  it('reads and moves the clock', async () => {
    const { call } = setup();
    expect(await call('GET', '/__mdmca/scep-ca/clock')).toEqual({ status: 200, body: { now: '2025-01-01T00:00:00.000Z', offsetMs: 0 } });
    expect((await call('POST', '/__mdmca/scep-ca/clock', { advanceMs: 86_400_000 })).body).toEqual({
      now: '2025-01-02T00:00:00.000Z',
      offsetMs: 86_400_000,
    });
    expect((await call('POST', '/__mdmca/scep-ca/clock', { set: '2030-06-01T00:00:00Z' })).body.now).toBe('2030-06-01T00:00:00.000Z');
    const bad = await call('POST', '/__mdmca/scep-ca/clock', { set: 'tomorrow' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.length).toBeGreaterThan(0);
  });
});
