/**
 * RA certificates, the web services' only credential (vendor-apis.md §A.2): which are registered to the account
 * and for which profiles, issuing new ones as password-protected .p12 (also already expired, for the scenario),
 * revoking them, and the TLS trust the mutual-TLS listener needs: the CA chain that issues RA certificates and a
 * CRL of revoked RAs, re-announced to listeners on every change so the server can setSecureContext.
 *
 * The CRL is checked by OpenSSL against real time, not the simulator's clock: its thisUpdate/nextUpdate come
 * from the system clock so moving the simulated clock never breaks the handshake of a good RA.
 */
import { randomInt, type X509Certificate } from 'node:crypto';
import { systemClock } from '../../core/clock.js';
import type { Clock } from '../../core/clock.js';
import type { CertificateAuthority } from '../../core/pki/ca.js';
import { parseCertificate } from '../../core/pki/certificate.js';
import { buildCrl } from '../../core/pki/crl.js';
import { generateKeyPair } from '../../core/pki/keys.js';
import { toPem } from '../../core/pki/pem.js';
import { buildPkcs12 } from '../../core/pki/pkcs12.js';
import { canonicalSerial } from '../store/certificates.js';
import type { MpkiState, RaRecord } from './state.js';

export interface IssueRaOptions {
  /** Default: "Registration Authority <13 random digits>". */
  commonName?: string;
  /** Default: now − 1 minute. */
  notBefore?: Date;
  /** Default: notBefore + 2 years. A date in the past makes an expired RA (refused in the handshake). */
  notAfter?: Date;
  password: string;
  register?: boolean;
  entitledProfiles?: string[] | '*';
}

