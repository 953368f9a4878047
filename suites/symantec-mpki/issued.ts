/**
 * Reading enrollment answers (vendor-apis.md §A.3): the issued token under requestedVSSecurityToken, as a DER
 * certificate (X509v3), a certs-only PKCS#7 (the non-CA certificate is the issued one, as S7 picks it) or a
 * PKCS#12 with pKCS12Password; or the pendingTokenReferenceID of an approval-pending request.
 */
import { parseCertificate, type ParsedCertificate } from '../../core/pki/certificate.js';
import { parseCertsOnly } from '../../core/scep/certs-only.js';
import type { SoapAnswer } from './context.js';
import { find, textOf } from './messages.js';

export class UnexpectedAnswer extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnexpectedAnswer';
  }
}

export function describeAnswer(answer: SoapAnswer): string {
  if (answer.fault) return `HTTP ${answer.status} fault ${answer.fault.faultcode ?? ''}: ${answer.fault.faultstring ?? ''} (${answer.fault.errorcode ?? 'no errorcode'})`;
  return `HTTP ${answer.status} ${answer.operation?.name ?? answer.text.slice(0, 160)}`;
}

/** The base64 token of requestedVSSecurityToken/binarySecurityToken, decoded. */
export function issuedToken(answer: SoapAnswer): Uint8Array {
  const requested = find(answer.operation, 'requestedVSSecurityToken');
  const token = textOf(requested, 'binarySecurityToken');
  if (!token) throw new UnexpectedAnswer(`no requestedVSSecurityToken/binarySecurityToken: ${describeAnswer(answer)}`);
  return new Uint8Array(Buffer.from(token.replace(/\s+/g, ''), 'base64'));
}

export function issuedCertificate(answer: SoapAnswer, tokenType: 'X509v3' | 'PKCS7' = 'X509v3'): ParsedCertificate {
  const der = issuedToken(answer);
  if (tokenType === 'X509v3') return parseCertificate(der);
  const certificates = parseCertsOnly(der).certificates.map((c) => parseCertificate(c));
  const leaf = certificates.find((c) => !c.isCa);
  if (!leaf) throw new UnexpectedAnswer(`the PKCS#7 holds ${certificates.length} certificates, none of them an end entity`);
  return leaf;
}

export function pendingReference(answer: SoapAnswer): string | undefined {
  return textOf(find(answer.operation, 'requestedVSSecurityToken'), 'pendingTokenReferenceID') ?? textOf(answer.operation, 'pendingTokenReferenceID');
}
