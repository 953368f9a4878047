/**
 * The emulated Android KeyChain: key pairs installed under an alias (DevicePolicyManager.installKeyPair /
 * setKeyPairCertificate, anchors-scep-mdm.md §7; a new install under the same alias replaces the old one) and
 * CA certificates in the user trust store.
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

export interface KeystoreEntry extends InstalledIdentity {
  alias: string;
  /** The configuration that installed it. */
  configurationId?: string;
}

export interface KeystoreSnapshot {
  keyPairs: Array<IdentitySummary & { alias: string; configurationId?: string }>;
  caCertificates: Array<CertificateSummary & { alias: string }>;
}

export class Keystore {
  private readonly entries = new Map<string, KeystoreEntry>();
  private readonly cas = new Map<string, TrustedCertificate & { alias: string }>();

  installKeyPair(entry: KeystoreEntry): void {
    this.entries.set(entry.alias, entry);
  }

  get(alias: string): KeystoreEntry | undefined {
    return this.entries.get(alias);
  }

  aliases(): string[] {
    return [...this.entries.keys()];
  }

  keyPairs(): KeystoreEntry[] {
    return [...this.entries.values()];
  }

  removeKeyPair(alias: string): boolean {
    return this.entries.delete(alias);
  }

  /** Trusts a CA certificate; the alias defaults to its SHA-256 (Android names user CAs by hash). */
  installCaCertificate(certificate: Uint8Array, installedAt: Date, alias?: string): string {
    const name = alias ?? createHash('sha256').update(certificate).digest('hex').slice(0, 8);
    this.cas.set(name, { certificate, installedAt, alias: name });
    return name;
  }

  caCertificates(): Array<TrustedCertificate & { alias: string }> {
    return [...this.cas.values()];
  }

  toJSON(): KeystoreSnapshot {
    return {
      keyPairs: this.keyPairs().map((entry) => ({
        ...summarizeIdentity(entry),
        alias: entry.alias,
        ...(entry.configurationId ? { configurationId: entry.configurationId } : {}),
      })),
      caCertificates: this.caCertificates().map((ca) => ({ ...summarizeCertificate(ca.certificate), alias: ca.alias })),
    };
  }
}
