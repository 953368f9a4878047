/**
 * The GetCACert answer as a client reads it (RFC 8894 §4.2.1): one DER certificate
 * (application/x-x509-ca-cert) or a degenerate certs-only SignedData with the CA, its chain and any RA
 * certificates (application/x-x509-ca-ra-cert). From it the client picks whom to encrypt to (an RA with
 * keyEncipherment or dataEncipherment when there are several, like NDES's "CEP Encryption"; else the CA) and
 * whom to expect as the CertRep's signer.
 */
import { type ParsedCertificate, parseCertificate } from '../pki/certificate.js';
import type { KeyUsageName } from '../pki/extensions.js';
import { parseCertsOnly } from './certs-only.js';
import { bodySnippet, ScepClientError } from './client-errors.js';

export const CA_CERT_CONTENT_TYPE = 'application/x-x509-ca-cert';
export const CA_RA_CERT_CONTENT_TYPE = 'application/x-x509-ca-ra-cert';
export const NEXT_CA_CERT_CONTENT_TYPE = 'application/x-x509-next-ca-cert';

export interface CaCertificates {
  /** The media type the server sent. */
  contentType: string;
  /** What the body actually was. */
  form: 'certificate' | 'pkcs7';
  /** Whether the media type names the form of the body (RFC 8894 §4.2.1.1, §4.2.1.2). */
  contentTypeMatches: boolean;
  /** Every certificate, in the order sent. */
  certificates: Uint8Array[];
  caCertificates: Uint8Array[];
  raCertificates: Uint8Array[];
  /** The CA that issues the clients' certificates: the RA's issuer when there is an RA, else the lowest CA. */
  issuingCa: Uint8Array;
  /** The pkcsPKIEnvelope recipient. */
  encryptionCertificate: Uint8Array;
  /** Who should sign CertReps. */
  signerCertificate: Uint8Array;
}

/** Reads a GetCACert body; ScepClientError 'bad-response' when it is neither a certificate nor a SignedData. */
export function readCaCertificates(contentType: string, body: Uint8Array): CaCertificates {
  const asCertificate = (): Uint8Array[] | undefined => {
    try {
      return [parseCertificate(body).der];
    } catch {
      return undefined;
    }
  };
  const asPkcs7 = (): Uint8Array[] | undefined => {
    try {
      const certificates = parseCertsOnly(body).certificates;
      return certificates.length ? certificates : undefined;
    } catch {
      return undefined;
    }
  };
  const singleFirst = contentType === CA_CERT_CONTENT_TYPE;
  let form: CaCertificates['form'] = singleFirst ? 'certificate' : 'pkcs7';
  let certificates = singleFirst ? asCertificate() : asPkcs7();
  if (!certificates) {
    form = singleFirst ? 'pkcs7' : 'certificate';
    certificates = singleFirst ? asPkcs7() : asCertificate();
  }
  if (!certificates) {
    throw new ScepClientError('bad-response', `GetCACert answer (${contentType || 'no content type'}) is neither a certificate nor a certs-only SignedData`, {
      contentType,
      body: bodySnippet(body),
    });
  }
  const contentTypeMatches = form === 'certificate' ? contentType === CA_CERT_CONTENT_TYPE : contentType === CA_RA_CERT_CONTENT_TYPE;
  return { contentType, form, contentTypeMatches, ...classify(certificates) };
}

type Roles = Pick<CaCertificates, 'certificates' | 'caCertificates' | 'raCertificates' | 'issuingCa' | 'encryptionCertificate' | 'signerCertificate'>;

/** Sorts certificates into CAs and RAs and picks the encryption and signer certificates. */
export function classify(certificates: Uint8Array[]): Roles {
  const parsed = certificates.map((der) => parseCertificate(der));
  const issues = (issuer: ParsedCertificate, subject: ParsedCertificate) =>
    issuer !== subject && subject.issuer.equals(issuer.subject) && subject.verifySignedBy(issuer);
  // A CA: says so, or signed another certificate of the set (old v1 roots); a single certificate is the CA.
  const isCa = (cert: ParsedCertificate) => parsed.length === 1 || cert.isCa || parsed.some((other) => issues(cert, other));
  const cas = parsed.filter(isCa);
  const ras = parsed.filter((cert) => !isCa(cert));
  if (cas.length === 0) {
    throw new ScepClientError('bad-response', 'GetCACert answer holds no CA certificate');
  }
  const issuing =
    cas.find((ca) => ras.some((ra) => issues(ca, ra))) ??
    // the lowest CA: one that issued no other CA of the set
    cas.find((ca) => !cas.some((other) => issues(ca, other))) ??
    cas[0]!;
  const usage = (cert: ParsedCertificate): KeyUsageName[] | undefined => {
    try {
      return cert.extensions.keyUsage;
    } catch {
      return undefined;
    }
  };
  // Prefer an RA whose keyUsage names the use; then one without keyUsage (any use); then any RA; then the CA.
  const says = (cert: ParsedCertificate, wanted: KeyUsageName[]) => wanted.some((u) => usage(cert)?.includes(u));
  const pick = (wanted: KeyUsageName[]) => ras.find((ra) => says(ra, wanted)) ?? ras.find((ra) => usage(ra) === undefined) ?? ras[0] ?? issuing;
  const encryption = pick(['keyEncipherment', 'dataEncipherment']);
  const signer = pick(['digitalSignature']);
  return {
    certificates,
    caCertificates: cas.map((c) => c.der),
    raCertificates: ras.map((c) => c.der),
    issuingCa: issuing.der,
    encryptionCertificate: encryption.der,
    signerCertificate: signer.der,
  };
}