export class RaTrust {
  private crlPem: string[] = [];
  private crlNumber = 0;
  private readonly listeners = new Set<() => void>();
  private refreshing: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: MpkiState,
    private readonly issuer: CertificateAuthority,
    private readonly chainPem: readonly string[],
    private readonly clock: Clock,
    /** The CAs above the issuer: Node sets X509_V_FLAG_CRL_CHECK_ALL with a CRL, so each needs one (empty) too. */
    private readonly parents: readonly CertificateAuthority[] = [],
    private readonly log: (message: string, error: unknown) => void = (message, error) => console.error(`[symantec-mpki] ${message}:`, error),
  ) {}

  /** Whether the handshake can check revocation: the issuer is a root, or every CA above it can sign a CRL. */
  private get crlComplete(): boolean {
    return this.parents.length > 0 || this.issuer.certificate.subject.equals(this.issuer.certificate.issuer);
  }

  /** Registers (or updates) an RA certificate given as DER. */
  register(der: Uint8Array, options: { registered?: boolean; entitledProfiles?: string[] | '*' } = {}): RaRecord {
    const cert = parseCertificate(der);
    const serialHex = canonicalSerial(cert.serialHex);
    const existing = this.state.ras.get(serialHex);
    const record: RaRecord = {
      serialHex,
      subject: cert.subject.toString(),
      der: Buffer.from(der).toString('base64'),
      notBefore: cert.notBefore.toISOString(),
      notAfter: cert.notAfter.toISOString(),
      registered: options.registered ?? existing?.registered ?? true,
      revoked: existing?.revoked ?? false,
      entitledProfiles: options.entitledProfiles ?? existing?.entitledProfiles ?? '*',
      createdAt: existing?.createdAt ?? this.clock.now().toISOString(),
      ...(existing?.revokedAt ? { revokedAt: existing.revokedAt } : {}),
    };
    this.state.ras.put(serialHex, record);
    return record;
  }

  /** The RA record of a TLS client certificate: same serial and same bytes. */
  find(certificate: X509Certificate | undefined): RaRecord | undefined {
    if (!certificate) return undefined;
    const record = this.state.ras.get(canonicalSerial(certificate.serialNumber));
    if (!record || !Buffer.from(record.der, 'base64').equals(certificate.raw)) return undefined;
    return record;
  }

  list(): RaRecord[] {
    return this.state.ras.list();
  }

  update(serialHex: string, change: Partial<Pick<RaRecord, 'registered' | 'entitledProfiles'>>): RaRecord | undefined {
    return this.state.ras.update(canonicalSerial(serialHex), (r) => ({ ...r, ...change }));
  }

  /** A new RA identity from the RA-issuing CA, as a .p12 protected by `password`. */
  async issue(options: IssueRaOptions): Promise<{ record: RaRecord; p12: Uint8Array; certificatePem: string }> {
    const keys = await generateKeyPair({ type: 'rsa', bits: 2048 });
    const now = this.issuer.clock.now().getTime();
    const notBefore = options.notBefore?.getTime() ?? now - 60_000;
    const notAfter = options.notAfter ?? new Date(notBefore + 2 * 365 * 86_400_000);
    const commonName = options.commonName ?? `Registration Authority ${String(randomInt(1e6, 1e7 - 1))}${String(randomInt(1e5, 1e6 - 1))}`;
    const issued = await this.issuer.issue({
      subject: `CN=${commonName},O=${this.state.account().organization}`,
      publicKey: keys.publicKey,
      profile: {
        keyUsage: ['digitalSignature', 'keyEncipherment'],
        extendedKeyUsage: ['clientAuth'],
        subjectAltNames: 'none',
        backdateSeconds: Math.max(0, Math.round((now - notBefore) / 1000)),
        notAfter,
      },
    });
    const record = this.register(issued.der, { registered: options.register ?? true, entitledProfiles: options.entitledProfiles ?? '*' });
    const p12 = buildPkcs12({ privateKey: keys.privateKey, certificate: issued.der, chain: [...this.issuer.chain], password: options.password, form: 'modern', friendlyName: commonName });
    this.state.record({ event: 'ra', outcome: 'success', detail: `RA certificate issued: ${record.subject} (${record.serialHex})`, ra: record.serialHex });
    this.changed();
    return { record, p12, certificatePem: toPem('CERTIFICATE', issued.der) };
  }

  revoke(serialHex: string): RaRecord | undefined {
    const record = this.state.ras.update(canonicalSerial(serialHex), (r) => ({ ...r, revoked: true, revokedAt: this.clock.now().toISOString() }));
    if (record) {
      this.state.record({ event: 'ra', outcome: 'success', detail: `RA certificate revoked: ${record.subject} (${record.serialHex})`, ra: record.serialHex });
      this.changed();
    }
    return record;
  }

  /**
   * PEM trust anchors for RA client certificates, and CRLs: the issuer's with the revoked RAs, plus an empty one
   * per parent CA. Without parents for an intermediate issuer no CRL is given (a revoked RA is then refused by a
   * SOAP fault instead of in the handshake).
   */
  tlsTrust(): { ca: string[]; crl: string[] } {
    return { ca: [...this.chainPem], crl: this.crlComplete ? [...this.crlPem] : [] };
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Rebuilds the CRL; resolves when tlsTrust() reflects every change made so far. */
  ready(): Promise<void> {
    if (this.crlPem.length === 0) this.changed(false);
    return this.refreshing;
  }

  /**
   * Queues a CRL rebuild. A failed build is logged and the previous CRL kept; a throwing listener is logged and
   * the others still run: neither blocks later rebuilds nor rejects ready().
   */
  private changed(notify = true): void {
    this.refreshing = this.refreshing.then(() => this.rebuild(notify)).catch((error: unknown) => this.log('RA CRL rebuild failed', error));
  }

  private async rebuild(notify: boolean): Promise<void> {
    const now = systemClock.now().getTime();
    const entries = this.state.ras
      .list({ where: (r) => r.revoked })
      .map((r) => ({ serialHex: r.serialHex, revocationDate: new Date(r.revokedAt ?? now), reason: 'keyCompromise' as const }));
    const crlNumber = ++this.crlNumber;
    const crl = (ca: CertificateAuthority, list: typeof entries) =>
      buildCrl({ ca: { certificate: ca.certificate, privateKey: ca.privateKey, clock: systemClock }, entries: list, thisUpdate: new Date(now - 60_000), nextUpdate: new Date(now + 7 * 86_400_000), crlNumber });
    const ders = await Promise.all([crl(this.issuer, entries), ...this.parents.map((p) => crl(p, []))]);
    this.crlPem = ders.map((der) => toPem('X509 CRL', der));
    if (!notify) return;
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        this.log('RA trust listener failed', error);
      }
    }
  }
}
