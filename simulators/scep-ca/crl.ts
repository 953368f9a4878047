/**
 * The simulator's public CRL (GET /scep/crl, and GetCRL): built with core/pki/crl.ts from the repository's
 * revocations of this issuer, numbered from a counter kept in the Store, and rebuilt only when the revocations
 * change or half of its validity has passed on the simulator's clock.
 */
import type { Clock } from '../../core/clock.js';
import type { CertificateAuthority } from '../../core/pki/ca.js';
import { buildCrl, type CrlEntry } from '../../core/pki/crl.js';
import type { CertificateRepository } from '../store/certificates.js';
import type { Collection, Store } from '../store/index.js';

/** ASSUMPTION: a week, like `openssl ca -gencrl` with default_crl_days=7; nothing in the guides names a value. */
export const CRL_VALIDITY_MS = 7 * 86_400_000;

interface Built {
  key: string;
  builtAt: number;
  der: Uint8Array;
}

export class CrlPublisher {
  private readonly counters: Collection<{ value: number }>;
  private built: Built | undefined;
  private building: Promise<Uint8Array> | undefined;

  constructor(
    private readonly ca: CertificateAuthority,
    private readonly repository: CertificateRepository,
    private readonly issuer: string,
    private readonly clock: Clock,
    store: Store,
    prefix: string,
  ) {
    this.counters = store.collection<{ value: number }>(`${prefix}:counters`);
  }

  /** The current CRL DER. */
  current(): Promise<Uint8Array> {
    const revoked = this.repository.revoked(this.issuer);
    const key = revoked.map((r) => `${r.serialHex}:${r.status}:${r.revokedAt}`).join(',');
    const now = this.clock.now().getTime();
    const built = this.built;
    if (built && built.key === key && now >= built.builtAt && now - built.builtAt < CRL_VALIDITY_MS / 2) return Promise.resolve(built.der);
    this.building ??= this.build(key, revoked, now).finally(() => (this.building = undefined));
    return this.building;
  }

  private async build(key: string, revoked: ReturnType<CertificateRepository['revoked']>, now: number): Promise<Uint8Array> {
    const entries: CrlEntry[] = revoked.map((record) => ({
      serialHex: record.serialHex,
      revocationDate: new Date(record.revokedAt!),
      ...(record.reason && record.reason !== 'unspecified' ? { reason: record.reason } : {}),
    }));
    const crlNumber = this.nextNumber();
    const der = await buildCrl({ ca: this.ca, entries, crlNumber, thisUpdate: new Date(now), nextUpdate: new Date(now + CRL_VALIDITY_MS) });
    this.built = { key, builtAt: now, der };
    return der;
  }

  private nextNumber(): number {
    const updated = this.counters.update('crlNumber', (old) => ({ value: old.value + 1 }));
    if (updated) return updated.value;
    this.counters.insert('crlNumber', { value: 1 });
    return this.counters.get('crlNumber')!.value;
  }
}
