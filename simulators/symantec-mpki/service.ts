/**
 * Enrollment and issuing, free of XML (vendor-apis.md §A.3): profile and RA checks, the profile's fields and seat
 * ID attribute, CSR key size, seat pools, the pending (approval) flow, renewal, and issuing X509v3 / PKCS7 /
 * PKCS12 tokens with certificates fit for ActiveSync (clientAuth, email and optional UPN in the SAN, a CRL
 * distribution point this simulator serves). Every refusal is an MpkiError from errors.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { CertificateAuthority, IssuedCertificate } from '../../core/pki/ca.js';
import { parseCertificate } from '../../core/pki/certificate.js';
import { CsrError, parseCsr, type ParsedCsr } from '../../core/pki/csr.js';
import { derOrPem } from '../../core/pki/pem.js';
import type { GeneralNameEntry } from '../../core/pki/general-names.js';
import { generateKeyPair, type RsaBits } from '../../core/pki/keys.js';
import { DistinguishedName, type DnAttributeInput } from '../../core/pki/names.js';
import { buildPkcs12 } from '../../core/pki/pkcs12.js';
import type { CertificateProfile } from '../../core/pki/profile.js';
import { buildCertsOnly, parseCertsOnly } from '../../core/scep/certs-only.js';
import { TOKEN_TYPES, type TokenTypeName } from '../../core/connectors/symantec-mpki/wire.js';
import type { CertificateRepository } from '../store/certificates.js';
import { canonicalSerial, newCertificateOf } from '../store/certificates.js';
import { writeBatched } from '../store/index.js';
import { MpkiError } from './errors.js';
import { SYMANTEC_DEFAULTS } from './fixtures.js';
import { type MpkiAccount, type MpkiCertificate, type MpkiProfile, type MpkiState, type RaRecord, seatKey, type StoredEnrollment, userKey } from './state.js';

export type NameValue = { name: string; value: string };

export interface IssuedToken {
  tokenType: TokenTypeName;
  /** Base64 of the certificate (X509v3), certs-only PKCS#7, or PKCS#12. */
  token: string;
  pkcs12Password?: string;
  serialHex: string;
  certificate: Uint8Array;
}

/** Runs inside the write that records an issued certificate (synchronous Store writes only, e.g. the audit record). */
export type IssuedHook = (issued: IssuedToken) => void;

export interface IssueOptions {
  onIssued?: IssuedHook;
  /** The account as the caller already read it for this request (one Store read less). */
  account?: MpkiAccount;
}

export type EnrollOutcome = { kind: 'issued'; issued: IssuedToken } | { kind: 'pending'; pendingId: string };

export function fieldValue(pairs: readonly NameValue[], name: string): string | undefined {
  const value = pairs.find((p) => p.name === name)?.value.trim();
  return value ? value : undefined;
}

/** The email-carrying field names: a request's email is the first present; SCEP reads a seat of these from the CSR's email. ASSUMPTION: the order. */
export const EMAIL_FIELDS: readonly string[] = ['mail_email', 'mail', 'emailAddress', 'email'];

/** DER of a binarySecurityToken: base64 of DER, or PEM text with `label`. */
function tokenDer(text: string, label: string): Uint8Array {
  return derOrPem(text.includes('-----BEGIN') ? text : new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'base64')), label);
}

export class MpkiService {
  private readonly profileCache = new Map<string, CertificateProfile>();

  constructor(
    readonly state: MpkiState,
    readonly ca: CertificateAuthority,
    readonly repository: CertificateRepository,
    readonly clock: Clock,
    readonly issuerName: string,
    private readonly crlUrl: () => string | undefined,
  ) {}

  newTransactionId(): string {
    return randomUUID();
  }

