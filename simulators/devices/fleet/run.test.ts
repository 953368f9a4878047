/** A small fleet against the stand-in engine: counts, step percentiles, errors grouped, the printed summary. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeEngine, type FakeEngine } from '../fake-engine.test-support.js';
import { KeyPool } from '../key-pool.js';
import { startTestScepCa, type TestScepCa } from '../scep-ca.test-support.js';
import { groupable, runFleet } from './run.js';
import { percentile } from './stats.js';
import { formatFleetSummary } from './summary.js';

let ca: TestScepCa;
let fake: FakeEngine;
let cacheDir: string;
beforeAll(async () => {
  ca = await startTestScepCa();
  fake = createFakeEngine({ ca, keySize: 1024 });
  for (let i = 0; i < 10; i++) fake.addUser(`user${i}`, `pw${i}`);
  cacheDir = mkdtempSync(join(tmpdir(), 'mdmca-keys-'));
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const target = () => ({ mdmUrl: fake.url, label: 'fake engine', fetch: fake.fetch, account: (i: number) => ({ username: `user${i % 10}`, password: `pw${i % 10}` }) });

describe('runFleet', () => {
  it('enrolls a mixed fleet of 10 and times every step', async () => {
    const progress: number[] = [];
    const result = await runFleet({
      platform: 'mixed',
      count: 10,
      concurrency: 4,
      target: target(),
      keySpec: { type: 'rsa', bits: 1024 },
      keyCacheDir: cacheDir,
      ber: true,
      onDevice: (done) => progress.push(done),
    });
    expect(result).toMatchObject({ count: 10, succeeded: 10, failed: 0, devices: { ios: 5, android: 5 }, errors: [] });
    expect(result.keys.pool).toMatchObject({ generated: 10, taken: 10, misses: 0 });
    expect(result.steps.register).toMatchObject({ count: 10, failed: 0 });
    expect(result.steps['scep-enroll']!.count).toBe(10);
    expect(result.steps.status!.count).toBe(20);
    expect(result.steps['scep-enroll']!.p50).toBeGreaterThan(0);
    expect(progress).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(readdirSync(cacheDir)).toHaveLength(10);
    const text = formatFleetSummary(result);
    expect(text).toMatch(/^10 devices \(5 iOS \+ 5 Android\) against fake engine, 4 at a time/);
    expect(text).toMatch(/SCEP enrolment\s+10\s+0/);
  });

  it('reads the cached keys on the next run, and groups errors', async () => {
    const result = await runFleet({
      platform: 'ios',
      count: 3,
      target: { ...target(), account: () => ({ username: 'user1', password: 'wrong' }) },
      keySpec: { type: 'rsa', bits: 1024 },
      keyCacheDir: cacheDir,
    });
    expect(result.keys.pool).toMatchObject({ loaded: 3, generated: 0 });
    expect(result.failed).toBe(3);
    expect(result.errors).toEqual([{ message: 'register: HTTP 401 invalid_credentials: wrong user name or password', count: 3 }]);
    expect(result.steps.register).toMatchObject({ count: 3, failed: 3 });
  });

  it('makes keys on the device with fresh keys', async () => {
    const result = await runFleet({ platform: 'android', count: 2, target: target(), freshKeys: true, keySpec: { type: 'rsa', bits: 1024 } });
    expect(result.keys).toEqual({ mode: 'fresh' });
    expect(result.steps.keygen!.p50).toBeGreaterThan(0);
  });
});

describe('helpers', () => {
  it('nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(values, 50), percentile(values, 95), percentile(values, 99), percentile([], 50)]).toEqual([50, 95, 99, 0]);
  });

  it('blanks identifiers so equal causes group', () => {
    expect(groupable('transactionID 3F2A9C0B11D4E5F6A7B8 pending for 0b6e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b')).toBe('transactionID … pending for …');
  });

  it('a pool serves each key once and counts misses', async () => {
    const pool = await KeyPool.create({ keys: [{ spec: { type: 'rsa', bits: 1024 }, count: 1 }] });
    const a = await pool.source({ type: 'rsa', bits: 1024 });
    const b = await pool.source({ type: 'rsa', bits: 1024 });
    expect(a.pooled).toBe(true);
    expect(b.pooled).toBe(false);
    expect(a.privateKey).not.toBe(b.privateKey);
    expect(pool.stats).toMatchObject({ generated: 1, taken: 1, misses: 1 });
  });
});
