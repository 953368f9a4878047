/** The client suite through the shared runner: our client must pass it all; micromdm's scepclient is judged. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runSuite } from '../runner.js';
import { scepClientSuite } from './index.js';

const scepclient = spawnSync('scepclient', ['-version']).error ? undefined : 'scepclient';
if (!scepclient) console.log('skipping the micromdm scepclient run: scepclient not installed (apt-get install scep)');

describe('scep-client suite', () => {
  it('passes every check with mdmca\'s own client', { timeout: 60_000 }, async () => {
    const result = await runSuite(scepClientSuite, { role: 'scep-client', kind: 'simulator' });
    const failed = result.checks.filter((check) => check.status !== 'pass').map((check) => `${check.id}: ${check.message}`);
    expect(failed).toEqual([]);
    expect(result.passed).toBe(scepClientSuite.checks.length);
    expect(result.checks[0]!.exchanges.map((exchange) => exchange.label)).toContain('PKIOperation PKCSReq');
  });

  it.skipIf(!scepclient)('enrols micromdm scepclient and names exactly what it does not do', { timeout: 90_000 }, async () => {
    const result = await runSuite(scepClientSuite, { role: 'scep-client', kind: 'command', command: scepclient! });
    console.log(result.checks.map((check) => `${check.status.padEnd(4)} ${check.id} ${check.status === 'pass' ? '' : check.message}`).join('\n'));
    // scepclient 2.1.0 enrols, but ignores the AES and SHA-256 our GetCACaps offers (single DES, SHA-1) and,
    // on PENDING, sleeps 30 s and resends instead of polling within the suite's window.
    const failed = result.checks.filter((check) => check.status === 'fail').map((check) => check.id).sort();
    expect(failed).toEqual(['scep-client.aes', 'scep-client.digest', 'scep-client.pending-poll']);
    expect(result.passed).toBe(scepClientSuite.checks.length - 3);
  });
});
