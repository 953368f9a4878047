/**
 * The SCEP server's own certificates, prepared once at construction: who decrypts requests (the RA when there
 * is one, else the CA; both are tried, since clients differ in which certificate of a GetCACert reply they
 * encrypt to), who signs CertReps (the RA, else the CA), and the GetCACert body, encoded once.
 */
import type { KeyObject } from 'node:crypto';
import type { CertificateAuthority } from '../pki/ca.js';
import { type ParsedCertificate, parseCertificate } from '../pki/certificate.js';
import { publicKeyInfo } from '../pki/public-key-info.js';
import { buildCertsOnly } from './certs-only.js';
import type { EnvelopeRecipient } from './envelope.js';
import type { SignerIdentity } from './signed-data.js';

export interface ScepIdentity {
  /** The issuing CA certificate (DER) and key. */
  caCertificate: Uint8Array;
  caKey: KeyObject;
  /** Certificates above the CA, nearest first. Sent with GetCACert. */
  caChain?: readonly Uint8Array[];
  /** An RA: then GetCACert returns CA and RA, requests are encrypted to the RA, and CertReps are signed by it. */
  ra?: { certificate: Uint8Array; privateKey: KeyObject };
}

export class ScepConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScepConfigError';
  }
}

export const CONTENT_TYPE = {
  caCert: 'application/x-x509-ca-cert',
  caRaCert: 'application/x-x509-ca-ra-cert',
  nextCaCert: 'application/x-x509-next-ca-cert',
  pkiMessage: 'application/x-pki-message',
  caps: 'text/plain; charset=utf-8',
} as const;

export interface PreparedIdentity {
  ca: ParsedCertificate;
  /** The CA (and its key) for GetNextCACert signatures. */
  caSigner: SignerIdentity;
  /** Signs CertReps: the RA when there is one. */
  replySigner: SignerIdentity;
  /** Keys that may open a request envelope, RA first. */
  recipients: readonly EnvelopeRecipient[];
  getCaCert: { body: Uint8Array; contentType: string };
  /** The CA's parents, nearest first. */
  chain: readonly Uint8Array[];
  hasRa: boolean;
}

function sameKey(certificate: ParsedCertificate, key: KeyObject): boolean {
  return Buffer.compare(publicKeyInfo(key).spki, certificate.spkiDer) === 0;
}

/** The identity of a CertificateAuthority: its certificate, key and parents. */
export function identityOf(ca: CertificateAuthority, ra?: ScepIdentity['ra']): ScepIdentity {
  return { caCertificate: ca.certificateDer, caKey: ca.privateKey, caChain: ca.chain.slice(1), ...(ra ? { ra } : {}) };
}

export function prepareIdentity(identity: ScepIdentity): PreparedIdentity {
  const ca = parseCertificate(identity.caCertificate);
  if (!sameKey(ca, identity.caKey)) throw new ScepConfigError(`the CA key does not belong to the CA certificate ${ca.subject}`);
  const caSigner = { certificate: ca.der, privateKey: identity.caKey };
  // Tolerate a chain that starts with the CA itself (PKCS#12 bags often do).
  const chain = (identity.caChain ?? []).filter((der) => Buffer.compare(der, ca.der) !== 0);
  let replySigner: SignerIdentity = caSigner;
  const recipients: EnvelopeRecipient[] = [];
  if (identity.ra) {
    const ra = parseCertificate(identity.ra.certificate);
    if (!sameKey(ra, identity.ra.privateKey)) throw new ScepConfigError(`the RA key does not belong to the RA certificate ${ra.subject}`);
    if (identity.ra.privateKey.asymmetricKeyType !== 'rsa') {
      throw new ScepConfigError('the RA key must be RSA: SCEP requests are encrypted with RSA key transport');
    }
    replySigner = { certificate: ra.der, privateKey: identity.ra.privateKey };
    recipients.push(replySigner);
  } else if (identity.caKey.asymmetricKeyType !== 'rsa') {
    throw new ScepConfigError('an EC CA needs an RSA RA: SCEP requests are encrypted with RSA key transport');
  }
  if (identity.caKey.asymmetricKeyType === 'rsa') recipients.push(caSigner);

  // RFC 8894 §4.2.1: one certificate alone as DER; with an RA or intermediates a certs-only SignedData. The RA
  // comes first, as NDES and EJBCA send it; clients choose by keyUsage, not position.
  const bundle = [...(identity.ra ? [identity.ra.certificate] : []), ca.der, ...chain];
  const getCaCert =
    bundle.length === 1
      ? { body: ca.der, contentType: CONTENT_TYPE.caCert }
      : { body: buildCertsOnly({ certificates: bundle }), contentType: CONTENT_TYPE.caRaCert };
  return { ca, caSigner, replySigner, recipients, getCaCert, chain, hasRa: identity.ra !== undefined };
}
