/**
 * The MPKI 8.9 account model of the simulator, kept in the Store (collections `<name>:*`): the account (with the
 * health switch), certificate profiles, seat pools, seats, users, passcodes, certificate details beside the shared
 * CertificateRepository, pending requests, RA certificates and the audit trail (PKI Manager's "View audit trail").
 */
import type { Clock } from '../../core/clock.js';
import type { Collection, Store } from '../store/index.js';
import { SEAT_KINDS, type SeatKind, SYMANTEC_DEFAULTS } from './fixtures.js';

export interface MpkiAccount {
  accountId: string;
  name: string;
  organization: string;
  health: 'UP' | 'DOWN';
}

export type DeploymentMode = 'Test' | 'Production';

export interface MpkiProfile {
  oid: string;
  name: string;
  template: string;
  mode: DeploymentMode;
  seatKind: SeatKind;
  /** "Enrollment method: PKI Web Services" (guide 000, Figure 1-4). */
  webServices: boolean;
  approvalRequired: boolean;
  /** rAPolicy.verifyUser: the seat must be registered as a user (createOrUpdateUser) before it enrolls. */
  verifyUser: boolean;
  /** Allowed RSA key sizes; the first is the one the CA makes for PKCS12 delivery. */
  keySizes: number[];
  seatIdAttribute: string;
  /** nameValuePair names that must be present and non-empty (the seat ID attribute among them). */
  requiredFields: string[];
  optionalFields: string[];
  /** The nameValuePair whose value goes into the SAN as a UPN otherName, if present. ASSUMPTION: 'upn'. */
  upnField?: string;
  validityDays: number;
  renewalDays: number;
  /** ASSUMPTION: PKCS12 delivery (server-generated, escrowed keys) is a profile setting. */
  keyEscrow: boolean;
  status: 'Active' | 'Disabled';
  createdAt: string;
}

export interface SeatPool {
  kind: SeatKind;
  purchased: number;
  used: number;
}

export interface Seat {
  kind: SeatKind;
  seatId: string;
  createdAt: string;
}

export interface MpkiUser {
  seatId: string;
  firstName?: string;
  lastName?: string;
  emailAddress?: string;
  deskPhoneNumber?: string;
  mobilePhoneNumber?: string;
  attributes: { name: string; value: string }[];
  createdAt: string;
}

export type PasscodeStatus = 'ACTIVE' | 'REDEEMED' | 'LOCKED';

export interface Passcode {
  passcode: string;
  seatId: string;
  certificateProfileOid: string;
  status: PasscodeStatus;
  numberOfBadAttempts: number;
  expiryDateTime: string;
  creationDateTime: string;
  firstName?: string;
  lastName?: string;
  email?: string;
}

/** What the PKI Manager knows of a certificate beyond the shared repository's record. */
export interface MpkiCertificate {
  serialHex: string;
  seatId: string;
  seatKind: SeatKind;
  profileOid: string;
  commonName: string;
  emailAddress?: string;
  accountId: string;
  mode: DeploymentMode;
  /** 'web-services' | 'scep' | 'admin'. */
  channel: string;
  /** Serial of the RA certificate that enrolled it (web services). */
  raSerial?: string;
  /** Base64 PKCS#12 and its password, for PKCS12 delivery (key escrow → keyRecovery). */
  escrow?: { p12: string; password: string };
  /** The nameValuePairs it was issued for (renewal reuses them). */
  fields?: { name: string; value: string }[];
  enrollmentNotes?: string;
  revokeComments?: string;
  revokeReason?: string;
}

export interface PendingRequest {
  id: string;
  profileOid: string;
  seatId: string;
  /** ISSUING: approved, the certificate being issued (approve and reject refuse it meanwhile). */
  status: 'PENDING' | 'ISSUING' | 'APPROVED' | 'REJECTED';
  /** The stored enrollment, replayed on approval. */
  request: StoredEnrollment;
  serialHex?: string;
  createdAt: string;
  decidedAt?: string;
}

export interface StoredEnrollment {
  profileOid: string;
  tokenType: 'X509v3' | 'PKCS7' | 'PKCS12';
  csrBase64?: string;
  nameValuePairs: { name: string; value: string }[];
  raSerial?: string;
}

export interface RaRecord {
  serialHex: string;
  subject: string;
  /** Base64 DER. */
  der: string;
  notBefore: string;
  notAfter: string;
  registered: boolean;
  revoked: boolean;
  revokedAt?: string;
  /** Profile OIDs the RA may use; '*' for every profile of the account. */
  entitledProfiles: string[] | '*';
  createdAt: string;
}

export interface AuditEvent {
  seq: number;
  at: string;
  /** enroll, renew, query, revoke, suspend, resume, keyRecovery, user, passcode, scep, admin, ra … */
  event: string;
  outcome: 'success' | 'pending' | 'refused';
  detail: string;
  profileOid?: string;
  seatId?: string;
  serialHex?: string;
  ra?: string;
  errorCode?: string;
}

export function passcodeKey(seatId: string, profileOid: string): string {
  return `${seatId}|${profileOid}`;
}

export function userKey(seatId: string): string {
  return seatId.toLowerCase();
}

