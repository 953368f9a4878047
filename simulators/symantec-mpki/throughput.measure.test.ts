/**
 * Enrollment throughput over real mutual TLS, measured (MDMCA_MEASURE=1 npx vitest run
 * simulators/symantec-mpki/throughput.measure.test.ts; MDMCA_CONNECTIONS, MDMCA_DURATION): the web services on
 * listenSymantecMpki; autocannon in a separate process on keep-alive connections authenticated by the test PKI's
 * RA .p12 (its tlsOptions); each request a full RequestSecurityToken (SOAP parse, RA lookup, profile and seat
 * checks, CSR verify, one RSA-2048 signature, store writes); then `openssl speed rsa2048` in the same run for the
 * bound. Skipped in normal runs (its numbers depend on the machine).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../core/clock.js';
import { generateKeyPair, privateKeyToPem } from '../../core/pki/keys.js';
import { toPem } from '../../core/pki/pem.js';
import { REQUEST_TYPES, servicePath } from '../../core/connectors/symantec-mpki/wire.js';
import { TEST_PKI_PASSWORD } from '../../fixtures/defaults.js';
import { listenSymantecMpki, SYMANTEC_DEFAULTS as D } from './index.js';
import { csrBase64, envelope, loadTestPki, newSimulator, nvp, rst } from './symantec.test-support.js';

const run = promisify(execFile);
const enabled = process.env.MDMCA_MEASURE === '1';

/** The load generator's process: autocannon with the RA as client certificate; prints autocannon's result JSON. */
const LOAD_SCRIPT = `
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
const e = process.env;
const result = await autocannon({
  url: e.URL, method: 'POST', connections: Number(e.CONNECTIONS), duration: Number(e.DURATION),
  headers: { 'content-type': 'text/xml; charset=utf-8' }, body: readFileSync(e.BODY, 'utf8'),
  tlsOptions: { pfx: readFileSync(e.PFX), passphrase: e.PASSPHRASE, ca: readFileSync(e.CA, 'utf8') },
});
process.stdout.write(JSON.stringify(result));
`;

describe.skipIf(!enabled)('PKI Web Services enrollment throughput over mutual TLS', () => {
  it('RequestSecurityToken under autocannon, next to openssl speed rsa2048', async () => {
    const pki = await loadTestPki();
    const sim = await newSimulator(pki, new AdjustableClock());
    const tls = pki.identities['tls-server'];
    const server = await listenSymantecMpki(sim, { key: privateKeyToPem(tls.privateKey), cert: [tls.certificate, ...tls.chain.slice(0, -1)].map((d) => toPem('CERTIFICATE', d)).join('') });
    const key = await generateKeyPair({ type: 'rsa', bits: 2048 });
    const dir = mkdtempSync(join(tmpdir(), 'mdmca-mpki-bench-'));
    const bodyPath = join(dir, 'body.xml');
    writeFileSync(bodyPath, envelope(rst(`<certificateProfileID>${D.profiles.user}</certificateProfileID><requestType>${REQUEST_TYPES.Issue}</requestType><binarySecurityToken>${await csrBase64(key)}</binarySecurityToken>${nvp({ common_name: 'Bench', mail_email: 'bench@example.com' })}<version>2.0</version>`)));
    const connections = Number(process.env.MDMCA_CONNECTIONS ?? 8);
    const duration = Number(process.env.MDMCA_DURATION ?? 10);
    try {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', LOAD_SCRIPT], {
        cwd: process.cwd(),
        maxBuffer: 1 << 24,
        env: { ...process.env, URL: `${server.url}${servicePath('enrollment')}`, CONNECTIONS: String(connections), DURATION: String(duration), BODY: bodyPath, PFX: pki.identities['symantec-ra'].p12Path, PASSPHRASE: TEST_PKI_PASSWORD, CA: pki.root.certificatePath },
      });
      const result = JSON.parse(stdout) as { requests: { average: number; total: number }; latency: { p50: number; p99: number; max: number }; non2xx: number; errors: number; '2xx': number };
      const speed = await run('openssl', ['speed', '-seconds', '3', 'rsa2048']);
      const line = speed.stdout.split('\n').find((l) => l.startsWith('rsa 2048')) ?? '';
      console.log(
        `RequestSecurityToken over mutual TLS: connections ${connections}, duration ${duration} s, ${result.requests.average.toFixed(0)} req/s, ` +
          `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms, 2xx ${result['2xx']}, non-2xx ${result.non2xx}, errors ${result.errors}`,
      );
      console.log(`openssl speed rsa2048 (one core): ${line.trim()}`);
      expect(result['2xx']).toBeGreaterThan(0);
      expect(result.non2xx + result.errors).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await server.close();
    }
  }, 120_000);
});
