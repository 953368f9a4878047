/**
 * Synthetic but realistic run results for the report tests: a SCEP suite against a real-looking endpoint with
 * the deviations micromdm's scepserver shows, an MDM↔CA suite against the simulator, a suite that could not
 * start, and hostile text from the target (markup, control characters) where a server's words end up.
 */
import type { CheckStatus, Exchange, Severity } from '../suites/model.js';
import type { CheckResult, RunResult, SuiteResult } from '../suites/runner.js';
import type { ReportExchange } from './svg-sequence.js';

export const HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">&amp;\u001b[31m';

const SCEP = 'http://127.0.0.1:8080/scep';
let clock = 1_751_900_000_000;

function exchange(partial: Partial<ReportExchange> & Pick<Exchange, 'label' | 'method' | 'url' | 'status'>): ReportExchange {
  const durationMs = partial.durationMs ?? 3.2;
  const startedAt = clock;
  clock += durationMs + 0.7;
  return {
    from: 'device',
    to: 'scep-ca',
    requestBytes: 0,
    responseBytes: 0,
    startedAt,
    durationMs,
    ...partial,
  };
}

function check(
  id: string,
  title: string,
  status: CheckStatus,
  message: string,
  extra: Partial<CheckResult> & { severity?: Severity } = {},
): CheckResult {
  const exchanges = extra.exchanges ?? [];
  return {
    id,
    title,
    severity: 'error',
    source: 'RFC 8894 §3.5.2',
    status,
    message,
    durationMs: exchanges.reduce((n, e) => n + e.durationMs, 0) + 0.8,
    exchanges,
    ...extra,
  };
}

function suite(id: string, title: string, boundary: string, target: string, checks: CheckResult[], extra: Partial<SuiteResult> = {}): SuiteResult {
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  return {
    id,
    title,
    boundary,
    target,
    passed: count('pass'),
    failed: count('fail'),
    skipped: count('skip'),
    durationMs: checks.reduce((n, c) => n + c.durationMs, 0) + 12,
    setupExchanges: [],
    checks,
    ...extra,
  };
}

function scepSuite(): SuiteResult {
  const caps = exchange({ label: 'GetCACaps', method: 'GET', url: `${SCEP}?operation=GetCACaps`, status: 200, responseContentType: 'text/plain', responseBytes: 38, durationMs: 1.9 });
  const caCert = exchange({ label: 'GetCACert', method: 'GET', url: `${SCEP}?operation=GetCACert`, status: 200, responseContentType: 'application/x-x509-ca-cert', responseBytes: 1_021, durationMs: 2.4 });
  const enroll = (summary: string, status = 200, ms = 24.5) =>
    exchange({
      label: 'PKIOperation',
      method: 'POST',
      url: `${SCEP}?operation=PKIOperation`,
      status,
      requestContentType: 'application/x-pki-message',
      responseContentType: 'application/x-pki-message',
      requestBytes: 3_874,
      responseBytes: 2_911,
      durationMs: ms,
      requestSummary: 'messageType=PKCSReq transactionID=4F1C…',
      responseSummary: summary,
    });
  return suite('scep-rfc8894', 'SCEP server (RFC 8894)', 'device-ca', SCEP, [
    check('SCEP-CAPS-001', 'GetCACaps lists the capabilities', 'pass', 'AES, POSTPKIOperation, SHA-256, SCEPStandard', { exchanges: [caps], source: 'RFC 8894 §3.5.2' }),
    check('SCEP-CACERT-001', 'GetCACert returns the CA certificate', 'pass', 'one RA/CA certificate', { exchanges: [caCert], source: 'RFC 8894 §4.2' }),
    check('SCEP-ENROLL-001', 'PKCSReq with the right challenge is granted', 'pass', 'certificate issued', { exchanges: [enroll('pkiStatus=SUCCESS')], source: 'RFC 8894 §3.3.1' }),
    check('SCEP-CIPHER-001', 'CertRep envelope uses the strongest cipher the client offered', 'fail', 'CertRep is encrypted with single DES', {
      exchanges: [enroll('pkiStatus=SUCCESS, contentEncryption=des-cbc')],
      observed: 'des-cbc (1.3.14.3.2.7)',
      expected: 'aes-128-cbc or stronger (the client advertised AES in its capabilities)',
      source: 'RFC 8894 §3.5.2',
      fix: 'Upgrade the SCEP server to a release that encrypts CertReps with AES, or enable AES in its configuration.',
    }),
    check('SCEP-PENDING-001', 'A manual-approval CA answers PENDING and honours CertPoll', 'fail', 'no PENDING state: request granted or rejected at once', {
      severity: 'warning',
      exchanges: [enroll('pkiStatus=SUCCESS'), exchange({ label: 'CertPoll', method: 'POST', url: `${SCEP}?operation=PKIOperation`, status: 200, requestSummary: 'messageType=CertPoll', responseSummary: 'pkiStatus=FAILURE failInfo=badCertId', durationMs: 8.3 })],
      observed: 'pkiStatus=SUCCESS',
      expected: 'pkiStatus=PENDING, then SUCCESS on CertPoll',
      source: 'RFC 8894 §3.3.2',
      fix: 'Configure the CA for manual approval, or accept that PENDING flows cannot be tested against it.',
    }),
    check('SCEP-MALFORMED-001', 'Malformed pkiMessage gets failInfo=badMessageCheck, not HTTP 500', 'fail', `HTTP 500: ${HOSTILE}`, {
      exchanges: [exchange({ label: 'PKIOperation (malformed)', method: 'POST', url: `${SCEP}?operation=PKIOperation`, status: 500, requestBytes: 17, responseContentType: 'text/plain', responseBytes: 74, responseSummary: `body: ${HOSTILE}`, durationMs: 0.9 })],
      observed: `HTTP 500 text/plain "${HOSTILE}"`,
      expected: 'HTTP 200 application/x-pki-message CertRep with pkiStatus=FAILURE failInfo=badMessageCheck',
      source: 'RFC 8894 §3.3.2.2',
      fix: 'Answer malformed requests with a CertRep FAILURE (failInfo badMessageCheck) instead of a bare HTTP 500.',
    }),
    check('SCEP-NEXTCA-001', 'GetNextCACert is answered when advertised', 'skip', 'GetNextCACert is not advertised in GetCACaps', { severity: 'notice', source: 'RFC 8894 §3.5.3' }),
  ], { setupExchanges: [caps, caCert] });
}

