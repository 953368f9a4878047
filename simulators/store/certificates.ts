/**
 * The certificates every CA simulator issues, kept in one Store: what its admin surface lists, what its CRL is
 * built from, and where serial numbers are claimed so they are never reused.
 *
 * Serials are kept in canonical form (core/pki/serial.ts): lower-case hex of the DER INTEGER content, so "80",
 * "0080" and "00:80" name the same certificate. ASSUMPTION: serials are unique across all simulated CAs sharing
 * a store, not per issuer (random 126-bit serials make a cross-CA collision a non-event, and one key is simpler).
 */
import { systemClock, type Clock } from '../../core/clock.js';
import type { IssuedCertificate } from '../../core/pki/ca.js';
import { serialContentFromHex } from '../../core/pki/serial.js';
import { type Collection, type Store, writeBatched } from './index.js';

export type CertificateStatus = 'valid' | 'revoked' | 'hold';

/** RFC 5280 §5.3.1 CRLReason names. */
export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'removeFromCRL'
  | 'privilegeWithdrawn'
  | 'aACompromise';

export interface CertificateRecord {
  serialHex: string;
  /** Simulator or CA id that issued it. */
  issuer: string;
  /** RFC 4514 string. */
  subject: string;
  notBefore: string;
  notAfter: string;
  /** Base64 DER. */
  der: string;
  status: CertificateStatus;
  revokedAt?: string;
  reason?: RevocationReason;
  profile?: string;
  requester?: string;
  transactionId?: string;
  issuedAt: string;
}

export type NewCertificate = Omit<CertificateRecord, 'status' | 'revokedAt' | 'reason' | 'issuedAt'> & {
  /** Default: the repository's clock. */
  issuedAt?: string;
};

/** The record of a certificate a CertificateAuthority just issued, as the simulators that issue by API add it. */
export function newCertificateOf(
  issued: IssuedCertificate,
  issuer: string,
  extra: Pick<NewCertificate, 'profile' | 'requester' | 'transactionId'> = {},
): NewCertificate {
  return {
    serialHex: issued.serialHex,
    issuer,
    subject: issued.subject.toString(),
    notBefore: issued.notBefore.toISOString(),
    notAfter: issued.notAfter.toISOString(),
    der: Buffer.from(issued.der).toString('base64'),
    ...extra,
  };
}

export type CertificateErrorCode = 'duplicate_serial' | 'not_found' | 'invalid_state' | 'invalid_serial' | 'invalid_date';

export class CertificateStoreError extends Error {
  constructor(
    readonly code: CertificateErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CertificateStoreError';
  }
}

export interface CertificateQuery {
  status?: CertificateStatus | readonly CertificateStatus[];
  issuer?: string;
  subject?: string;
  /** notAfter >= this. */
  expiresFrom?: Date | string;
  /** notAfter < this. */
  expiresBefore?: Date | string;
  limit?: number;
  offset?: number;
  order?: 'asc' | 'desc';
}

interface SerialClaim {
  claimedAt: string;
}

/** Canonical serial hex; CertificateStoreError('invalid_serial') for anything that is not hex. */
export function canonicalSerial(serialHex: string): string {
  const hex = serialHex.replace(/[:\s]/g, '');
  try {
    return Buffer.from(serialContentFromHex(hex)).toString('hex');
  } catch {
    throw new CertificateStoreError('invalid_serial', `not a hex serial number: "${serialHex}"`);
  }
}

function isoOf(value: Date | string, field: string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new CertificateStoreError('invalid_date', `${field} is not a date: "${String(value)}"`);
  return date.toISOString();
}

