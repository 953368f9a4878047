/**
 * The library use README.md documents: a user's own vitest file runs one suite against the simulators served
 * by msw (no sockets), through the package's public entry point.
 */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mswSimulators, runSuite, scepServerSuite, ScepClient, type SimulatorSet } from '../index.js';

describe('library use: simulators as msw handlers', () => {
  let sims: SimulatorSet & { close(): Promise<void> };
  let server: ReturnType<typeof setupServer>;
  beforeAll(async () => {
    const built = await mswSimulators('http://mdmca.test');
    sims = built;
    server = setupServer(...built.handlers);
    server.listen({ onUnhandledRequest: 'error' });
  });
  afterAll(async () => {
    server.close();
    await sims.close();
  });

  it('answers the SCEP client in process', async () => {
    const caps = await new ScepClient({ url: sims.url('scep-ca', 'scep') }).getCaCaps();
    expect([...caps.advertised]).toContain('POSTPKIOperation');
  });

  it('passes the scep-server suite, steered through the admin surface', { timeout: 60_000 }, async () => {
    const { url, credentials } = sims.endpoint('scep-ca', 'scep');
    const result = await runSuite(scepServerSuite, { role: 'scep-ca', kind: 'url', url, admin: sims.url('scep-ca', 'admin'), ...(credentials && { credentials }) });
    expect(result.checks.filter((check) => check.status !== 'pass').map((check) => `${check.id}: ${check.message}`)).toEqual([]);
  });
});
