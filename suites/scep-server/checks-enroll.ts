/**
 * Enrolment (RFC 8894 §3.3.1, §4.3): PKCSReq by POST and GET, what the CertRep must carry (§3.2.1.1, §3.2.1.5),
 * how it is encrypted (§2.9), a wrong challenge (§3.3.2), and RenewalReq signed with the issued certificate.
 */
import { Buffer } from 'node:buffer';
import { parseCertificate } from '../../core/pki/certificate.js';
import { parseCsr } from '../../core/pki/csr.js';
import { hasCap } from '../../core/scep/caps.js';
import { type CaCertificates, ScepClientError } from '../../core/scep/client.js';
import { FailInfo, failInfoName, MessageType, PkiStatus } from '../../core/scep/constants.js';
import { type CheckDefinition, type CheckOutcome, expectThat, fail, pass, skip } from '../model.js';
import { describeStatus, type Enrolled, type ScepSuiteContext } from './context.js';

type ScepCheck = CheckDefinition<ScepSuiteContext>;

const hex = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('hex') : '(absent)');

/** SUCCESS, and the certificate holds the CSR's key and subject and is signed by a CA of GetCACert. */
export function issuedOutcome(enrolled: Enrolled, ca: CaCertificates, what: string): CheckOutcome {
  const { result } = enrolled;
  if (result.status !== PkiStatus.SUCCESS || !result.certificate) {
    return fail(`${what} was not issued`, { observed: describeStatus(result), expected: 'CertRep SUCCESS with the issued certificate' });
  }
  const csr = parseCsr(result.csr);
  const certificate = parseCertificate(result.certificate);
  const problems: string[] = [];
  if (Buffer.compare(certificate.spkiDer, csr.spkiDer) !== 0) problems.push('its public key is not the CSR key');
  if (!certificate.subject.equals(csr.subject)) problems.push(`its subject "${certificate.subject}" is not the CSR subject "${csr.subject}"`);
  const issuers = [...ca.caCertificates, ...result.chain].map((der) => parseCertificate(der));
  const issuer = issuers.find((candidate) => certificate.issuer.equals(candidate.subject) && certificate.verifySignedBy(candidate));
  if (!issuer) problems.push(`it is not signed by a CA certificate from GetCACert (issuer "${certificate.issuer}")`);
  const observed = `serial ${certificate.serialHex}, subject "${certificate.subject}", issuer "${certificate.issuer}"`;
  if (problems.length) return fail(`${what} issued a certificate, but ${problems.join('; ')}`, { observed, expected: 'the CSR key and subject, signed by the CA' });
  return pass(`${what} issued ${observed} (${result.method}, request ${result.cipher}, CertRep ${result.reply.cipher ?? 'n/a'})`);
}

/** The POST enrolment's CertRep when it is a SUCCESS; otherwise the reason to skip a check that inspects it. */
async function successfulPost(ctx: ScepSuiteContext): Promise<Enrolled | CheckOutcome> {
  const enrolled = await ctx.postEnrollment();
  if (enrolled.result.status === PkiStatus.SUCCESS) return enrolled;
  return skip(`no SUCCESS CertRep to inspect: the PKCSReq by POST got ${describeStatus(enrolled.result)} (see scep.enroll.post)`);
}