export class CertificateRepository {
  private readonly certificates: Collection<CertificateRecord>;
  private readonly serials: Collection<SerialClaim>;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock = systemClock,
  ) {
    this.certificates = store.collection<CertificateRecord>('certificates');
    this.serials = store.collection<SerialClaim>('serials');
  }

  /** Marks a serial as used; false when it already was. The ClaimSerial a SerialGenerator calls. */
  claimSerial = (serialHex: string): boolean => this.serials.insert(canonicalSerial(serialHex), { claimedAt: this.clock.now().toISOString() });

  /**
   * claimSerial for a block of serials, through the Store's group commit (Store.batch): resolves once the claims
   * are committed, so a serial is never signed before it is durably taken. The ClaimSerials a SerialReserve calls.
   */
  claimSerialsBatched = (serialHexes: readonly string[]): Promise<boolean[]> => {
    let ids: string[];
    try {
      ids = serialHexes.map(canonicalSerial);
    } catch (error) {
      return Promise.reject(error);
    }
    const claimedAt = this.clock.now().toISOString();
    return writeBatched(this.store, () => ids.map((id) => this.serials.insert(id, { claimedAt })));
  };

  /** Records an issued certificate; CertificateStoreError('duplicate_serial') when the serial is recorded already. */
  add(certificate: NewCertificate): CertificateRecord {
    const record: CertificateRecord = {
      ...certificate,
      serialHex: canonicalSerial(certificate.serialHex),
      notBefore: isoOf(certificate.notBefore, 'notBefore'),
      notAfter: isoOf(certificate.notAfter, 'notAfter'),
      status: 'valid',
      issuedAt: isoOf(certificate.issuedAt ?? this.clock.now(), 'issuedAt'),
    };
    if (!this.certificates.insert(record.serialHex, record)) {
      throw new CertificateStoreError('duplicate_serial', `a certificate with serial ${record.serialHex} is already recorded`);
    }
    return record;
  }

  get(serialHex: string): CertificateRecord | undefined {
    return this.certificates.get(canonicalSerial(serialHex));
  }

  /** valid or on hold -> revoked. Revoking twice is an error, as on the real CAs. */
  revoke(serialHex: string, reason: RevocationReason = 'unspecified', date: Date = this.clock.now()): CertificateRecord {
    if (reason === 'certificateHold' || reason === 'removeFromCRL') {
      throw new CertificateStoreError('invalid_state', `use hold()/release() for "${reason}"`);
    }
    return this.transition(serialHex, ['valid', 'hold'], (record) => ({
      ...record,
      status: 'revoked',
      revokedAt: date.toISOString(),
      reason,
    }));
  }

  /** valid -> hold (a suspension: listed on the CRL with reason certificateHold). */
  hold(serialHex: string, date: Date = this.clock.now()): CertificateRecord {
    return this.transition(serialHex, ['valid'], (record) => ({
      ...record,
      status: 'hold',
      revokedAt: date.toISOString(),
      reason: 'certificateHold',
    }));
  }

  /** hold -> valid. */
  release(serialHex: string): CertificateRecord {
    return this.transition(serialHex, ['hold'], ({ revokedAt: _r, reason: _c, ...record }) => ({ ...record, status: 'valid' }));
  }

  list(query: CertificateQuery = {}): CertificateRecord[] {
    const statuses = query.status === undefined ? undefined : typeof query.status === 'string' ? [query.status] : query.status;
    const from = query.expiresFrom === undefined ? undefined : isoOf(query.expiresFrom, 'expiresFrom');
    const before = query.expiresBefore === undefined ? undefined : isoOf(query.expiresBefore, 'expiresBefore');
    const filtered = statuses || query.issuer !== undefined || query.subject !== undefined || from || before;
    return this.certificates.list({
      ...(filtered
        ? {
            where: (c: CertificateRecord) =>
              (!statuses || statuses.includes(c.status)) &&
              (query.issuer === undefined || c.issuer === query.issuer) &&
              (query.subject === undefined || c.subject === query.subject) &&
              (!from || c.notAfter >= from) &&
              (!before || c.notAfter < before),
          }
        : {}),
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
      ...(query.offset !== undefined ? { offset: query.offset } : {}),
      ...(query.order ? { order: query.order } : {}),
    });
  }

  /** What a CRL of `issuer` lists: revoked and on-hold certificates, oldest revocation first. */
  revoked(issuer?: string): CertificateRecord[] {
    return this.list({ status: ['revoked', 'hold'], ...(issuer !== undefined ? { issuer } : {}) }).sort((a, b) =>
      a.revokedAt! < b.revokedAt! ? -1 : a.revokedAt! > b.revokedAt! ? 1 : 0,
    );
  }

  count(): number {
    return this.certificates.count();
  }

  private transition(
    serialHex: string,
    from: readonly CertificateStatus[],
    change: (record: CertificateRecord) => CertificateRecord,
  ): CertificateRecord {
    const serial = canonicalSerial(serialHex);
    const updated = this.certificates.update(serial, (record) => {
      if (!from.includes(record.status)) {
        throw new CertificateStoreError('invalid_state', `certificate ${serial} is ${record.status}; expected ${from.join(' or ')}`);
      }
      return change(record);
    });
    if (!updated) throw new CertificateStoreError('not_found', `no certificate with serial ${serial}`);
    return updated;
  }
}