  /** The profile, checked for web-services enrollment and the RA's entitlement. */
  webServicesProfile(oid: string | undefined, ra: RaRecord): MpkiProfile {
    if (!oid) throw new MpkiError('missingElement', 'certificateProfileID');
    const profile = this.state.profiles.get(oid);
    if (!profile) throw new MpkiError('profileNotFound', oid);
    if (!profile.webServices || profile.status !== 'Active') throw new MpkiError('profileNotEnabled', oid);
    this.checkEntitled(ra, oid);
    return profile;
  }

  checkEntitled(ra: RaRecord, oid: string): void {
    if (ra.entitledProfiles !== '*' && !ra.entitledProfiles.includes(oid)) throw new MpkiError('raNotAuthorized', oid);
  }

  /** The seat ID and required fields of a request (§A.8 4, 5). */
  checkFields(profile: MpkiProfile, pairs: readonly NameValue[]): string {
    const seatId = fieldValue(pairs, profile.seatIdAttribute);
    if (!seatId) throw new MpkiError('seatIdMissing', profile.seatIdAttribute);
    for (const field of profile.requiredFields) if (!fieldValue(pairs, field)) throw new MpkiError('requiredFieldMissing', field);
    const empty = pairs.find((p) => p.value.trim() === '' && profile.optionalFields.includes(p.name));
    if (empty) throw new MpkiError('emptyFieldValue', empty.name);
    return seatId;
  }

  parseCsr(text: string): ParsedCsr {
    let csr: ParsedCsr;
    try {
      csr = parseCsr(tokenDer(text, text.includes('-----BEGIN NEW CERTIFICATE REQUEST') ? 'NEW CERTIFICATE REQUEST' : 'CERTIFICATE REQUEST'));
    } catch (error) {
      if (error instanceof CsrError || (error instanceof Error && error.message.startsWith('expected a PEM'))) throw new MpkiError('csrInvalid', error.message);
      throw error;
    }
    if (!csr.verify()) throw new MpkiError('csrInvalid', 'the signature does not verify');
    return csr;
  }

  checkKey(profile: MpkiProfile, csr: ParsedCsr): void {
    const spec = csr.keySpec;
    if (spec.type !== 'rsa') throw new MpkiError('keyAlgorithmNotAllowed', `EC ${spec.curve}`);
    if (!profile.keySizes.includes(spec.bits)) throw new MpkiError('keySizeNotAllowed', spec.bits, profile.keySizes.join(' or '));
  }

  /** Takes a seat of the profile's pool for a new seat ID; an existing seat costs nothing. */
  takeSeat(profile: MpkiProfile, seatId: string, pairs: readonly NameValue[] = []): void {
    this.state.store.transaction(() => this.takeSeatNow(profile, seatId, pairs));
  }

  /** takeSeat's check alone, nothing written: the same refusal, before the work of signing (enroll re-checks it when it writes). */
  checkSeat(profile: MpkiProfile, seatId: string): void {
    if (this.state.seats.get(seatKey(profile.seatKind, seatId))) return;
    const pool = this.state.pools.get(profile.seatKind);
    if (!pool || pool.used >= pool.purchased) throw new MpkiError('seatPoolExhausted', profile.seatKind, pool?.purchased ?? 0, pool?.used ?? 0);
  }

  /** takeSeat's writes; the caller runs it inside a transaction or batch, where its check and write are atomic. */
  private takeSeatNow(profile: MpkiProfile, seatId: string, pairs: readonly NameValue[]): void {
    const key = seatKey(profile.seatKind, seatId);
    if (!this.state.seats.get(key)) {
      const pool = this.state.pools.get(profile.seatKind);
      if (!pool || pool.used >= pool.purchased) throw new MpkiError('seatPoolExhausted', profile.seatKind, pool?.purchased ?? 0, pool?.used ?? 0);
      this.state.pools.update(profile.seatKind, (p) => ({ ...p, used: p.used + 1 }));
      this.state.seats.put(key, { kind: profile.seatKind, seatId, createdAt: this.clock.now().toISOString() });
    }
    // ASSUMPTION: enrolling registers the seat as a user (PKI Manager "Manage users").
    if (!this.state.users.get(userKey(seatId))) {
      const email = EMAIL_FIELDS.map((f) => fieldValue(pairs, f)).find((v) => v !== undefined);
      const first = fieldValue(pairs, 'mail_firstName');
      const last = fieldValue(pairs, 'mail_lastName');
      this.state.users.put(userKey(seatId), {
        seatId,
        attributes: [],
        createdAt: this.clock.now().toISOString(),
        ...(email ? { emailAddress: email } : {}),
        ...(first ? { firstName: first } : {}),
        ...(last ? { lastName: last } : {}),
      });
    }
  }

