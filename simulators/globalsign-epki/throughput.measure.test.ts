/**
 * OrderAndIssueCertificate throughput, measured (MDMCA_MEASURE=1 npx vitest run simulators/globalsign-epki/throughput.measure.test.ts):
 * the simulator on a loopback socket (one process), autocannon as a separate process, then `openssl speed rsa2048`
 * in the same run for the bound. Every request is a full order: SOAP parse, authentication, licence, CSR parse and
 * signature check, certificate signing (one RSA-2048 private-key operation), PKCS#7, store writes. Skipped in
 * normal runs (its numbers depend on the machine).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../core/clock.js';
import { CertificateAuthority } from '../../core/pki/ca.js';
import { buildCsr } from '../../core/pki/csr.js';
import { generateKeyPair } from '../../core/pki/keys.js';
import { listen } from '../http.js';
import { createMemoryStore } from '../store/memory.js';
import { createGlobalSignEpki, EPKI_DEFAULTS as D } from './index.js';

const run = promisify(execFile);
const enabled = process.env.MDMCA_MEASURE === '1';

describe.skipIf(!enabled)('GasOrderService throughput', () => {
  it('OrderAndIssueCertificate under autocannon, next to openssl speed rsa2048', async () => {
    const clock = new AdjustableClock();
    const [caKeys, requester] = await Promise.all([generateKeyPair({ type: 'rsa', bits: 2048 }), generateKeyPair({ type: 'rsa', bits: 2048 })]);
    const ca = await CertificateAuthority.createRoot({ subject: 'CN=bench CA', keys: caKeys, clock });
    const simulator = createGlobalSignEpki({ store: createMemoryStore(), clock, ca });
    simulator.state.licences.update(D.licenseNo, (p) => ({ ...p, count: 10_000_000 }));
    const server = await listen({ mounts: simulator.mounts, framework: 'node', logger: { error: () => undefined } });
    const csr = Buffer.from(await buildCsr({ subject: 'CN=Bench User', privateKey: requester.privateKey })).toString('base64');
    const body =
      `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cr="https://system.globalsign.com/cr/ws/"><soapenv:Body><cr:OrderAndIssueCertificate><Request>` +
      `<OrderRequestHeader><AuthToken><UserName>${D.username}</UserName><Password>${D.password}</Password></AuthToken></OrderRequestHeader>` +
      `<ProfileID>${D.profileId}</ProfileID><ProductCode>${D.productCode}</ProductCode><Year>1</Year><CSR>${csr}</CSR><DnAttributes><CommonName>Bench User</CommonName></DnAttributes>` +
      `</Request></cr:OrderAndIssueCertificate></soapenv:Body></soapenv:Envelope>`;
    try {
      const connections = Number(process.env.MDMCA_CONNECTIONS ?? 8);
      const duration = Number(process.env.MDMCA_DURATION ?? 10);
      const { stdout } = await run('npx', ['autocannon', '--json', '-c', String(connections), '-d', String(duration), '-m', 'POST', '-H', 'content-type=text/xml; charset="utf-8"', '-b', body, `${server.httpUrl}/cr/ws/GasOrderService`], { maxBuffer: 1 << 24 });
      const result = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number; '2xx': number };
      const speed = await run('openssl', ['speed', '-seconds', '3', 'rsa2048']);
      const line = speed.stdout.split('\n').find((l) => l.startsWith('rsa 2048')) ?? '';
      console.log(`OrderAndIssueCertificate: connections ${connections}, duration ${duration} s, ${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, 2xx ${result['2xx']}, non-2xx ${result.non2xx}, errors ${result.errors}`);
      console.log(`openssl speed rsa2048 (one core): ${line.trim()}`);
      expect(result.non2xx).toBe(0);
    } finally {
      await server.close({ graceMs: 100 });
    }
  }, 120_000);
});
