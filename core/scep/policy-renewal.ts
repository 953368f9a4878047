/**
 * Renewal (RFC 8894 §3.3.1.2): a RenewalReq, or a PKCSReq signed by a certificate this CA issued (how macOS
 * renews), is authenticated by that certificate instead of a challenge. The link checks what micromdm forgot
 * for years (micromdm/scep #117, #235): the signer certificate was issued by this CA, is inside its validity at
 * the server's clock, and is not revoked. Requests that are not renewals pass through untouched.
 */
import { type ParsedCertificate, parseCertificate } from '../pki/certificate.js';
import { FailInfo } from './constants.js';
import type { MaybePromise } from './depot.js';
import { type EnrollmentPolicy, reject } from './policy.js';

export interface RenewalPolicyOptions {
  caCertificate: ParsedCertificate;
  isRevoked?: (serialHex: string) => MaybePromise<boolean>;
}

export function renewalPolicy(options: RenewalPolicyOptions): EnrollmentPolicy {
  const ca = options.caCertificate;
  return async (context, next) => {
    if (context.kind !== 'renewal') return next();
    let signer: ParsedCertificate;
    try {
      signer = parseCertificate(context.request.signerCertificate);
    } catch {
      return reject(FailInfo.badCertId, 'the renewal signer certificate cannot be read');
    }
    if (Buffer.compare(signer.issuerDer, ca.subjectDer) !== 0) {
      return reject(FailInfo.badCertId, `the renewal is signed by a certificate this CA did not issue (issuer ${signer.issuer})`);
    }
    if (!signer.verifySignedBy(ca.publicKey)) {
      return reject(FailInfo.badCertId, 'the renewal signer certificate does not verify with this CA key');
    }
    const now = context.now;
    if (now < signer.notBefore) {
      return reject(FailInfo.badTime, `the renewal signer certificate is not valid before ${signer.notBefore.toISOString()}`);
    }
    if (now > signer.notAfter) {
      return reject(FailInfo.badTime, `the renewal signer certificate expired at ${signer.notAfter.toISOString()}`);
    }
    if (options.isRevoked && (await options.isRevoked(signer.serialHex))) {
      return reject(FailInfo.badCertId, `the renewal signer certificate ${signer.serialHex} is revoked`);
    }
    context.renewalOf = signer;
    context.authenticatedBy = 'renewal';
    context.notes.push(`renewal of ${signer.serialHex}`);
    return next();
  };
}
