/**
 * The emulated iPhone's keychain: identities installed by SCEP or PKCS#12 payloads, indexed by the payload's
 * UUID (what com.apple.mdm's IdentityCertificateUUID points at), and certificates trusted by root payloads.
 * Removing a profile removes what it installed, as iOS does.
 */
import { createHash } from 'node:crypto';
import {
  type CertificateSummary,
  type IdentitySummary,
  type InstalledIdentity,
  summarizeCertificate,
  summarizeIdentity,
  type TrustedCertificate,
} from '../credentials.js';

export interface KeychainIdentity extends InstalledIdentity {
  payloadUUID: string;
  profileIdentifier: string;
  /** The payload's display name (what Settings › Profile shows). */
  label: string;
}

export interface KeychainRoot extends TrustedCertificate {
  payloadUUID: string;
  profileIdentifier: string;
}

export interface KeychainSnapshot {
  identities: Array<IdentitySummary & { payloadUUID: string; profileIdentifier: string; label: string }>;
  trustedRoots: Array<CertificateSummary & { payloadUUID: string; profileIdentifier: string }>;
}

const sha256 = (der: Uint8Array) => createHash('sha256').update(der).digest('hex');

export class Keychain {
  private readonly byPayload = new Map<string, KeychainIdentity>();
  private readonly roots = new Map<string, KeychainRoot>();

  /** Installs (or replaces, on renewal) the identity of a payload. */
  addIdentity(identity: KeychainIdentity): void {
    this.byPayload.set(identity.payloadUUID, identity);
  }

  identity(payloadUUID: string): KeychainIdentity | undefined {
    return this.byPayload.get(payloadUUID);
  }

  identities(): KeychainIdentity[] {
    return [...this.byPayload.values()];
  }

  trust(root: KeychainRoot): void {
    this.roots.set(sha256(root.certificate), root);
  }

  trustedRoots(): KeychainRoot[] {
    return [...this.roots.values()];
  }

  isTrusted(certificate: Uint8Array): boolean {
    return this.roots.has(sha256(certificate));
  }

  /** Removes everything a profile installed. */
  removeProfile(profileIdentifier: string): void {
    for (const [key, identity] of this.byPayload) if (identity.profileIdentifier === profileIdentifier) this.byPayload.delete(key);
    for (const [key, root] of this.roots) if (root.profileIdentifier === profileIdentifier) this.roots.delete(key);
  }

  toJSON(): KeychainSnapshot {
    return {
      identities: this.identities().map((identity) => ({
        ...summarizeIdentity(identity),
        payloadUUID: identity.payloadUUID,
        profileIdentifier: identity.profileIdentifier,
        label: identity.label,
      })),
      trustedRoots: this.trustedRoots().map((root) => ({
        ...summarizeCertificate(root.certificate),
        payloadUUID: root.payloadUUID,
        profileIdentifier: root.profileIdentifier,
      })),
    };
  }
}
