/**
 * Certificate logs (guide 000, "Verifying the Certificate on VSP Admin Portal": LOGS & EVENTS > Certificate Logs):
 * one entry per certificate the engine issued or saw, and per failed attempt, with the columns of the console —
 * last and first name, user, phone, email, setting name, certificate type, expiration date, content — searchable
 * by user or setting name and by expiration date range. A failed entry carries the product's error text
 * ("Variable substitution failed for {UserCN}", guide 001).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { collectionName, type EngineCollection, type EngineStore } from './persistence.js';

export type CertificateLogStatus =
  | 'issued'
  /** Revoked at the CA. */
  | 'revoked'
  /** Removed by the administrator ("Remove"): no longer delivered, key discarded. */
  | 'removed'
  /** Replaced by a renewal. */
  | 'superseded'
  /** The attempt failed; `error` says why in the product's words. */
  | 'failed'
  /** Enrolled at the CA directly by the device, which reported the serial (content unknown to the MDM). */
  | 'reported';

export type CertificateSource = 'scep-proxy' | 'pkcs12' | 'direct-scep' | 'test';

export interface LoggedError {
  code: string;
  /** The product's text. */
  message: string;
  detail?: string;
  fix?: string;
  assumption: boolean;
}

export interface CertificateLogEntry {
  id: string;
  status: CertificateLogStatus;
  source: CertificateSource;
  /** An "Issue Test Certificate" certificate (guide 000). */
  test: boolean;
  userId: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  deviceId?: string;
  configurationId: string;
  /** The configuration's name ("Setting Name" column). */
  settingName: string;
  certificateType: 'user' | 'device';
  caId: string;
  serialHex?: string;
  subject?: string;
  notBefore?: string;
  notAfter?: string;
  /** Base64 DER ("Content" > View). */
  der?: string;
  /** The MDM keeps the private key (cache locally generated keys). */
  escrowed?: boolean;
  createdAt: string;
  updatedAt: string;
  error?: LoggedError;
  revokedAt?: string;
  revocationReason?: string;
  /** The entry this one renews, and the one that renewed this. */
  renewalOf?: string;
  renewedBy?: string;
  /** When the engine asked the device to enrol again (SCEP renewals happen on the device). */
  renewalRequestedAt?: string;
}

export type NewLogEntry = Omit<CertificateLogEntry, 'id' | 'createdAt' | 'updatedAt'>;

export interface CertificateLogQuery {
  /** Matches user ID or setting name, case-insensitively ("Search by User/Setting Name"). */
  search?: string;
  user?: string;
  setting?: string;
  configurationId?: string;
  deviceId?: string;
  status?: CertificateLogStatus | readonly CertificateLogStatus[];
  /** Expiration date range: notAfter >= expiresFrom and <= expiresTo. Entries without a date do not match a range. */
  expiresFrom?: Date;
  expiresTo?: Date;
  test?: boolean;
  limit?: number;
  offset?: number;
}

export class CertificateLog {
  private readonly entries: EngineCollection<CertificateLogEntry>;
  /** serial -> entry id, so a device's status report does not scan the log. */
  private readonly serials: EngineCollection<{ entryId: string }>;

  constructor(
    store: EngineStore,
    prefix: string,
    private readonly clock: Clock,
  ) {
    this.entries = store.collection<CertificateLogEntry>(collectionName(prefix, 'certificates'));
    this.serials = store.collection<{ entryId: string }>(collectionName(prefix, 'certificate-serials'));
  }

  record(entry: NewLogEntry): CertificateLogEntry {
    const now = this.clock.now().toISOString();
    const full: CertificateLogEntry = { ...stripUndefined(entry), id: randomUUID(), createdAt: now, updatedAt: now };
    this.entries.put(full.id, full);
    if (full.serialHex) this.serials.put(full.serialHex, { entryId: full.id });
    return full;
  }

  get(id: string): CertificateLogEntry | undefined {
    return this.entries.get(id);
  }

  update(id: string, patch: Partial<Omit<CertificateLogEntry, 'id' | 'createdAt'>>): CertificateLogEntry | undefined {
    return this.entries.update(id, (old) => ({ ...old, ...stripUndefined(patch), updatedAt: this.clock.now().toISOString() }));
  }

  /** The failed entry for the same attempt, so a device that asks again does not fill the log. */
  findFailure(configurationId: string, deviceId: string | undefined, message: string): CertificateLogEntry | undefined {
    return this.entries.list({
      where: (e) => e.status === 'failed' && e.configurationId === configurationId && e.deviceId === deviceId && e.error?.message === message,
      limit: 1,
    })[0];
  }

  bySerial(serialHex: string): CertificateLogEntry | undefined {
    const indexed = this.serials.get(serialHex.toLowerCase());
    return indexed ? this.entries.get(indexed.entryId) : undefined;
  }

  search(query: CertificateLogQuery = {}): { total: number; entries: CertificateLogEntry[] } {
    const statuses = query.status === undefined ? undefined : typeof query.status === 'string' ? [query.status] : query.status;
    const text = query.search?.toLowerCase();
    const from = query.expiresFrom?.toISOString();
    const to = query.expiresTo?.toISOString();
    const all = this.entries.list({
      where: (e) =>
        (!text || e.userId.toLowerCase().includes(text) || e.settingName.toLowerCase().includes(text)) &&
        (query.user === undefined || e.userId === query.user) &&
        (query.setting === undefined || e.settingName === query.setting) &&
        (query.configurationId === undefined || e.configurationId === query.configurationId) &&
        (query.deviceId === undefined || e.deviceId === query.deviceId) &&
        (!statuses || statuses.includes(e.status)) &&
        (query.test === undefined || e.test === query.test) &&
        (!from || (e.notAfter !== undefined && e.notAfter >= from)) &&
        (!to || (e.notAfter !== undefined && e.notAfter <= to)),
    });
    const offset = query.offset ?? 0;
    return { total: all.length, entries: all.slice(offset, query.limit === undefined ? undefined : offset + query.limit) };
  }

  /** Issued certificates, for renewal. */
  issued(): CertificateLogEntry[] {
    return this.entries.list({ where: (e) => e.status === 'issued' && !e.test });
  }
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