  /** Gives back a seat taken for a request that was not issued after all. */
  releaseSeat(profile: MpkiProfile, seatId: string): void {
    this.state.store.transaction(() => {
      if (!this.state.seats.delete(seatKey(profile.seatKind, seatId))) return;
      this.state.pools.update(profile.seatKind, (p) => ({ ...p, used: Math.max(0, p.used - 1) }));
    });
  }

  /**
   * Web-services Issue: checks, then issues or parks the request for approval. An issued certificate's seat is
   * checked before signing and taken (re-checked) in the one batched write that records it; `onIssued` runs in
   * that write too (the audit record), so the answer goes out only once all of it is committed.
   */
  async enroll(ra: RaRecord, profile: MpkiProfile, tokenType: TokenTypeName, pairs: NameValue[], csrText: string | undefined, options: IssueOptions = {}): Promise<EnrollOutcome> {
    const seatId = this.checkFields(profile, pairs);
    if (profile.verifyUser && !this.state.users.get(userKey(seatId))) throw new MpkiError('seatNotFound', seatId, profile.seatIdAttribute);
    if (tokenType === 'PKCS12' && !profile.keyEscrow) throw new MpkiError('tokenTypeNotAllowed', 'PKCS12', profile.oid);
    let csr: ParsedCsr | undefined;
    if (tokenType !== 'PKCS12') {
      if (!csrText) throw new MpkiError('csrMissing');
      csr = this.parseCsr(csrText);
      this.checkKey(profile, csr);
    }
    const stored: StoredEnrollment = { profileOid: profile.oid, tokenType, nameValuePairs: pairs, raSerial: ra.serialHex };
    if (profile.approvalRequired) {
      this.takeSeat(profile, seatId, pairs);
      if (csr) stored.csrBase64 = Buffer.from(csr.der).toString('base64');
      const id = randomBytes(10).toString('hex');
      const now = this.clock.now().toISOString();
      this.state.pending.put(id, { id, profileOid: profile.oid, seatId, status: 'PENDING', request: stored, createdAt: now });
      return { kind: 'pending', pendingId: id };
    }
    this.checkSeat(profile, seatId);
    return { kind: 'issued', issued: await this.issue(profile, seatId, stored, 'web-services', csr, { ...options, takeSeat: true }) };
  }

  /** QueryTokenStatus: the token once approved, the same reference while pending. */
  async queryPending(ra: RaRecord, pendingId: string | undefined): Promise<EnrollOutcome> {
    if (!pendingId) throw new MpkiError('missingElement', 'pendingTokenReferenceID');
    const pending = this.state.pending.get(pendingId);
    if (!pending) throw new MpkiError('pendingNotFound', pendingId);
    this.checkEntitled(ra, pending.profileOid);
    if (pending.status === 'REJECTED') throw new MpkiError('pendingRejected', pendingId);
    if (pending.status === 'PENDING' || !pending.serialHex) return { kind: 'pending', pendingId };
    const meta = this.state.certificates.get(pending.serialHex)!;
    const der = new Uint8Array(Buffer.from(this.repository.get(pending.serialHex)!.der, 'base64'));
    return { kind: 'issued', issued: this.tokenOf(pending.request.tokenType, der, meta) };
  }

