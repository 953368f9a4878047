/**
 * The symantec-mpki suite against mdmca's own PKI Web Services simulator over real mutual TLS on loopback,
 * steered through its admin surface: every check must pass. Without the admin URL the account-steering
 * scenarios skip and nothing fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSuite } from '../runner.js';
import { symantecSuite } from './index.js';
import { startSymantec, type RunningSymantec } from './simulator.test-support.js';

let sim: RunningSymantec;

beforeAll(async () => {
  sim = await startSymantec();
}, 60_000);
afterAll(() => sim?.close());

describe('symantec-mpki suite against the PKI Web Services simulator', () => {
  it('passes every check with the admin surface', async () => {
    const result = await runSuite(symantecSuite, sim.target());
    const problems = result.checks.filter((c) => c.status !== 'pass').map((c) => [c.id, c.status, c.message, c.observed, c.expected]);
    expect(result.error).toBeUndefined();
    expect(problems, JSON.stringify(problems, null, 1)).toEqual([]);
    expect(result.passed).toBe(symantecSuite.checks.length);
    expect(result.checks.every((c) => c.id.startsWith('symantec.') && c.source.length > 0)).toBe(true);
  }, 120_000);

  it('skips only the admin-steered scenarios (and paging) without the admin surface, failing none', async () => {
    const result = await runSuite(symantecSuite, sim.target({ admin: false }), { only: symantecSuite.checks.filter((c) => c.id.startsWith('symantec.scenario.') || c.id === 'symantec.search-paging' || c.id === 'symantec.policies').map((c) => c.id) });
    expect(result.failed, JSON.stringify(result.checks.filter((c) => c.status === 'fail'), null, 1)).toBe(0);
    const skipped = result.checks.filter((c) => c.status === 'skip').map((c) => c.id);
    expect(skipped).not.toContain('symantec.scenario.ra-wrong-password');
    expect(skipped.length).toBe(result.checks.length - 2);
  }, 60_000);

  it('refuses a target without the RA credentials, or a plain-http one, at setup', async () => {
    const noCredentials = await runSuite(symantecSuite, { role: 'symantec-mpki', kind: 'url', url: sim.url }, { only: ['symantec.health'] });
    expect(noCredentials.error).toMatch(/clientP12/);
    const plain = await runSuite(symantecSuite, { ...sim.target(), url: sim.publicUrl }, { only: ['symantec.health'] });
    expect(plain.error).toMatch(/HTTPS/);
  });
});
