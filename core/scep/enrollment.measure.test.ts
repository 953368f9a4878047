/**
 * The time of each step of one SCEP enrolment, end to end in process (run with MDMCA_MEASURE=1 npx vitest run
 * core/scep/enrollment.measure.test.ts): key generation, request build (CSR, self-signed signer, pkiMessage),
 * server handling (the handler's own total: parse, policy, issue, reply), and response parse, as the client
 * reports them. The HTTP layer is a direct call of the Fetch handler, so no socket time is counted. Medians of
 * sequential enrolments; on a shared machine read them as upper bounds. Skipped in normal runs.
 */
import { describe, expect, it } from 'vitest';
import { AdjustableClock } from '../clock.js';
import { loopbackPeer } from '../http.js';
import { CertificateAuthority } from '../pki/ca.js';
import { generateKeyPair } from '../pki/keys.js';
import { ScepClient } from './client.js';
import { PkiStatus } from './constants.js';
import { staticChallenge } from './policy-challenge.js';
import { createScepServer, type ScepExchange } from './server.js';

const RUNS = 100;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe.skipIf(!process.env.MDMCA_MEASURE)('one SCEP enrolment, step by step', () => {
  it(`median of ${RUNS} enrolments (RSA-2048, AES-128, SHA-256)`, { timeout: 300_000 }, async () => {
    const clock = new AdjustableClock();
    const ca = await CertificateAuthority.createRoot({ subject: 'CN=measure CA', keys: { type: 'rsa', bits: 2048 }, clock });
    const exchanges: ScepExchange[] = [];
    const handler = createScepServer({ ca, policies: [staticChallenge('pw')], onExchange: (exchange) => exchanges.push(exchange) });
    const client = new ScepClient({ url: 'http://ca.test/scep', fetch: (input, init) => handler(new Request(input, init), loopbackPeer) });
    const steps = { keygen: [] as number[], build: [] as number[], server: [] as number[], parse: [] as number[], total: [] as number[] };
    for (let i = 0; i < RUNS + 5; i++) {
      const keygenStarted = performance.now();
      const keys = await generateKeyPair({ type: 'rsa', bits: 2048 });
      const keygen = performance.now() - keygenStarted;
      const before = exchanges.length;
      const result = await client.enroll({ subject: `CN=device ${i}`, privateKey: keys.privateKey, challenge: 'pw' });
      expect(result.status).toBe(PkiStatus.SUCCESS);
      if (i < 5) continue; // warm-up
      const pkiOperation = exchanges.slice(before).find((exchange) => exchange.operation === 'PKIOperation')!;
      steps.keygen.push(keygen);
      steps.build.push(result.timings.buildMs);
      steps.server.push(pkiOperation.timings.totalMs);
      steps.parse.push(result.timings.parseMs);
      steps.total.push(keygen + result.timings.totalMs);
    }
    const line = (name: string, values: number[]) => `${name.padEnd(44)} ${median(values).toFixed(2).padStart(8)} ms`;
    console.log(
      [
        `one SCEP enrolment, medians of ${RUNS} (client and server in one process, no socket)`,
        line('key generation (RSA-2048)', steps.keygen),
        line('request build (CSR, signer, pkiMessage)', steps.build),
        line('server handling (parse, policy, issue, reply)', steps.server),
        line('response parse (verify, decrypt, certs)', steps.parse),
        line('total incl. keygen', steps.total),
      ].join('\n'),
    );
  });
});
