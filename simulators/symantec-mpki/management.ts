/**
 * Certificate and user management without XML (vendor-apis.md §A.4, §A.5): status changes by serial, by seat
 * (every certificate of the seat: revocationCount says how many) or by profile, search with epoch-second times
 * and pages of SEARCH_PAGE_SIZE, key recovery of escrowed keys, users and their SCEP passcodes.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { parsePkcs12, buildPkcs12 } from '../../core/pki/pkcs12.js';
import type { CertificateStatus, OperationType, RevocationReasonName } from '../../core/connectors/symantec-mpki/wire.js';
import { REVOCATION_REASON_MAP, SEARCH_PAGE_SIZE } from '../../core/connectors/symantec-mpki/wire.js';
import { canonicalSerial, type CertificateRecord, CertificateStoreError } from '../store/certificates.js';
import { MpkiError } from './errors.js';
import { SYMANTEC_DEFAULTS } from './fixtures.js';
import type { MpkiService } from './service.js';
import { type MpkiCertificate, type MpkiUser, type Passcode, passcodeKey, userKey } from './state.js';

/** The wire's reason names to ours: the one table in wire.ts, shared with the connector. */
const REASONS = REVOCATION_REASON_MAP.fromWire;

export interface StatusTarget {
  serials?: string[];
  seatIds?: string[];
  profileOids?: string[];
}

export interface StatusOutcome {
  successCode: number;
  successMsg: string;
  revocationCount: number;
}

export interface SearchFilter {
  seatId?: string;
  accountId?: string;
  profileOid?: string;
  commonName?: string;
  status?: CertificateStatus;
  emailAddress?: string;
  serialNumber?: string;
  validFrom?: number;
  validTo?: number;
  startIndex?: number;
}

export interface SearchItem {
  meta: MpkiCertificate;
  record: CertificateRecord;
  status: CertificateStatus;
}

export class MpkiManagement {
  constructor(
    private readonly service: MpkiService,
    private readonly clock: Clock,
  ) {}

  private get state() {
    return this.service.state;
  }

  statusOf(record: CertificateRecord): CertificateStatus {
    if (record.status === 'revoked') return 'REVOKED';
    if (record.status === 'hold') return 'SUSPENDED';
    return Date.parse(record.notAfter) <= this.clock.now().getTime() ? 'EXPIRED' : 'VALID';
  }

  private certificatesOf(target: StatusTarget): MpkiCertificate[] {
    if (target.serials) {
      return target.serials.map((s) => {
        let serial: string;
        try {
          serial = canonicalSerial(s);
        } catch {
          throw new MpkiError('certificateNotFound', s);
        }
        const meta = this.state.certificates.get(serial);
        if (!meta) throw new MpkiError('certificateNotFound', s);
        return meta;
      });
    }
    const seats = target.seatIds?.map((s) => s.toLowerCase());
    const oids = target.profileOids;
    return this.state.certificates.list({ where: (c) => (seats ? seats.includes(c.seatId.toLowerCase()) : oids ? oids.includes(c.profileOid) : false) });
  }

  /**
   * Revoke / Suspend / Resume. A serial in the wrong state is a negative successCode (§A.8 12). By serial every
   * certificate is checked first and then all are changed in one store transaction: a bulk request with one
   * refused serial changes none (revocationCount 0 is then true).
   */
  updateStatus(operation: OperationType, target: StatusTarget, reasonName: RevocationReasonName | undefined, comment: string | undefined): StatusOutcome {
    const what = target.serials?.join(', ') ?? target.seatIds?.join(', ') ?? target.profileOids?.join(', ') ?? '';
    const bySerial = target.serials !== undefined;
    const changed = this.state.store.transaction(() => {
      const todo: { meta: MpkiCertificate; record: CertificateRecord }[] = [];
      for (const meta of this.certificatesOf(target)) {
        const record = this.service.repository.get(meta.serialHex);
        if (!record) continue;
        const refusal = this.refusalOf(operation, record);
        if (refusal) {
          if (bySerial) throw new MpkiError(refusal, meta.serialHex);
          continue;
        }
        if (!todo.some((t) => t.meta.serialHex === meta.serialHex)) todo.push({ meta, record });
      }
      const done: MpkiCertificate[] = [];
      for (const { meta } of todo) {
        try {
          if (operation === 'Revoke') {
            this.service.repository.revoke(meta.serialHex, REASONS[reasonName ?? 'Unspecified']);
            this.state.certificates.update(meta.serialHex, (m) => ({ ...m, revokeReason: reasonName ?? 'Unspecified', ...(comment ? { revokeComments: comment } : {}) }));
          } else if (operation === 'Suspend') {
            this.service.repository.hold(meta.serialHex);
          } else {
            this.service.repository.release(meta.serialHex);
          }
        } catch (error) {
          if (error instanceof CertificateStoreError) continue;
          throw error;
        }
        done.push(meta);
      }
      return done;
    });
    for (const meta of changed) {
      this.state.record({ event: operation.toLowerCase(), outcome: 'success', detail: `${operation} ${meta.serialHex}${reasonName ? ` (${reasonName})` : ''}`, serialHex: meta.serialHex, seatId: meta.seatId, profileOid: meta.profileOid });
    }
    if (changed.length === 0 && !bySerial) throw new MpkiError('nothingToUpdate', what);
    return { successCode: 0, successMsg: 'Success', revocationCount: changed.length };
  }

