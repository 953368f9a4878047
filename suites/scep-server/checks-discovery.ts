/** What a SCEP server says about itself: GetCACaps (RFC 8894 §3.5), GetCACert (§4.2), GetNextCACert (§4.7). */
import { parseCertificate } from '../../core/pki/certificate.js';
import { type Capability, hasCap } from '../../core/scep/caps.js';
import { CA_CERT_CONTENT_TYPE, CA_RA_CERT_CONTENT_TYPE, NEXT_CA_CERT_CONTENT_TYPE } from '../../core/scep/client-ca-certs.js';
import { ScepClientError } from '../../core/scep/client.js';
import { type CheckDefinition, expectThat, fail, pass, type Severity } from '../model.js';
import type { ScepSuiteContext } from './context.js';

type ScepCheck = CheckDefinition<ScepSuiteContext>;

const listed = (caps: Iterable<string>) => [...caps].join(' ') || '(none)';

function capabilityCheck(id: string, cap: Capability, severity: Severity, source: string, why: string): ScepCheck {
  return {
    id,
    title: `GetCACaps advertises ${cap}`,
    severity,
    source,
    fix: `Add "${cap}" to the GetCACaps answer (one keyword per line, exact case). ${why}`,
    async run(ctx) {
      const { caps } = await ctx.caps();
      const direct = caps.advertised.has(cap);
      const effective = hasCap(caps, cap);
      const message = direct ? `${cap} is advertised` : effective ? `${cap} is implied by SCEPStandard` : `${cap} is not advertised`;
      return expectThat(effective, message, listed(caps.advertised), `a list including ${cap}`);
    },
  };
}

export const discoveryChecks: ScepCheck[] = [
  {
    id: 'scep.caps.answered',
    title: 'GetCACaps is answered with 200 text/plain keywords',
    severity: 'warning',
    source: 'RFC 8894 §3.5.1, §3.5.2',
    fix: 'Answer GET ?operation=GetCACaps with 200, Content-Type text/plain, and the capability keywords one per line. Without it clients assume no capabilities (no POST, no AES, no SHA-2).',
    async run(ctx) {
      const response = await ctx.caps();
      const observed = `HTTP ${response.status} ${response.contentType || '(no content type)'}: ${listed(response.caps.advertised)}`;
      const unknown = response.caps.unknown.length ? `; unknown keywords ignored: ${response.caps.unknown.join(', ')}` : '';
      const ok = response.status === 200 && response.contentType === 'text/plain' && response.caps.advertised.size > 0;
      return expectThat(ok, ok ? `answered${unknown}` : 'GetCACaps is not answered as text/plain keywords', observed, 'HTTP 200 text/plain with at least one keyword');
    },
  },
  capabilityCheck('scep.caps.post', 'POSTPKIOperation', 'warning', 'RFC 8894 §2.9, §3.5.2, §4.1', 'POST is mandatory to implement; without the keyword clients fall back to GET, whose long URLs break (HTTP 414).'),
  capabilityCheck('scep.caps.aes', 'AES', 'warning', 'RFC 8894 §2.9, §3.5.2', 'AES128-CBC is mandatory to implement; without the keyword clients fall back to 3DES or DES.'),
  capabilityCheck('scep.caps.sha256', 'SHA-256', 'warning', 'RFC 8894 §2.9, §3.5.2', 'SHA-256 is mandatory to implement; iOS needs a SHA-2 keyword to enrol at all.'),
  capabilityCheck('scep.caps.scep-standard', 'SCEPStandard', 'notice', 'RFC 8894 §3.5.2', 'It tells clients the CA follows RFC 8894 (AES, POST, SHA-256); clients may treat its absence as a downgrade.'),
  {
    id: 'scep.cacert.content-type',
    title: 'GetCACert content type matches its content',
    severity: 'error',
    source: 'RFC 8894 §4.2.1.1, §4.2.1.2',
    fix: `Send a single CA certificate as DER with ${CA_CERT_CONTENT_TYPE}; send a CA with its chain or RA certificates as a degenerate certs-only PKCS#7 with ${CA_RA_CERT_CONTENT_TYPE}.`,
    async run(ctx) {
      const ca = await ctx.caCertificates();
      const expected = ca.form === 'certificate' ? CA_CERT_CONTENT_TYPE : CA_RA_CERT_CONTENT_TYPE;
      const what = ca.form === 'certificate' ? 'one DER certificate' : `a certs-only SignedData (${ca.caCertificates.length} CA, ${ca.raCertificates.length} RA)`;
      return expectThat(ca.contentTypeMatches, ca.contentTypeMatches ? `${what} as ${ca.contentType}` : `${what} sent as ${ca.contentType || 'no content type'}`, `${ca.contentType || '(none)'} with ${what}`, expected);
    },
  },
  {
    id: 'scep.getnextcacert',
    title: 'GetNextCACert is answered with the next CA certificate, signed by the current CA',
    severity: 'warning',
    source: 'RFC 8894 §4.7, §3.5.2',
    fix: `Answer GET ?operation=GetNextCACert with ${NEXT_CA_CERT_CONTENT_TYPE}: a SignedData signed by the current CA key around a certs-only SignedData of the next CA (and RA) certificates, and advertise "GetNextCACert" in GetCACaps. Without it clients cannot roll over to a new CA before the old one expires.`,
    async run(ctx) {
      const { caps } = await ctx.caps();
      const advertised = caps.advertised.has('GetNextCACert');
      const expected = `HTTP 200 ${NEXT_CA_CERT_CONTENT_TYPE}, signed by the current CA`;
      try {
        const next = await ctx.client.getNextCaCert();
        const subject = parseCertificate(next.issuingCa).subject.toString();
        if (!next.contentTypeMatches) {
          return fail(`the next CA certificate came as ${next.contentType}`, { observed: `${next.contentType}: ${subject}`, expected });
        }
        const note = advertised ? '' : ' (the keyword is missing from GetCACaps)';
        return pass(`next CA certificate ${subject}, signed by the current CA${note}`);
      } catch (error) {
        if (!(error instanceof ScepClientError)) throw error;
        const observed = error.status ? `HTTP ${error.status}${error.body ? `: ${error.body}` : ''}` : error.message;
        const message = advertised
          ? `GetNextCACert is advertised but fails: ${error.message}`
          : `no GetNextCACert: not advertised, and the operation is not answered (${observed})`;
        return fail(message, { observed, expected });
      }
    },
  },
];