  /**
   * Administrator approval of a pending request: issues it now. The request is marked ISSUING before the await, so
   * a concurrent approve or reject of the same request is refused; it goes back to PENDING if issuing fails.
   */
  async approve(id: string): Promise<MpkiCertificate> {
    const pending = this.state.store.transaction(() => {
      const found = this.state.pending.get(id);
      if (!found) throw new MpkiError('pendingNotFound', id);
      if (found.status !== 'PENDING') throw new MpkiError('invalidValue', 'status', found.status);
      if (!this.state.profiles.get(found.profileOid)) throw new MpkiError('profileNotFound', found.profileOid);
      this.state.pending.update(id, (p) => ({ ...p, status: 'ISSUING' }));
      return found;
    });
    let issued: IssuedToken;
    try {
      const profile = this.state.profiles.get(pending.profileOid);
      if (!profile) throw new MpkiError('profileNotFound', pending.profileOid);
      const csr = pending.request.csrBase64 ? this.parseCsr(pending.request.csrBase64) : undefined;
      issued = await this.issue(profile, pending.seatId, pending.request, 'web-services', csr);
    } catch (error) {
      this.state.pending.update(id, (p) => ({ ...p, status: 'PENDING' }));
      throw error;
    }
    this.state.pending.update(id, (p) => ({ ...p, status: 'APPROVED', serialHex: issued.serialHex, decidedAt: this.clock.now().toISOString() }));
    return this.state.certificates.get(issued.serialHex)!;
  }

  /** Administrator rejection: only of a request still PENDING (not one being issued or already decided). */
  reject(id: string): void {
    this.state.store.transaction(() => {
      const found = this.state.pending.get(id);
      if (!found) throw new MpkiError('pendingNotFound', id);
      if (found.status !== 'PENDING') throw new MpkiError('invalidValue', 'status', found.status);
      this.state.pending.update(id, (p) => ({ ...p, status: 'REJECTED', decidedAt: this.clock.now().toISOString() }));
    });
  }

  /** Renew: a new CSR for the seat of a certificate this CA issued, inside its renewal window (§A.8 10). */
  async renew(ra: RaRecord, profile: MpkiProfile, tokenType: TokenTypeName, pairs: NameValue[], csrText: string | undefined, oldCertificate: string | undefined, options: IssueOptions = {}): Promise<EnrollOutcome> {
    if (!oldCertificate) throw new MpkiError('renewCertificateMissing');
    const serialHex = this.renewedSerial(oldCertificate);
    const meta = this.state.certificates.get(serialHex);
    const record = this.repository.get(serialHex);
    if (!meta || !record) throw new MpkiError('certificateNotFound', serialHex);
    const now = this.clock.now().getTime();
    if (record.status !== 'valid') throw new MpkiError('renewNotValid', record.status === 'hold' ? 'suspended' : 'revoked');
    if (Date.parse(record.notAfter) <= now) throw new MpkiError('renewNotValid', 'expired');
    const opens = Date.parse(record.notAfter) - profile.renewalDays * 86_400_000;
    if (now < opens) throw new MpkiError('renewNotPermitted', new Date(opens).toISOString());
    if (tokenType === 'PKCS12') throw new MpkiError('tokenTypeNotAllowed', 'PKCS12', profile.oid);
    if (!csrText) throw new MpkiError('csrMissing');
    const csr = this.parseCsr(csrText);
    this.checkKey(profile, csr);
    const merged = [...pairs, ...(meta.fields ?? []).filter((f) => !fieldValue(pairs, f.name))];
    const stored: StoredEnrollment = { profileOid: profile.oid, tokenType, nameValuePairs: merged, raSerial: ra.serialHex, csrBase64: Buffer.from(csr.der).toString('base64') };
    return { kind: 'issued', issued: await this.issue(profile, meta.seatId, stored, 'web-services', csr, options) };
  }

