/**
 * The scep-server suite against a live micromdm scepserver (Debian package scep 2.1.0): it must name exactly
 * micromdm's RFC 8894 deviations (single-DES CertRep; no CertPoll, GetCert, GetCRL, GetNextCACert; bare
 * HTTP 500 on malformed input, on an unknown operation and on an oversize body) and pass the rest. The
 * manual-approval check needs admin control, which a URL target lacks, so it skips.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { micromdmUnavailable, startMicromdm, type MicromdmServer } from '../../core/scep/client-micromdm.test-support.js';
import { runSuite, type SuiteResult } from '../runner.js';
import { scepServerSuite } from './index.js';
import { MICROMDM_DEVIATIONS } from './micromdm-deviations.js';



const unavailable = micromdmUnavailable();
if (unavailable) console.log(`skipping the scep-server suite against micromdm: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('scep-server suite against micromdm scepserver', () => {
  let server: MicromdmServer;
  let result: SuiteResult;
  beforeAll(async () => {
    // -allowrenew 0: micromdm otherwise refuses to issue a DN that has a valid certificate (RenewalReq).
    server = await startMicromdm({ allowRenew: 0 });
    result = await runSuite(scepServerSuite, { role: 'scep-ca', kind: 'url', url: server.url, credentials: { challenge: server.challenge } });
  }, 60_000);
  afterAll(() => server?.close());

  it('fails exactly the checks of micromdm’s deviations', () => {
    expect(result.error).toBeUndefined();
    const failed = result.checks.filter((c) => c.status === 'fail').map((c) => c.id).sort();
    expect(failed, JSON.stringify(result.checks.filter((c) => c.status === 'fail').map((c) => [c.id, c.message]), null, 1)).toEqual(MICROMDM_DEVIATIONS);
  });

  it('passes everything else, skipping only the admin-controlled approval check', () => {
    const notFailed = result.checks.filter((c) => c.status !== 'fail');
    const skipped = notFailed.filter((c) => c.status === 'skip');
    expect(skipped.map((c) => c.id)).toEqual(['scep.pending.manual']);
    expect(skipped[0]!.message).toMatch(/admin control/);
    expect(notFailed.length + MICROMDM_DEVIATIONS.length).toBe(result.checks.length);
    expect(result.passed).toBe(result.checks.length - MICROMDM_DEVIATIONS.length - 1);
  });

  it('names each deviation in its message', () => {
    const message = (id: string) => result.checks.find((c) => c.id === id)!.message;
    expect(message('scep.certrep.no-des')).toMatch(/single-DES CertRep/);
    expect(message('scep.getnextcacert')).toMatch(/no GetNextCACert/);
    expect(message('scep.certpoll.supported')).toMatch(/no CertPoll.*HTTP 500/);
    expect(message('scep.getcert')).toMatch(/no GetCert.*HTTP 500/);
    expect(message('scep.getcrl')).toMatch(/no GetCRL.*HTTP 500/);
    expect(message('scep.malformed.no-500')).toMatch(/bare HTTP 500 on malformed input/);
    expect(message('scep.http.unknown-operation')).toMatch(/bare HTTP 500/);
    expect(message('scep.http.oversize')).toMatch(/bare HTTP 500/);
    expect(result.checks.find((c) => c.id === 'scep.malformed.no-500')!.observed).toMatch(/not DER → HTTP 500/);
  });

  it('records the exchanges of each check for the report', () => {
    const enroll = result.checks.find((c) => c.id === 'scep.enroll.post')!;
    expect(enroll.exchanges.map((e) => e.label)).toContain('PKIOperation PKCSReq → CertRep SUCCESS');
    expect(result.setupExchanges.map((e) => e.label)).toEqual(['GetCACaps → 200']);
    // Checks that reuse a fact computed by an earlier check (the POST enrolment) record nothing of their own.
    const malformed = result.checks.find((c) => c.id === 'scep.malformed.no-500')!;
    expect(malformed.exchanges.map((e) => e.label)).toEqual([
      'PKIOperation malformed (not DER) → 500',
      'PKIOperation malformed (truncated pkiMessage) → 500',
      'PKIOperation malformed (pkiMessage with a broken signature) → 500',
    ]);
    console.log(result.checks.map((c) => `${c.status.padEnd(4)} ${c.severity.padEnd(7)} ${c.id}: ${c.message}`).join('\n'));
  });
});