  /** Why `operation` cannot apply to a certificate in this state, if it cannot. */
  private refusalOf(operation: OperationType, record: CertificateRecord): 'alreadyRevoked' | 'notValid' | 'notSuspended' | undefined {
    if (operation === 'Revoke') return record.status === 'revoked' ? 'alreadyRevoked' : undefined;
    if (operation === 'Suspend') return record.status === 'valid' ? undefined : record.status === 'revoked' ? 'alreadyRevoked' : 'notValid';
    return record.status === 'hold' ? undefined : 'notSuspended';
  }

  search(filter: SearchFilter): { total: number; items: SearchItem[]; more: boolean } {
    const serial = filter.serialNumber ? safeSerial(filter.serialNumber) : undefined;
    const all: SearchItem[] = [];
    for (const meta of this.state.certificates.list()) {
      const record = this.service.repository.get(meta.serialHex);
      if (!record) continue;
      const status = this.statusOf(record);
      const validFrom = Math.floor(Date.parse(record.notBefore) / 1000);
      const validTo = Math.floor(Date.parse(record.notAfter) / 1000);
      if (filter.seatId && meta.seatId.toLowerCase() !== filter.seatId.toLowerCase()) continue;
      if (filter.accountId && meta.accountId !== filter.accountId) continue;
      if (filter.profileOid && meta.profileOid !== filter.profileOid) continue;
      if (filter.commonName && meta.commonName !== filter.commonName) continue;
      if (filter.emailAddress && meta.emailAddress?.toLowerCase() !== filter.emailAddress.toLowerCase()) continue;
      if (serial !== undefined && meta.serialHex !== serial) continue;
      if (filter.status && status !== filter.status) continue;
      if (filter.validFrom !== undefined && validFrom < filter.validFrom) continue;
      if (filter.validTo !== undefined && validTo > filter.validTo) continue;
      all.push({ meta, record, status });
    }
    // ASSUMPTION: startIndex counts from 0 (one client advances it by the number returned, §A.4).
    const start = Math.max(0, filter.startIndex ?? 0);
    const items = all.slice(start, start + SEARCH_PAGE_SIZE);
    return { total: all.length, items, more: start + items.length < all.length };
  }

  /** keyRecovery: only for escrowed keys (PKCS12 delivery); the .p12 again, under the given password if any. */
  keyRecovery(serialNumber: string | undefined, password: string | undefined): { p12: string; password: string } {
    if (!serialNumber) throw new MpkiError('missingElement', 'certificateSerialNumber');
    const serial = safeSerial(serialNumber);
    const meta = serial ? this.state.certificates.get(serial) : undefined;
    if (!meta) throw new MpkiError('certificateNotFound', serialNumber);
    if (!meta.escrow) throw new MpkiError('keyNotEscrowed', meta.serialHex);
    this.state.record({ event: 'keyRecovery', outcome: 'success', detail: `key recovered for ${meta.serialHex}`, serialHex: meta.serialHex, seatId: meta.seatId });
    if (!password) return meta.escrow;
    const contents = parsePkcs12(new Uint8Array(Buffer.from(meta.escrow.p12, 'base64')), meta.escrow.password);
    const key = contents.privateKey;
    const certificate = contents.certificate;
    if (!key || !certificate) return meta.escrow;
    const p12 = buildPkcs12({ privateKey: key, certificate, chain: contents.chain ?? [], password, form: 'modern' });
    return { p12: Buffer.from(p12).toString('base64'), password };
  }