  /**
   * The serial of the certificate to renew, given as an X509v3 token or a certs-only PKCS#7 (the certificate this
   * CA issued among those it carries), base64 or PEM.
   */
  private renewedSerial(token: string): string {
    const serials: string[] = [];
    try {
      if (/-----BEGIN (PKCS7|CMS)-----/.test(token) || !token.includes('-----BEGIN')) {
        try {
          const label = token.includes('-----BEGIN CMS-----') ? 'CMS' : 'PKCS7';
          for (const der of parseCertsOnly(tokenDer(token, label)).certificates) serials.push(canonicalSerial(parseCertificate(der).serialHex));
        } catch {
          // Not a PKCS#7: an X509v3 token, below.
        }
      }
      if (serials.length === 0) serials.push(canonicalSerial(parseCertificate(tokenDer(token, 'CERTIFICATE')).serialHex));
    } catch {
      throw new MpkiError('renewCertificateMissing');
    }
    return serials.find((s) => this.state.certificates.get(s)) ?? serials[0]!;
  }

  /** The subject, SAN and profile of a certificate for `profile` and these fields. */
  certificateShape(profile: MpkiProfile, pairs: readonly NameValue[], seatId: string, account: MpkiAccount = this.state.account()): { subject: DistinguishedName; san: GeneralNameEntry[]; profile: CertificateProfile; email?: string; commonName: string } {
    const commonName = fieldValue(pairs, 'common_name') ?? seatId;
    const email = EMAIL_FIELDS.map((f) => fieldValue(pairs, f)).find((v) => v !== undefined);
    const country = fieldValue(pairs, 'country');
    const rdns: DnAttributeInput[][] = [];
    if (country && /^[A-Za-z]{2}$/.test(country)) rdns.push([{ type: 'C', value: country.toUpperCase() }]);
    rdns.push([{ type: 'O', value: account.organization }]);
    // ASSUMPTION: a Test-mode certificate is marked by an OU (the real marker is not public).
    if (profile.mode === 'Test') rdns.push([{ type: 'OU', value: SYMANTEC_DEFAULTS.testModeOu }]);
    rdns.push([{ type: 'CN', value: commonName }]);
    const san: GeneralNameEntry[] = [];
    if (email) san.push({ type: 'email', value: email });
    const upn = profile.upnField ? fieldValue(pairs, profile.upnField) : undefined;
    if (upn) san.push({ type: 'upn', value: upn });
    return { subject: DistinguishedName.fromRdns(rdns), san, profile: this.certificateProfile(profile), ...(email ? { email } : {}), commonName };
  }

  private certificateProfile(profile: MpkiProfile): CertificateProfile {
    const crl = this.crlUrl();
    const key = `${profile.validityDays}|${crl ?? ''}`;
    let compiled = this.profileCache.get(key);
    if (!compiled) {
      compiled = {
        validityDays: profile.validityDays,
        keyUsage: ['digitalSignature', 'keyEncipherment'],
        extendedKeyUsage: ['clientAuth', 'emailProtection'],
        subjectAltNames: 'none',
        ...(crl ? { crlDistributionPoints: [crl] } : {}),
      };
      this.profileCache.set(key, compiled);
    }
    return compiled;
  }

