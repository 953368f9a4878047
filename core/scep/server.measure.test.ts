/**
 * Where one PKCSReq's time goes inside the handler (run with MDMCA_MEASURE=1 npx vitest run
 * core/scep/server.measure.test.ts): 200 requests are built first (client work excluded), then sent one at a
 * time; the exchange records give parse (verify + decrypt), issue (build + sign the certificate), the rest of the
 * policy chain and the depot, and the reply (build + encrypt + sign the CertRep). Medians are printed; on a
 * shared machine read them as upper bounds. Skipped in normal runs.
 */
import { describe, expect, it } from 'vitest';
import { PkiStatus } from './constants.js';
import { buildRequest } from './messages.js';
import { staticChallenge } from './policy-challenge.js';
import { parsePkiMessage } from './pki-message.js';
import { createScepServer, type ScepExchange } from './server.js';
import { csrFor, makeServerTestPki, pkcsReq, sendDer } from './server.test-support.js';

const RUNS = 200;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

describe.skipIf(!process.env.MDMCA_MEASURE)('PKCSReq time inside the SCEP handler', () => {
  it(`median of ${RUNS} sequential requests`, async () => {
    const pki = await makeServerTestPki();
    const exchanges: ScepExchange[] = [];
    const handler = createScepServer({ ca: pki.ca, policies: [staticChallenge('pw')], onExchange: (e) => exchanges.push(e) });
    const csr = await csrFor(pki.alice, { challenge: 'pw' });
    const requests = await Promise.all(
      Array.from({ length: RUNS + 10 }, (_, i) =>
        buildRequest({ request: pkcsReq(csr), transactionId: `m-${i}`, signer: pki.alice, recipients: [pki.ca.certificateDer] }),
      ),
    );
    const wall: number[] = [];
    for (const [i, request] of requests.entries()) {
      const started = performance.now();
      const response = await sendDer(handler, request.der);
      const body = new Uint8Array(await response.arrayBuffer());
      if (i >= 10) wall.push(performance.now() - started); // the first ten warm up
      expect(parsePkiMessage(body).pkiStatus).toBe(PkiStatus.SUCCESS);
    }
    const measured = exchanges.slice(10);
    const pick = (key: keyof ScepExchange['timings']) => median(measured.map((e) => e.timings[key] ?? 0));
    const policy = measured.map((e) => (e.timings.policyMs ?? 0) - (e.timings.issueMs ?? 0));
    const rows = {
      'read body': pick('readMs'),
      'parse (verify + decrypt)': pick('parseMs'),
      'issue (build + sign certificate)': pick('issueMs'),
      'policy chain + depot (without issue)': median(policy),
      'reply (build + encrypt + sign CertRep)': pick('replyMs'),
      'handler total': pick('totalMs'),
      'total minus the parts': median(
        measured.map((e) => e.timings.totalMs - (e.timings.readMs ?? 0) - (e.timings.parseMs ?? 0) - (e.timings.policyMs ?? 0) - (e.timings.replyMs ?? 0)),
      ),
      'wall (handler + Request/Response)': median(wall),
    };
    console.log(`PKCSReq through the SCEP handler, median of ${RUNS} (ms):`);
    for (const [name, ms] of Object.entries(rows)) console.log(`  ${name.padEnd(42)} ${ms.toFixed(3)}`);
  }, 120_000);
});