export const enrollChecks: ScepCheck[] = [
  {
    id: 'scep.enroll.post',
    title: 'PKCSReq by POST issues a certificate for the CSR key and subject that chains to the CA',
    severity: 'error',
    source: 'RFC 8894 §3.3.1, §3.3.2, §4.3',
    fix: 'Decrypt the pkcsPKIEnvelope with the CA (or RA) key, issue for the CSR, and answer a CertRep SUCCESS whose degenerate SignedData has the issued certificate first.',
    async run(ctx) {
      return issuedOutcome(await ctx.postEnrollment(), await ctx.caCertificates(), 'PKCSReq by POST');
    },
  },
  {
    id: 'scep.enroll.get',
    title: 'PKCSReq by GET (base64, percent-escaped) issues a certificate',
    severity: 'warning',
    source: 'RFC 8894 §4.1',
    fix: 'Accept PKIOperation by GET with the pkiMessage as standard base64 (RFC 4648 §4), percent-decoded, in `message`: clients without POST (and macOS) send it that way.',
    async run(ctx) {
      const enrolled = await ctx.enroll('get', { method: 'GET' });
      return issuedOutcome(enrolled, await ctx.caCertificates(), 'PKCSReq by GET');
    },
  },
  {
    id: 'scep.certrep.nonces',
    title: 'CertRep echoes the transactionID and returns our senderNonce as recipientNonce',
    severity: 'error',
    source: 'RFC 8894 §3.2.1.1, §3.2.1.5',
    fix: 'Copy the request transactionID into the CertRep, and its senderNonce into the CertRep recipientNonce; the client MUST reject a reply where they differ.',
    async run(ctx) {
      let enrolled: Enrolled;
      try {
        enrolled = await ctx.postEnrollment();
      } catch (error) {
        if (error instanceof ScepClientError && (error.code === 'nonce-mismatch' || error.code === 'transaction-mismatch')) return fail(error.message);
        throw error;
      }
      const { result } = enrolled;
      return pass('transactionID and recipientNonce match the request', {
        observed: `transactionID ${result.reply.transactionId}, recipientNonce ${hex(result.reply.recipientNonce)}`,
        expected: `transactionID ${result.transactionId}, recipientNonce ${hex(result.senderNonce)}`,
      });
    },
  },
  {
    id: 'scep.certrep.sender-nonce',
    title: 'CertRep carries a 16-byte senderNonce',
    severity: 'notice',
    source: 'RFC 8894 §3.2.1.5',
    fix: 'Include a senderNonce of 16 random bytes in every CertRep.',
    async run(ctx) {
      const { result } = await ctx.postEnrollment();
      const theirs = result.reply.senderNonce;
      const observed = hex(theirs);
      if (!theirs || theirs.byteLength !== 16) return fail('the CertRep senderNonce is missing or not 16 bytes', { observed, expected: '16 bytes' });
      // The RFC's note: one exchange has one nonce in effect, so a CA echoing ours is within its letter.
      const echoed = Buffer.compare(theirs, result.senderNonce) === 0;
      return pass(echoed ? 'present; it repeats our senderNonce, which §3.2.1.5 treats as the one nonce of the exchange' : 'present and fresh', { observed });
    },
  },
  {
    id: 'scep.certrep.no-des',
    title: 'CertRep is not encrypted with single DES, nor with 3DES when AES was offered',
    severity: 'error',
    source: 'RFC 8894 §2.9, §3.5.2',
    fix: 'Encrypt the CertRep envelope with AES (the cipher of the request): single DES MUST NOT be used, and a client that sent AES may refuse 3DES and DES (OpenSSL 3 and AWS Private CA Connector for SCEP reject DES). micromdm scepserver 2.1 always answers with DES-CBC; newer versions take -encryption-algo.',
    async run(ctx) {
      const enrolled = await successfulPost(ctx);
      if (!('result' in enrolled)) return enrolled;
      const { result } = enrolled;
      const replyCipher = result.reply.cipher ?? '(none)';
      const offeredAes = result.cipher.startsWith('aes');
      const observed = `request ${result.cipher}, CertRep ${replyCipher}`;
      const expected = offeredAes ? 'CertRep AES (aes-128-cbc or stronger)' : 'CertRep 3DES or AES, never single DES';
      if (replyCipher === 'des-cbc') return fail('single-DES CertRep: the CA encrypted its answer with DES-CBC, which RFC 8894 §2.9 forbids', { observed, expected });
      if (offeredAes && replyCipher === 'des-ede3-cbc') return fail('3DES CertRep although the request used AES', { observed, expected });
      return pass(`CertRep encrypted with ${replyCipher}`, { observed, expected });
    },
  },
  {
    id: 'scep.enroll.wrong-challenge',
    title: 'A wrong challenge password gets CertRep FAILURE badRequest, not an HTTP error',
    severity: 'error',
    source: 'RFC 8894 §3.3.2, §3.2.1.4',
    fix: 'When the challengePassword does not match, answer a signed CertRep with pkiStatus FAILURE and failInfo badRequest (and a failInfoText), so the client can tell the user why.',
    async run(ctx) {
      if (ctx.challenge === undefined) return skip('no challenge is configured for this target (credentials.challenge)');
      let enrolled: Enrolled;
      try {
        enrolled = await ctx.enroll('wrong-challenge', { challenge: `${ctx.challenge}-wrong` });
      } catch (error) {
        if (error instanceof ScepClientError) return fail(`no CertRep for a wrong challenge: ${error.message}`, { observed: error.message, expected: 'CertRep FAILURE badRequest' });
        throw error;
      }
      const { result } = enrolled;
      const ok = result.status === PkiStatus.FAILURE && result.failInfo === FailInfo.badRequest;
      const info = result.failInfo !== undefined ? failInfoName(result.failInfo) : '';
      return expectThat(ok, ok ? `rejected with FAILURE badRequest${result.failInfoText ? ` ("${result.failInfoText}")` : ''}` : `a wrong challenge got ${result.statusName} ${info}`.trim(), describeStatus(result), 'CertRep FAILURE badRequest');
    },
  },
  {
    id: 'scep.renewal',
    title: 'RenewalReq signed with the issued certificate issues a new certificate',
    severity: 'warning',
    source: 'RFC 8894 §2.5, §3.3.1',
    fix: 'Accept a RenewalReq signed by a valid certificate this CA issued, and issue for the new CSR. micromdm scepserver refuses a DN that has a valid certificate until -allowrenew days before it expires (default 14; 0 allows it).',
    async run(ctx) {
      const { caps } = await ctx.caps();
      if (!hasCap(caps, 'Renewal')) return skip('Renewal is not advertised in GetCACaps');
      const enrolled = await successfulPost(ctx);
      if (!('result' in enrolled)) return enrolled;
      const signer = { certificate: enrolled.result.certificate!, privateKey: enrolled.key.privateKey };
      const renewed = await ctx.enroll('renewal', { messageType: MessageType.RenewalReq, signer, subject: enrolled.subject });
      const outcome = issuedOutcome(renewed, await ctx.caCertificates(), 'RenewalReq');
      if (outcome.status === 'pass' && Buffer.compare(renewed.result.certificate!, signer.certificate) === 0) {
        return fail('RenewalReq returned the old certificate instead of a new one');
      }
      return outcome;
    },
  },
];