  /**
   * Issues and records. The seat is already taken, or with `takeSeat` is taken in the write that records the
   * certificate (re-checked there: a request that lost the pool's last seat to a concurrent one, in this process
   * or another on the same file, is refused as before; its certificate was signed but is never delivered).
   * That write is one group commit (Store.batch) with `onIssued`; it resolves once committed.
   */
  async issue(profile: MpkiProfile, seatId: string, stored: StoredEnrollment, channel: string, csr: ParsedCsr | undefined, options: IssueOptions & { takeSeat?: boolean } = {}): Promise<IssuedToken> {
    const account = options.account ?? this.state.account();
    const shape = this.certificateShape(profile, stored.nameValuePairs, seatId, account);
    let issued: IssuedCertificate;
    let escrow: MpkiCertificate['escrow'];
    if (csr) {
      issued = await this.ca.issueFromCsr(csr, shape.profile, { subject: shape.subject, subjectAltNames: shape.san });
    } else {
      const keys = await generateKeyPair({ type: 'rsa', bits: (profile.keySizes[0] ?? 2048) as RsaBits });
      issued = await this.ca.issue({ subject: shape.subject, publicKey: keys.publicKey, subjectAltNames: shape.san, profile: shape.profile });
      const password = randomBytes(9).toString('base64url');
      const p12 = buildPkcs12({ privateKey: keys.privateKey, certificate: issued.der, chain: [...this.ca.chain], password, form: 'modern', friendlyName: shape.commonName });
      escrow = { p12: Buffer.from(p12).toString('base64'), password };
    }
    // Built before the write, so the write lock is held for the writes alone.
    const meta = this.metaOf(issued, profile, seatId, stored.nameValuePairs, channel, shape, account, stored.raSerial, escrow);
    const token = this.tokenOf(stored.tokenType, issued.der, meta);
    await writeBatched(this.state.store, () => {
      if (options.takeSeat) this.takeSeatNow(profile, seatId, stored.nameValuePairs);
      this.writeIssued(issued, meta);
      options.onIssued?.(token);
    });
    return token;
  }

  /** Records an issued certificate in the shared repository and the PKI Manager's view. */
  recordIssued(issued: IssuedCertificate, profile: MpkiProfile, seatId: string, fields: NameValue[], channel: string, shape: { commonName: string; email?: string }, raSerial?: string, escrow?: MpkiCertificate['escrow']): MpkiCertificate {
    const meta = this.metaOf(issued, profile, seatId, fields, channel, shape, this.state.account(), raSerial, escrow);
    this.state.store.transaction(() => this.writeIssued(issued, meta));
    return meta;
  }

  /** The PKI Manager's view of an issued certificate (nothing written). */
  private metaOf(issued: IssuedCertificate, profile: MpkiProfile, seatId: string, fields: NameValue[], channel: string, shape: { commonName: string; email?: string }, account: MpkiAccount, raSerial?: string, escrow?: MpkiCertificate['escrow']): MpkiCertificate {
    return {
      serialHex: canonicalSerial(issued.serialHex),
      seatId,
      seatKind: profile.seatKind,
      profileOid: profile.oid,
      commonName: shape.commonName,
      accountId: account.accountId,
      mode: profile.mode,
      channel,
      fields,
      ...(shape.email ? { emailAddress: shape.email } : {}),
      ...(raSerial ? { raSerial } : {}),
      ...(escrow ? { escrow } : {}),
    };
  }

  /** recordIssued's writes (synchronous, for a transaction or batch). */
  private writeIssued(issued: IssuedCertificate, meta: MpkiCertificate): void {
    this.repository.add(newCertificateOf(issued, this.issuerName, { profile: meta.profileOid, requester: meta.raSerial ?? meta.channel }));
    this.state.certificates.put(meta.serialHex, meta);
  }

  tokenOf(tokenType: TokenTypeName, der: Uint8Array, meta: MpkiCertificate): IssuedToken {
    const base = { serialHex: meta.serialHex, certificate: der };
    if (tokenType === 'PKCS12' && meta.escrow) return { ...base, tokenType, token: meta.escrow.p12, pkcs12Password: meta.escrow.password };
    if (tokenType === 'PKCS7') return { ...base, tokenType, token: Buffer.from(buildCertsOnly({ certificates: [der, ...this.ca.chain] })).toString('base64') };
    return { ...base, tokenType: 'X509v3', token: Buffer.from(der).toString('base64') };
  }
}

export function tokenTypeOf(uri: string | undefined): TokenTypeName {
  if (uri === undefined) return 'X509v3';
  const found = (Object.entries(TOKEN_TYPES) as [TokenTypeName, string][]).find(([, value]) => value === uri);
  if (!found) throw new MpkiError('invalidValue', 'tokenType', uri);
  return found[0];
}