/** ASSUMPTION: how many audit events are kept (the PKI Manager's own retention is not public); older ones are dropped. */
export const AUDIT_LIMIT = 10_000;

function auditKey(seq: number): string {
  return String(seq).padStart(10, '0');
}

function clear<T>(collection: Collection<T>, id: (value: T) => string): void {
  for (const value of collection.list()) collection.delete(id(value));
}

export function seatKey(kind: SeatKind, seatId: string): string {
  return `${kind}|${seatId.toLowerCase()}`;
}

export class MpkiState {
  readonly accounts: Collection<MpkiAccount>;
  readonly profiles: Collection<MpkiProfile>;
  readonly pools: Collection<SeatPool>;
  readonly seats: Collection<Seat>;
  readonly users: Collection<MpkiUser>;
  readonly passcodes: Collection<Passcode>;
  readonly certificates: Collection<MpkiCertificate>;
  readonly pending: Collection<PendingRequest>;
  readonly ras: Collection<RaRecord>;
  readonly audit: Collection<AuditEvent>;
  private seq = 0;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly name: string,
  ) {
    const c = <T>(what: string) => store.collection<T>(`${name}:${what}`);
    this.accounts = c('accounts');
    this.profiles = c('profiles');
    this.pools = c('pools');
    this.seats = c('seats');
    this.users = c('users');
    this.passcodes = c('passcodes');
    this.certificates = c('certificates');
    this.pending = c('pending');
    this.ras = c('ras');
    this.audit = c('audit');
    this.seq = this.audit.list({ order: 'desc', limit: 1 })[0]?.seq ?? 0;
  }

  account(): MpkiAccount {
    const account = this.accounts.get(SYMANTEC_DEFAULTS.accountId) ?? this.accounts.list()[0];
    if (!account) throw new Error('the simulated MPKI has no account; reset it');
    return account;
  }

  record(event: Omit<AuditEvent, 'seq' | 'at'>): AuditEvent {
    const at = this.clock.now().toISOString();
    let entry: AuditEvent = { seq: ++this.seq, at, ...event };
    // Insert, never overwrite: another process sharing the store (a cluster worker) may have taken this number;
    // then continue after the newest event on record.
    while (!this.audit.insert(auditKey(entry.seq), entry)) {
      this.seq = Math.max(this.seq, this.audit.list({ order: 'desc', limit: 1 })[0]?.seq ?? 0);
      entry = { ...entry, seq: ++this.seq };
    }
    // The trail keeps the newest AUDIT_LIMIT events: seq only grows, so the one AUDIT_LIMIT back is the oldest kept + 1.
    if (entry.seq > AUDIT_LIMIT) this.audit.delete(auditKey(entry.seq - AUDIT_LIMIT));
    return entry;
  }

  seedDefaults(): void {
    if (this.accounts.count() > 0) return;
    this.reset();
  }

  /** Drops everything but the RA records (the TLS listener's trust) and seeds the defaults. */
  reset(): void {
    this.store.transaction(() => {
      clear(this.accounts, (a) => a.accountId);
      clear(this.profiles, (p) => p.oid);
      clear(this.pools, (p) => p.kind);
      clear(this.seats, (s) => seatKey(s.kind, s.seatId));
      clear(this.users, (u) => userKey(u.seatId));
      clear(this.passcodes, (p) => passcodeKey(p.seatId, p.certificateProfileOid));
      clear(this.certificates, (c) => c.serialHex);
      clear(this.pending, (p) => p.id);
      clear(this.audit, (a) => auditKey(a.seq));
      this.seq = 0;
      const d = SYMANTEC_DEFAULTS;
      const now = this.clock.now().toISOString();
      this.accounts.put(d.accountId, { accountId: d.accountId, name: d.accountName, organization: d.organization, health: 'UP' });
      const base = (oid: string, name: string, over: Partial<MpkiProfile>): MpkiProfile => ({
        oid,
        name,
        template: d.template,
        mode: 'Production',
        seatKind: 'User',
        webServices: true,
        approvalRequired: false,
        verifyUser: false,
        keySizes: [...d.keySizes],
        seatIdAttribute: d.seatAttribute,
        requiredFields: ['common_name', d.seatAttribute],
        optionalFields: ['mail_firstName', 'mail_lastName', 'upn', 'mobile_phone'],
        upnField: 'upn',
        validityDays: d.validityDays,
        renewalDays: d.renewalDays,
        keyEscrow: true,
        status: 'Active',
        createdAt: now,
        ...over,
      });
      const p = d.profiles;
      const n = d.profileNames;
      const profiles = [
        base(p.user, n.user, {}),
        base(p.device, n.device, {
          seatKind: 'Device',
          seatIdAttribute: d.deviceSeatAttribute,
          requiredFields: ['common_name', d.deviceSeatAttribute],
          optionalFields: ['serial_number', 'mobile_phone'],
          keyEscrow: false,
        }),
        base(p.test, n.test, { mode: 'Test' }),
        base(p.approval, n.approval, { approvalRequired: true }),
        base(p.noWebServices, n.noWebServices, { webServices: false }),
      ];
      for (const profile of profiles) this.profiles.put(profile.oid, profile);
      for (const kind of SEAT_KINDS) this.pools.put(kind, { kind, purchased: d.seatPools[kind], used: 0 });
    });
  }
}