function epkiSuite(): SuiteResult {
  const soap = (label: string, status: number, summary: string, ms: number) =>
    exchange({ label, from: 'mdm', to: 'globalsign-epki', method: 'POST', url: 'http://127.0.0.1:8080/cr/ws/GasOrderService', status, requestContentType: 'text/xml; charset=utf-8', responseContentType: 'text/xml; charset=utf-8', requestBytes: 2_204, responseBytes: 1_530, responseSummary: summary, durationMs: ms });
  return suite('globalsign-epki', 'GlobalSign EPKI connector', 'mdm-ca', 'simulator', [
    check('EPKI-ORDER-001', 'PKCS#10 order is issued', 'pass', 'order issued', { exchanges: [soap('PKCSRequest', 200, 'SuccessCode=0', 41.2)], source: 'GlobalSign EPKI API guide §4.1' }),
    check('EPKI-LICENSE-001', 'Exhausted licence pack is reported with its error code', 'fail', 'licence error was reported as a generic failure', {
      exchanges: [soap('PKCSRequest', 500, 'soap:Fault ErrorCode=-4001 "License is not enough"', 12.7)],
      observed: 'ErrorCode -1 "Internal error"',
      expected: 'ErrorCode -4001 "License is not enough"',
      source: 'GlobalSign EPKI API guide §6 (error codes)',
      fix: 'Buy or assign a licence pack to the profile in the GlobalSign console.',
    }),
    check('EPKI-REVOKE-001', 'Revocation is accepted', 'pass', 'revoked', { exchanges: [soap('RevokeCertificate', 200, 'SuccessCode=0', 18.4)], source: 'GlobalSign EPKI API guide §4.5' }),
  ]);
}

/** Three suites (SCEP with three deviations, EPKI with one, one that could not start), with an assumption. */
export function sampleRun(): RunResult {
  clock = 1_751_900_000_000;
  const scep = Object.assign(scepSuite(), { assumptions: ['ASSUMPTION: the CA advertises AES when it supports it'] });
  const down = suite('opentrust-cms', 'OpenTrust CMS connector', 'mdm-ca', 'https://ca.example.test/connector/mdm.cgi', [
    check('OT-ENROLL-001', 'Enrollment succeeds', 'skip', 'setup failed: connect ECONNREFUSED 127.0.0.1:9443'),
  ], { error: 'setup failed: connect ECONNREFUSED 127.0.0.1:9443' });
  const suites = [scep, epkiSuite(), down];
  return { startedAt: '2025-07-07T15:33:20.000Z', durationMs: suites.reduce((n, s) => n + s.durationMs, 0), suites };
}

/** A large run: `suites` suites of `checksPerSuite` checks, every fifth failing, three exchanges per check. */
export function largeRun(suites = 4, checksPerSuite = 25): RunResult {
  clock = 1_751_900_000_000;
  const result: SuiteResult[] = [];
  for (let s = 0; s < suites; s++) {
    const checks: CheckResult[] = [];
    for (let c = 0; c < checksPerSuite; c++) {
      const failed = c % 5 === 4;
      const exchanges = [
        exchange({ label: 'GetCACaps', method: 'GET', url: `${SCEP}?operation=GetCACaps`, status: 200, durationMs: 1 + (c % 3) }),
        exchange({ label: 'GetCACert', method: 'GET', url: `${SCEP}?operation=GetCACert`, status: 200, durationMs: 2 + (c % 4) }),
        exchange({ label: 'PKIOperation', method: 'POST', url: `${SCEP}?operation=PKIOperation`, status: failed ? 500 : 200, durationMs: 15 + ((c * 7) % 30), responseSummary: failed ? 'pkiStatus=FAILURE failInfo=badRequest' : 'pkiStatus=SUCCESS' }),
      ];
      checks.push(
        check(`S${s}-CHECK-${String(c).padStart(3, '0')}`, `Check number ${c} of suite ${s}`, failed ? 'fail' : 'pass', failed ? 'pkiStatus FAILURE' : 'ok', {
          exchanges,
          ...(failed ? { observed: 'FAILURE', expected: 'SUCCESS', fix: 'Send the right challenge password.' } : {}),
        }),
      );
    }
    result.push(suite(`suite-${s}`, `Suite ${s}`, 'device-ca', SCEP, checks));
  }
  return { startedAt: '2025-07-07T15:33:20.000Z', durationMs: 4_321, suites: result };
}
