/**
 * The optional transactions: CertPoll and manual approval (RFC 8894 §3.3.3, §4.4), GetCert and GetCRL (§3.3.4,
 * §4.5, §4.6). A server without them answers these with an HTTP error; the checks say so by name.
 */
import { Buffer } from 'node:buffer';
import { parseCertificate } from '../../core/pki/certificate.js';
import { parseCrl } from '../../core/pki/crl.js';
import { DistinguishedName } from '../../core/pki/names.js';
import { certificateFields } from '../../core/scep/cert-fields.js';
import { issuerAndSerialOf, ScepClientError, type TransactResult } from '../../core/scep/client.js';
import { failInfoName, MessageType, PkiStatus, pkiStatusName } from '../../core/scep/constants.js';
import { type CheckDefinition, type CheckOutcome, fail, pass, skip } from '../model.js';
import { describeStatus, type ScepSuiteContext } from './context.js';

type ScepCheck = CheckDefinition<ScepSuiteContext>;

const replyText = (result: TransactResult) =>
  `${pkiStatusName(result.reply.status)}${result.reply.failInfo !== undefined ? ` ${failInfoName(result.reply.failInfo)}` : ''}${result.reply.failInfoText ? ` (${result.reply.failInfoText})` : ''}`;

/** Runs a transaction; an HTTP-level failure becomes the check's failure, naming the operation as unsupported. */
async function attempt<T>(operation: string, expected: string, run: () => Promise<T>): Promise<T | CheckOutcome> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ScepClientError)) throw error;
    const observed = error.status ? `HTTP ${error.status}${error.body ? `: ${error.body}` : ''}` : error.message;
    const message = error.code === 'http-status' ? `no ${operation}: the server answers it with HTTP ${error.status}, not a CertRep` : `${operation} failed: ${error.message}`;
    return fail(message, { observed, expected });
  }
}

const isOutcome = (value: unknown): value is CheckOutcome => typeof value === 'object' && value !== null && 'status' in value && 'message' in value && !('reply' in value);

/** The issued identity of the POST enrolment, or the reason to skip. */
async function issued(ctx: ScepSuiteContext) {
  const enrolled = await ctx.postEnrollment();
  if (!enrolled.result.certificate) return skip(`needs an issued certificate; the PKCSReq by POST got ${describeStatus(enrolled.result)}`);
  return { certificate: enrolled.result.certificate, privateKey: enrolled.key.privateKey };
}