  createOrUpdateUser(input: Omit<MpkiUser, 'createdAt'>): MpkiUser {
    const existing = this.state.users.get(userKey(input.seatId));
    const user: MpkiUser = { ...existing, ...stripUndefined(input), createdAt: existing?.createdAt ?? this.clock.now().toISOString() } as MpkiUser;
    this.state.users.put(userKey(input.seatId), user);
    this.state.record({ event: 'user', outcome: 'success', detail: `user ${existing ? 'updated' : 'created'}: ${input.seatId}`, seatId: input.seatId });
    return user;
  }

  user(seatId: string): MpkiUser {
    const user = this.state.users.get(userKey(seatId));
    if (!user) throw new MpkiError('userNotFound', seatId);
    return user;
  }

  validCertificatesOf(seatId: string): string[] {
    return this.state.certificates
      .list({ where: (c) => c.seatId.toLowerCase() === seatId.toLowerCase() })
      .map((c) => this.service.repository.get(c.serialHex))
      .filter((r): r is CertificateRecord => r !== undefined && this.statusOf(r) === 'VALID')
      .map((r) => r.der);
  }

  /** deleteUser: revokes every certificate of the seat, drops the user and the seat's passcodes. */
  deleteUser(seatId: string, reason: RevocationReasonName | undefined): number {
    this.user(seatId);
    let count = 0;
    try {
      count = this.updateStatus('Revoke', { seatIds: [seatId] }, reason ?? 'CessationOfOperation', 'user deleted').revocationCount;
    } catch (error) {
      if (!(error instanceof MpkiError && error.key === 'nothingToUpdate')) throw error;
    }
    this.state.users.delete(userKey(seatId));
    for (const p of this.state.passcodes.list({ where: (p) => p.seatId.toLowerCase() === seatId.toLowerCase() })) this.state.passcodes.delete(passcodeKey(p.seatId, p.certificateProfileOid));
    this.state.record({ event: 'user', outcome: 'success', detail: `user deleted: ${seatId} (${count} revoked)`, seatId });
    return count;
  }

  createOrUpdatePasscode(input: Partial<Passcode> & { seatId: string; certificateProfileOid: string }): Passcode {
    if (!this.state.profiles.get(input.certificateProfileOid)) throw new MpkiError('profileNotFound', input.certificateProfileOid);
    const key = passcodeKey(input.seatId, input.certificateProfileOid);
    const existing = this.state.passcodes.get(key);
    const now = this.clock.now();
    const passcode: Passcode = {
      passcode: input.passcode ?? existing?.passcode ?? randomBytes(6).toString('hex'),
      seatId: input.seatId,
      certificateProfileOid: input.certificateProfileOid,
      status: input.status ?? 'ACTIVE',
      numberOfBadAttempts: input.numberOfBadAttempts ?? 0,
      expiryDateTime: input.expiryDateTime ?? new Date(now.getTime() + SYMANTEC_DEFAULTS.passcodeValidityDays * 86_400_000).toISOString(),
      creationDateTime: now.toISOString(),
      ...stripUndefined({ firstName: input.firstName ?? existing?.firstName, lastName: input.lastName ?? existing?.lastName, email: input.email ?? existing?.email }),
    };
    this.state.passcodes.put(key, passcode);
    this.state.record({ event: 'passcode', outcome: 'success', detail: `passcode ${existing ? 'updated' : 'created'} for ${input.seatId}`, seatId: input.seatId, profileOid: input.certificateProfileOid });
    return passcode;
  }

  passcode(seatId: string, profileOid: string): Passcode {
    const passcode = this.state.passcodes.get(passcodeKey(seatId, profileOid));
    if (!passcode) throw new MpkiError('passcodeNotFound', seatId, profileOid);
    return passcode;
  }
}

function safeSerial(serial: string): string | undefined {
  try {
    return canonicalSerial(serial);
  } catch {
    return undefined;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
