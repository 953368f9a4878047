/**
 * Enrollment and policy checks (vendor-apis.md §A.3, §A.5): getPolicies, Issue with each token type, the casing
 * and namespace quirks on the wire, transaction IDs, schema faults and their shape, and whether the issued
 * certificate can serve Exchange ActiveSync (guide 002: clientAuth, a CRL the relying party can fetch).
 */
import { parseCrl } from '../../core/pki/crl.js';
import { parsePkcs12 } from '../../core/pki/pkcs12.js';
import { WS_TRUST_NS, SERVICES, TRANSACTION_ID_MAX } from '../../core/connectors/symantec-mpki/wire.js';
import { type CheckDefinition, expectThat, fail } from '../model.js';
import type { SymantecSuiteContext } from './context.js';
import { describeAnswer, issuedCertificate, issuedToken } from './issued.js';
import { find, textOf } from './messages.js';
import { GUIDE, REF } from './checks-transport.js';

type Check = CheckDefinition<SymantecSuiteContext>;

/** A 41-character transaction ID (one over the schema's maximum). */
export const TOO_LONG_TRANSACTION_ID = 'mdmca-'.padEnd(TRANSACTION_ID_MAX + 1, 'x');

export const enrollmentChecks: Check[] = [
  {
    id: 'symantec.policies',
    title: 'getPolicies lists the certificate profiles with their OIDs and seat ID attribute',
    severity: 'error',
    source: `${REF} §A.5 (getPoliciesResponse: policies, oIDs, seatIdInfo); ${GUIDE}, Table 2-1 (Mobile Profiles: only the OID is listed)`,
    fix: 'Select the MDM (Web Services Client) profile; only its OID is listed. Verify the OID in Symantec PKI Manager (guide 000).',
    async run(ctx) {
      const policies = await ctx.policies();
      const described = policies.map((p) => `${p.oid} (seat ID ${p.seatIdAttribute})`);
      const ok = policies.length > 0 && policies.every((p) => /^\d+(\.\d+)+$/.test(p.oid) && p.seatIdAttribute.length > 0 && find(p.element, 'seatIdInfo') !== undefined);
      return expectThat(ok, `profiles: ${described.join(', ')}`, described, 'at least one profile, each with an OID and a seatIdInfo');
    },
  },
  {
    id: 'symantec.issue-x509v3',
    title: 'Issue with tokenType X509v3 returns the certificate for the CSR',
    severity: 'error',
    source: `${REF} §A.3 (requestedVSSecurityToken/binarySecurityToken, base64 DER)`,
    async run(ctx) {
      const answer = await ctx.enroll({ cn: 'mdmca x509 user', tokenType: 'X509v3' });
      if (answer.fault) return fail(describeAnswer(answer));
      const certificate = issuedCertificate(answer);
      const key = await ctx.key(0);
      const sameKey = Buffer.from(certificate.spkiDer).equals(key.publicKey.export({ type: 'spki', format: 'der' }));
      return expectThat(sameKey && certificate.subject.toString().includes('mdmca x509 user'), `issued ${certificate.subject.toString()}`, { subject: certificate.subject.toString(), sameKey }, { subject: 'CN=mdmca x509 user…', sameKey: true });
    },
  },
  {
    id: 'symantec.issue-pkcs7',
    title: 'Issue with tokenType PKCS7 returns a certs-only PKCS#7 holding the issued certificate',
    severity: 'error',
    source: `${REF} §A.3 (PKCS7: a certs-only collection; S7 picks the non-CA certificate)`,
    async run(ctx) {
      const answer = await ctx.enroll({ cn: 'mdmca pkcs7 user', tokenType: 'PKCS7' });
      if (answer.fault) return fail(describeAnswer(answer));
      const certificate = issuedCertificate(answer, 'PKCS7');
      return expectThat(certificate.subject.toString().includes('mdmca pkcs7 user'), `PKCS#7 leaf ${certificate.subject.toString()}`, certificate.subject.toString(), 'CN=mdmca pkcs7 user');
    },
  },
  {
    id: 'symantec.wire-casing',
    title: 'requestVSSecurityToken (lower-case r) is accepted; the answer is RequestVSSecurityTokenResponse (upper-case R) in WS-Trust with the trailing slash',
    severity: 'error',
    source: `${REF} §A.1 (WS-Trust namespace quirk), §A.3 (request lower-case r, response upper-case R)`,
    async run(ctx) {
      const answer = await ctx.enroll({ cn: 'mdmca casing user' });
      if (answer.fault) return fail(describeAnswer(answer));
      const wrapper = answer.operation;
      const inner = wrapper?.children[0];
      const observed = { wrapper: `{${wrapper?.ns}}${wrapper?.name}`, inner: `{${inner?.ns}}${inner?.name}` };
      const expected = { wrapper: `{${WS_TRUST_NS}}RequestSecurityTokenResponse`, inner: `{${SERVICES.enrollment.namespace}}RequestVSSecurityTokenResponse` };
      return expectThat(observed.wrapper === expected.wrapper && observed.inner === expected.inner, `${observed.wrapper} / ${observed.inner}`, observed, expected);
    },
  },
  {
    id: 'symantec.transaction-id-echo',
    title: 'clientTransactionID (40 characters) is echoed verbatim; serverTransactionID is at most 40',
    severity: 'warning',
    source: `${REF} §A.3 (clientTransactionID echoed, serverTransactionID ≤ 40), §A.4 (S6 warns when the echo differs)`,
    async run(ctx) {
      const sent = 'MdM-Ca Tx 0001 mixed CASE & spaces.:/'.padEnd(TRANSACTION_ID_MAX, '_');
      const answer = await ctx.enroll({ cn: 'mdmca txid user', clientTransactionID: sent });
      const echoed = textOf(answer.operation, 'clientTransactionID');
      const server = textOf(answer.operation, 'serverTransactionID') ?? '';
      return expectThat(echoed === sent && server.length > 0 && server.length <= TRANSACTION_ID_MAX, `echoed "${echoed}", serverTransactionID "${server}"`, { echoed, server }, { echoed: sent, server: '1..40 characters' });
    },
  },
  {
    id: 'symantec.transaction-id-too-long',
    title: 'A clientTransactionID of 41 characters is refused with a SOAP fault',
    severity: 'error',
    source: `${REF} §A.3 (max 40 chars), §A.8 scenario 7`,
    async run(ctx) {
      const answer = await ctx.enroll({ cn: 'mdmca txid user', clientTransactionID: TOO_LONG_TRANSACTION_ID });
      return expectThat(Boolean(answer.fault), describeAnswer(answer), describeAnswer(answer), 'a SOAP Fault');
    },
  },
  {
    id: 'symantec.bad-version',
    title: 'A version not matching \\d{1,3}\\.\\d{0,3} is refused with a SOAP fault',
    severity: 'warning',
    source: `${REF} §A.3 (version pattern), §A.8 scenario 7`,
    async run(ctx) {
      const answer = await ctx.enroll({ cn: 'mdmca version user', version: 'two' });
      return expectThat(Boolean(answer.fault), describeAnswer(answer), describeAnswer(answer), 'a SOAP Fault');
    },
  },
  {
    id: 'symantec.fault-shape',
    title: 'Faults are SOAP 1.1 Client faults with detail/errorcode and detail/message, faultstring = message',
    severity: 'warning',
    source: `${REF} §A.7 (S7 reads Envelope/Body/Fault/detail/errorcode and …/detail/message)`,
    async run(ctx) {
      const answer = await ctx.enroll({ cn: 'mdmca fault user', clientTransactionID: TOO_LONG_TRANSACTION_ID });
      const f = answer.fault;
      const ok = Boolean(f && f.faultcode?.endsWith(':Client') && f.errorcode && f.message && f.faultstring === f.message && answer.status === 500);
      return expectThat(ok, describeAnswer(answer), { status: answer.status, ...f }, { status: 500, faultcode: 'soap:Client', errorcode: 'present', message: 'faultstring' });
    },
  },
  {
    id: 'symantec.pkcs12',
    title: 'tokenType PKCS12 returns a .p12 and its pKCS12Password, and the .p12 opens with it',
    severity: 'error',
    source: `${REF} §A.3 (PKCS12 delivery: pKCS12Password), §A.8 scenario 15`,
    fix: 'With a key escrow profile the MDM must handle a .p12 and its password, not a certificate (vendor-apis.md §A.8 15).',
    async run(ctx) {
      const answer = await ctx.enroll({ cn: 'mdmca p12 user', tokenType: 'PKCS12' });
      if (answer.fault) return fail(describeAnswer(answer));
      const password = textOf(find(answer.operation, 'requestedVSSecurityToken'), 'pKCS12Password');
      if (!password) return fail('no pKCS12Password', { observed: describeAnswer(answer) });
      const contents = parsePkcs12(issuedToken(answer), password);
      return expectThat(contents.privateKey !== undefined && contents.certificate.byteLength > 0, 'the PKCS#12 opens and holds a key and a certificate', contents.form, 'a key and a certificate');
    },
  },
  {
    id: 'symantec.activesync-fit',
    title: 'The issued certificate is fit for ActiveSync: clientAuth EKU, and a CRL distribution point that answers a parseable CRL',
    severity: 'error',
    source: 'guide 002 (ActiveSync certificate-based authentication); issue 5 (certificates fit for ActiveSync)',
    async run(ctx) {
      const answer = await ctx.enroll({ cn: 'mdmca activesync user', seat: 'activesync.user@example.com' });
      if (answer.fault) return fail(describeAnswer(answer));
      const certificate = issuedCertificate(answer);
      const eku = certificate.extensions.extendedKeyUsage ?? [];
      const dp = (certificate.extensions.crlDistributionPoints ?? []).find((u) => /^https?:/.test(u));
      if (!eku.includes('clientAuth')) return fail('no clientAuth EKU', { observed: eku.join(','), expected: 'clientAuth' });
      if (!dp) return fail('no http CRL distribution point', { observed: JSON.stringify(certificate.extensions.crlDistributionPoints ?? []) });
      const response = await fetch(dp, { signal: AbortSignal.timeout(10_000) });
      const crl = parseCrl(new Uint8Array(await response.arrayBuffer()));
      return expectThat(response.ok && crl.issuer !== undefined, `CRL at ${dp}: ${crl.entries.length} entries`, `HTTP ${response.status}`, 'HTTP 200 and a CRL');
    },
  },
];
