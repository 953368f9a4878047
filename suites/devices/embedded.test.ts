/**
 * The device suite against the embedded engine and SCEP CA (startEmbeddedSimulators, as `mdmca run` starts them):
 * every check must pass. Then a fleet smoke test: 10 mixed devices through the same embedded stack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedSimulators } from '../../simulators/embedded.js';
import { startEmbeddedSimulators } from '../../simulators/embedded.js';
import { startEmbeddedFleetTarget } from '../../simulators/devices/fleet/embedded-target.js';
import { runFleet } from '../../simulators/devices/fleet/run.js';
import { formatFleetSummary } from '../../simulators/devices/fleet/summary.js';
import { KeyPool } from '../../simulators/devices/key-pool.js';
import { runSuite } from '../runner.js';
import { createDevicesSuite } from './index.js';

let simulators: EmbeddedSimulators;
let pool: KeyPool;
beforeAll(async () => {
  [simulators, pool] = await Promise.all([startEmbeddedSimulators(), KeyPool.create({ keys: [{ spec: { type: 'rsa', bits: 2048 }, count: 16 }] })]);
});
afterAll(() => simulators?.close());

describe('the devices suite against the embedded engine', () => {
  it('passes every check', async () => {
    const { url, credentials } = simulators.endpoint('mdm', 'mdm');
    const result = await runSuite(
      createDevicesSuite({ keys: pool.source }),
      { role: 'mdm', kind: 'url', url, admin: simulators.url('mdm', 'admin'), label: `simulator mdm (${url})`, ...(credentials ? { credentials } : {}) },
      { checkTimeoutMs: 60_000 },
    );
    const problems = result.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id} ${c.status}: ${c.message}`);
    expect(result.error).toBeUndefined();
    expect(problems).toEqual([]);
    expect(result.passed).toBe(result.checks.length);
    // The SCEP exchanges of the devices are recorded for the report.
    expect(result.checks.find((c) => c.id === 'DEV-IOS-001')!.exchanges.some((e) => e.label.startsWith('PKIOperation PKCSReq'))).toBe(true);
  }, 120_000);
});

describe('fleet smoke test', () => {
  it('enrolls 10 mixed devices (iOS SCEP, Android PKCS#12) through the embedded engine', async () => {
    const embedded = await startEmbeddedFleetTarget({ count: 10, platform: 'mixed', delivery: 'mixed' });
    try {
      const result = await runFleet({ platform: 'mixed', count: 10, concurrency: 5, target: embedded.target, keySpec: { type: 'rsa', bits: 2048 }, ber: true });
      console.log(formatFleetSummary(result));
      expect(result.errors).toEqual([]);
      expect(result).toMatchObject({ succeeded: 10, failed: 0, devices: { ios: 5, android: 5 } });
      expect(result.steps['scep-enroll']!.count).toBe(5);
      expect(result.steps['pkcs12-install']!.count).toBe(5);
    } finally {
      await embedded.close();
    }
  }, 120_000);
});
