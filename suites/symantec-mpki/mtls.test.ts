/**
 * The mutual-TLS refusal checks must not pass when nothing is there to refuse: against a closed port (connection
 * refused) they fail, as does the body-limit check, which only counts a 413, a SOAP Fault or a reset after the
 * upload started. The positive side runs against the simulator in symantec-mpki.test.ts.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TEST_PKI_PASSWORD } from '../../fixtures/defaults.js';
import { loadTestPki } from '../../fixtures/test-pki.js';
import { runCheck } from '../runner.js';
import { transportChecks } from './checks-transport.js';
import { SymantecSuiteContext } from './context.js';
import { attempt, RequestFailed } from './mtls.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('mutual-TLS refusal checks against a closed port', () => {
  it('a refused TCP connection is a RequestFailed, not a handshake refusal', async () => {
    const port = await closedPort();
    const error = await attempt({ url: `https://127.0.0.1:${port}/pki-ws/healthcheckService`, method: 'POST', body: '<x/>', identity: { kind: 'none' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestFailed);
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it.each(['symantec.mtls-no-client-cert', 'symantec.mtls-untrusted-cert', 'symantec.body-limit'])('%s fails when nothing listens', async (id) => {
    const port = await closedPort();
    const pfx = readFileSync((await loadTestPki()).identities['symantec-ra'].p12Path);
    const ctx = new SymantecSuiteContext(`https://127.0.0.1:${port}`, { pfx, passphrase: TEST_PKI_PASSWORD }, undefined, undefined, { record: () => undefined }, '1.2.3.4');
    const outcome = await runCheck(transportChecks.find((c) => c.id === id)!, ctx, 10_000);
    expect(outcome.status, JSON.stringify(outcome)).toBe('fail');
    expect(outcome.message).toMatch(/ECONNREFUSED/);
  });
});