export const retrievalChecks: ScepCheck[] = [
  {
    id: 'scep.getcert',
    title: 'GetCert by issuer and serial returns the issued certificate',
    severity: 'warning',
    source: 'RFC 8894 §3.3.4, §4.5',
    fix: 'Answer a GetCert (messageType 21, IssuerAndSerialNumber) with CertRep SUCCESS holding the certificate, or FAILURE badCertId when there is none.',
    async run(ctx) {
      const identity = await issued(ctx);
      if (isOutcome(identity)) return identity;
      const expected = 'CertRep SUCCESS with the certificate';
      const result = await attempt('GetCert', expected, () => ctx.client.getCert(issuerAndSerialOf(identity.certificate), { signer: identity }));
      if (isOutcome(result)) return result;
      const same = !!result.certificate && Buffer.compare(result.certificate, identity.certificate) === 0;
      if (result.reply.status !== PkiStatus.SUCCESS || !same) {
        return fail('GetCert did not return the issued certificate', { observed: `${replyText(result)}, ${result.reply.certificates.length} certificate(s)`, expected });
      }
      return pass(`returned serial ${parseCertificate(identity.certificate).serialHex}`);
    },
  },
  {
    id: 'scep.getcrl',
    title: 'GetCRL returns a CRL signed by the CA (listing a revoked certificate when we can revoke one)',
    severity: 'warning',
    source: 'RFC 8894 §3.3.4, §4.6',
    fix: 'Answer a GetCRL (messageType 22) with CertRep SUCCESS whose degenerate SignedData carries the current CRL in `crls`.',
    async run(ctx) {
      const identity = await issued(ctx);
      if (isOutcome(identity)) return identity;
      const ca = await ctx.caCertificates();
      let target = identity.certificate;
      let revokedSerial: string | undefined;
      if (ctx.server.admin) {
        const victim = await ctx.enroll('revoked');
        if (!victim.result.certificate) return fail(`could not enrol a certificate to revoke: ${describeStatus(victim.result)}`);
        target = victim.result.certificate;
        revokedSerial = parseCertificate(target).serialHex;
        await ctx.server.admin.revoke(revokedSerial);
      }
      const expected = 'CertRep SUCCESS with a CRL signed by the CA';
      const result = await attempt('GetCRL', expected, () => ctx.client.getCrl(issuerAndSerialOf(target), { signer: identity }));
      if (isOutcome(result)) return result;
      if (result.reply.status !== PkiStatus.SUCCESS || !result.crl) return fail('GetCRL returned no CRL', { observed: replyText(result), expected });
      const crl = parseCrl(result.crl);
      const signer = [...ca.caCertificates].map((der) => parseCertificate(der)).find((c) => crl.issuer.equals(c.subject) && crl.verify(c));
      if (!signer) return fail(`the CRL (issuer "${crl.issuer}") is not signed by a CA certificate from GetCACert`, { observed: crl.issuer.toString(), expected });
      if (revokedSerial && !crl.entries.some((entry) => entry.serialHex === revokedSerial)) {
        return fail(`the CRL does not list the certificate revoked through the admin surface (${revokedSerial})`, { observed: `${crl.entries.length} entries`, expected: `an entry for ${revokedSerial}` });
      }
      return pass(`CRL from "${crl.issuer}", ${crl.entries.length} entries, thisUpdate ${crl.thisUpdate.toISOString()}${revokedSerial ? `, lists ${revokedSerial}` : ''}`);
    },
  },
  {
    id: 'scep.certpoll.supported',
    title: 'CertPoll is answered with a CertRep (FAILURE for a transaction the CA does not know)',
    severity: 'warning',
    source: 'RFC 8894 §3.3.3, §4.4',
    fix: 'Implement CertPoll (messageType 20, GetCertInitial before RFC 8894): answer PENDING while a request awaits approval, SUCCESS once issued, and FAILURE (badCertId) for a transactionID with no request. Without it a CA cannot put requests PENDING for manual approval.',
    async run(ctx) {
      const ca = await ctx.caCertificates();
      const { result: post } = await ctx.postEnrollment();
      const expected = 'CertRep FAILURE (no matching request)';
      const payload = { messageType: MessageType.CertPoll as const, issuer: certificateFields(ca.issuingCa).subject, subject: DistinguishedName.parse(ctx.subject('certpoll')).der };
      const result = await attempt('CertPoll', expected, () => ctx.client.transact(payload, { signer: post.signer }));
      if (isOutcome(result)) return result;
      if (result.reply.status !== PkiStatus.FAILURE) {
        return fail(`a CertPoll for an unknown transaction got ${replyText(result)}; RFC 8894 §3.3.3 says it MUST be rejected`, { observed: replyText(result), expected });
      }
      return pass(`answered ${replyText(result)}`);
    },
  },
  {
    id: 'scep.pending.manual',
    title: 'Under manual approval PKCSReq gets PENDING, and CertPoll gets the certificate once approved',
    severity: 'warning',
    source: 'RFC 8894 §3.3.2, §3.3.3, §4.4',
    fix: 'Answer PKCSReq with PENDING while a request awaits approval, keep answering CertPoll with PENDING, and with SUCCESS and the certificate once approved.',
    async run(ctx) {
      const admin = ctx.server.admin;
      if (!admin) return skip('needs admin control of the server (manual approval), which only the embedded simulator offers');
      await admin.approvalMode('manual');
      try {
        const { result: first } = await ctx.enroll('pending');
        if (first.status !== PkiStatus.PENDING || !first.pending) {
          return fail(`PKCSReq got ${describeStatus(first)} while the CA was in manual approval`, { observed: describeStatus(first), expected: 'PENDING' });
        }
        const waiting = await ctx.client.certPoll(first.pending);
        if (waiting.reply.status !== PkiStatus.PENDING) {
          return fail(`CertPoll before approval got ${replyText(waiting)}`, { observed: replyText(waiting), expected: 'PENDING' });
        }
        await admin.approve(first.transactionId);
        const done = await ctx.client.poll(first.pending, first.csr);
        const keyMatches = !!done.certificate && Buffer.compare(parseCertificate(done.certificate).spkiDer, parseCertificate(first.signer.certificate).spkiDer) === 0;
        if (done.status !== PkiStatus.SUCCESS || !keyMatches) {
          return fail('CertPoll after approval did not return the certificate for our key', { observed: describeStatus(done), expected: 'SUCCESS with the certificate' });
        }
        return pass(`PENDING, PENDING, then SUCCESS serial ${parseCertificate(done.certificate!).serialHex} for transaction ${first.transactionId}`);
      } finally {
        await admin.approvalMode('auto');
      }
    },
  },
];
