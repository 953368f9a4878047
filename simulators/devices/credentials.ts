/**
 * What an emulated device holds after an installation, in the same shape on both platforms: an identity (key,
 * certificate, chain) and trusted CA certificates. The iOS keychain and the Android keystore index them their
 * own way (payload UUID, alias); tests read them through toJSON() without touching private keys.
 */
import type { KeyObject } from 'node:crypto';
import { parseCertificate } from '../../core/pki/certificate.js';

export interface InstalledIdentity {
  certificate: Uint8Array;
  privateKey: KeyObject;
  /** Issuer certificates that came with it (CertRep or PKCS#12), DER. */
  chain: Uint8Array[];
  /** Where the key was made: on the device (SCEP) or on the server (PKCS#12). */
  source: 'scep' | 'pkcs12';
  installedAt: Date;
}

export interface TrustedCertificate {
  certificate: Uint8Array;
  installedAt: Date;
}

/** A readable view of a certificate for tests and reports. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  /** Lower-case hex, as ParsedCertificate.serialHex. */
  serial: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
  subjectAltNames: string[];
}

export function summarizeCertificate(der: Uint8Array): CertificateSummary {
  const parsed = parseCertificate(der);
  let sans: string[] = [];
  try {
    sans = (parsed.extensions.subjectAltNames ?? []).map((entry) => `${entry.type}:${entry.value}`);
  } catch {
    // a malformed SAN extension: shown as none
  }
  return {
    subject: parsed.subject.toString(),
    issuer: parsed.issuer.toString(),
    serial: parsed.serialHex,
    notBefore: parsed.notBefore.toISOString(),
    notAfter: parsed.notAfter.toISOString(),
    sha256: parsed.sha256Fingerprint,
    subjectAltNames: sans,
  };
}

export interface IdentitySummary extends CertificateSummary {
  source: InstalledIdentity['source'];
  keyType: string;
  chainLength: number;
  installedAt: string;
}

export function summarizeIdentity(identity: InstalledIdentity): IdentitySummary {
  const details = identity.privateKey.asymmetricKeyDetails;
  const keyType =
    identity.privateKey.asymmetricKeyType === 'rsa' ? `rsa${details?.modulusLength ?? ''}` : `${identity.privateKey.asymmetricKeyType}-${details?.namedCurve ?? ''}`;
  return {
    ...summarizeCertificate(identity.certificate),
    source: identity.source,
    keyType,
    chainLength: identity.chain.length,
    installedAt: identity.installedAt.toISOString(),
  };
}
