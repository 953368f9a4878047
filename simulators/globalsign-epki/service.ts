/**
 * The GasOrderService business rules, free of XML: authentication (reference §10 order: IP range → -4201,
 * credentials → -4001, account state → -9939), profile / product / licence checks, CSR checks, DN and OU against
 * a locked base DN, issuing with the test PKI's issuing CA, and the order lifecycle (cancel, revoke, reissue,
 * pick-up). Every refusal is an EpkiError from the one table in errors.ts.
 */
import { createHash, type KeyObject } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { CertificateAuthority, IssuedCertificate } from '../../core/pki/ca.js';
import { CsrError, parseCsr, type ParsedCsr } from '../../core/pki/csr.js';
import type { GeneralNameEntry } from '../../core/pki/general-names.js';
import { DistinguishedName, type DnAttributeInput } from '../../core/pki/names.js';
import type { CertificateProfile } from '../../core/pki/profile.js';
import { type CertificateRepository, type NewCertificate, newCertificateOf } from '../store/certificates.js';
import { writeBatched } from '../store/index.js';
import { EpkiError } from './errors.js';
import { LicenceLedger, type LicenceRequest, type LicenceReservation } from './licences.js';
import { type EpkiAccount, type EpkiOrder, type EpkiProfile, type EpkiState, type EpkiUser, ipAllowed, type LicencePack, ORDER_STATUS, passwordMatches } from './state.js';

export interface Caller {
  user: EpkiUser;
  account: EpkiAccount;
}

export interface OrderInput {
  operation: string;
  profileId: string | undefined;
  productCode: string | undefined;
  years: number | undefined;
  commonName: string | undefined;
  organizationUnits: string[];
  email?: string | undefined;
  pickupPassword?: string | undefined;
}

export interface IssueResult {
  order: EpkiOrder;
  certificate: Uint8Array;
  chain: Uint8Array[];
}

/** Products the simulated accounts may order (reference §6: the only EPKI code seen). */
export const PRODUCT_CODES: readonly string[] = ['EPKIPSPersonal'];
const MAX_CN = 64;

/** What an order is issued for: a verified CSR (with its SPKI fingerprint, for the key re-use rule) or a key made here. */
type IssueKey = { csr: ParsedCsr; spkiSha256: string } | { publicKey: KeyObject };

/** An order as checked: its EPKI profile, the pack it would use, and what picks a pack again at write time. */
interface CheckedOrder {
  profile: EpkiProfile;
  pack: LicencePack;
  licence: LicenceRequest;
}

type OrderDraft = Omit<EpkiOrder, 'orderId'>;

export class EpkiService {
  private sequence = 0;
  /** SPKI fingerprint → Common Name of issued orders (the key re-use rule), built once from the store per state generation. */
  private keyIndex: { generation: number; names: Map<string, string> } | undefined;
  /** Licences: chosen when an order is checked, held while it is signed, used in the write that records it. */
  readonly licences: LicenceLedger;
  /**
   * One CertificateProfile per (years, hash): the CA caches a profile's compiled (encoded) form by object
   * identity, so a new object per order would re-encode every extension. The e-mail SAN is per order (overrides).
   */
  private readonly certificateProfiles = new Map<string, CertificateProfile>();

  constructor(
    readonly state: EpkiState,
    readonly ca: CertificateAuthority,
    readonly repository: CertificateRepository,
    readonly clock: Clock,
    readonly issuerName: string,
  ) {
    this.licences = new LicenceLedger(state, clock);
  }

  authenticate(userName: string | undefined, password: string | undefined, address: string): Caller {
    if (!userName) throw new EpkiError('missingParameter', 'UserName');
    if (!password) throw new EpkiError('missingParameter', 'Password');
    const user = this.state.users.get(userName);
    const account = user ? this.state.accounts.get(user.corporateId) : undefined;
    if (user && account && !ipAllowed(address, account.ipRanges)) throw new EpkiError('ipNotAllowed');
    if (!user || !account || !passwordMatches(user, password)) throw new EpkiError('loginFailure');
    if (account.state !== 'active') throw new EpkiError('accountLocked');
    if (!user.admin) throw new EpkiError('notAdmin');
    return { user, account };
  }

  profilesOf(caller: Caller): EpkiProfile[] {
    return this.state.profiles.list({ where: (p) => p.corporateId === caller.account.corporateId });
  }

  /** Checks an order in the reference's order; returns what issuing needs (no licence is held yet). */
  private checkOrder(caller: Caller, input: OrderInput): CheckedOrder {
    if (!input.profileId) throw new EpkiError('missingParameter', 'ProfileID');
    if (!input.productCode) throw new EpkiError('missingParameter', 'ProductCode');
    if (input.years === undefined) throw new EpkiError('missingParameter', 'Year');
    if (!input.commonName) throw new EpkiError('missingParameter', 'CommonName');
    if (input.commonName.length > MAX_CN) throw new EpkiError('parameterTooLong', 'CommonName');
    if (!/^MP\d{12}$/.test(input.profileId)) throw new EpkiError('parameterFormat', 'ProfileID');
    if (input.years < 1 || input.years > 3) throw new EpkiError('invalidParameter', 'Year');
    const profile = this.state.profiles.get(input.profileId);
    if (!profile || profile.corporateId !== caller.account.corporateId) throw new EpkiError('profileNotFound');
    if (profile.state !== 'VALIDATED') throw new EpkiError('profileNotValidated');
    if (!PRODUCT_CODES.includes(input.productCode)) throw new EpkiError('productNotAllowed');
    if (profile.hash === 'SHA-1') throw new EpkiError('sha1Refused');
    const licence: LicenceRequest = { corporateId: caller.account.corporateId, profileId: profile.profileId, productCode: input.productCode, years: input.years };
    const pack = this.licences.choose(licence);
    if (profile.lockBaseDn) {
      for (const ou of input.organizationUnits) if (!profile.organizationUnits.includes(ou)) throw new EpkiError('ouNotAllowed');
    }
    return { profile, pack, licence };
  }

  /**
   * Stores the order `build` makes for the next free order ID (insert-only, so two processes sharing the store
   * never take the same ID). Call inside a write transaction when other writes belong with it.
   */
  private insertOrder(build: (orderId: string) => EpkiOrder): EpkiOrder {
    const day = this.clock.now().toISOString().slice(0, 10).replace(/-/g, '');
    for (;;) {
      // ASSUMPTION: MPS + date + sequence (reference §6, an OCR-garbled sample).
      const order = build(`MPS${day}${String(++this.sequence).padStart(6, '0')}`);
      if (this.state.orders.insert(order.orderId, order)) return order;
    }
  }

  private subjectOf(profile: EpkiProfile, commonName: string, ous: readonly string[]): DistinguishedName {
    const rdns: DnAttributeInput[][] = [[{ type: 'C', value: profile.country }]];
    if (profile.stateOrProvince) rdns.push([{ type: 'ST', value: profile.stateOrProvince }]);
    if (profile.locality) rdns.push([{ type: 'L', value: profile.locality }]);
    rdns.push([{ type: 'O', value: profile.organization }]);
    for (const ou of ous.length ? ous : profile.organizationUnits) rdns.push([{ type: 'OU', value: ou }]);
    rdns.push([{ type: 'CN', value: commonName }]);
    return DistinguishedName.fromRdns(rdns);
  }

  private checkCsr(csrText: string | undefined, commonName: string): { csr: ParsedCsr; spkiSha256: string } {
    if (!csrText) throw new EpkiError('missingParameter', 'CSR');
    let csr: ParsedCsr;
    try {
      csr = parseCsr(csrText.includes('-----BEGIN') ? csrText : new Uint8Array(Buffer.from(csrText.replace(/\s+/g, ''), 'base64')));
    } catch (error) {
      if (error instanceof CsrError) throw new EpkiError('csrInvalid');
      throw error;
    }
    if (!csr.verify()) throw new EpkiError('csrInvalid');
    const spec = csr.keySpec;
    if (spec.type === 'rsa' && spec.bits < 2048) throw new EpkiError('weakKey');
    const spkiSha256 = spkiFingerprint(csr.spkiDer);
    const known = this.keys().get(spkiSha256);
    if (known !== undefined && known !== commonName) throw new EpkiError('keyReused');
    return { csr, spkiSha256 };
  }

  private keys(): Map<string, string> {
    if (this.keyIndex?.generation !== this.state.generation) {
      const names = new Map<string, string>();
      for (const o of this.state.orders.list({ where: (o) => o.spkiSha256 !== undefined })) if (!names.has(o.spkiSha256!)) names.set(o.spkiSha256!, o.commonName);
      this.keyIndex = { generation: this.state.generation, names };
    }
    return this.keyIndex.names;
  }

  private certificateProfile(years: number, hash: EpkiProfile['hash']): CertificateProfile {
    const id = `${years}/${hash}`;
    let profile = this.certificateProfiles.get(id);
    if (!profile) {
      profile = Object.freeze({
        validityDays: years * 365,
        keyUsage: ['digitalSignature', 'keyEncipherment'],
        extendedKeyUsage: ['clientAuth', 'emailProtection'],
        hash: hash === 'SHA-1' ? 'sha1' : 'sha256',
        subjectAltNames: 'none',
      } satisfies CertificateProfile);
      this.certificateProfiles.set(id, profile);
    }
    return profile;
  }

  /** Builds and signs the order's certificate: the profile's DN with the order's CN and OUs, its e-mail as the SAN. */
  private sign(order: OrderDraft, profile: EpkiProfile, key: IssueKey): Promise<IssuedCertificate> {
    const subject = this.subjectOf(profile, order.commonName, order.organizationUnits);
    const certificateProfile = this.certificateProfile(order.years, profile.hash);
    const san: GeneralNameEntry[] | undefined = order.email ? [{ type: 'email', value: order.email }] : undefined;
    return 'csr' in key
      ? this.ca.issueFromCsr(key.csr, certificateProfile, { subject, ...(san && { subjectAltNames: san }) })
      : this.ca.issue({ subject, publicKey: key.publicKey, profile: certificateProfile, ...(san && { subjectAltNames: san }) });
  }

  /** `order` as issued with `certificate` at `now`. */
  private issuedOrder(order: EpkiOrder, issued: IssuedCertificate, certificate: NewCertificate, key: IssueKey, now: string): EpkiOrder {
    return {
      ...order,
      status: ORDER_STATUS.issued,
      subject: certificate.subject,
      serialHex: issued.serialHex,
      certificate: certificate.der,
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
      issueDate: now,
      ...('csr' in key ? { spkiSha256: key.spkiSha256 } : {}),
      events: [...order.events, { name: 'ISSUED', at: now }],
    };
  }

  private rememberKey(order: EpkiOrder): void {
    if (order.spkiSha256 && !this.keys().has(order.spkiSha256)) this.keys().set(order.spkiSha256, order.commonName);
  }

  private draftOrder(caller: Caller, input: OrderInput, pack: LicencePack, profile: EpkiProfile): OrderDraft {
    const now = this.clock.now().toISOString();
    return {
      corporateId: caller.account.corporateId,
      userName: caller.user.userName,
      profileId: profile.profileId,
      licenseNo: pack.licenseNo,
      productCode: pack.productCode,
      years: pack.years,
      operation: input.operation,
      status: ORDER_STATUS.initial,
      commonName: input.commonName!,
      organizationUnits: input.organizationUnits,
      requestDate: now,
      events: [{ name: 'ORDERED', at: now }],
      ...(input.email ? { email: input.email } : {}),
      ...(input.pickupPassword ? { pickupPassword: input.pickupPassword } : {}),
    };
  }

  /**
   * A checked order, issued: its licence is held while the certificate is signed, then the order, the licence it
   * uses and the certificate are written together in the store's group commit (so nothing is answered before it
   * is on record). A licence another process took meanwhile fails the order with licenceExhausted; the certificate
   * signed for it is then never delivered nor recorded.
   */
  private async issueOrder(caller: Caller, input: OrderInput, checked: CheckedOrder, key: IssueKey): Promise<IssueResult> {
    const reservation = this.licences.reserve(checked.pack);
    try {
      const draft = this.draftOrder(caller, input, checked.pack, checked.profile);
      const issued = await this.sign(draft, checked.profile, key);
      const certificate = newCertificateOf(issued, this.issuerName, { profile: checked.profile.profileId, requester: draft.userName });
      const order = await writeBatched(this.state.store, () => {
        const pack = this.licences.consume(reservation, checked.licence);
        const now = this.clock.now().toISOString();
        const stored = this.insertOrder((orderId) => this.issuedOrder({ orderId, ...draft, licenseNo: pack.licenseNo }, issued, certificate, key, now));
        this.repository.add({ ...certificate, transactionId: stored.orderId });
        return stored;
      });
      this.rememberKey(order);
      return { order, certificate: issued.der, chain: [...this.ca.chain] };
    } finally {
      reservation.release();
    }
  }

  /** OrderAndIssueCertificate / OrderDS: a CSR in, a certificate out, one licence used. */
  async orderWithCsr(caller: Caller, input: OrderInput, csrText: string | undefined): Promise<IssueResult> {
    const checked = this.checkOrder(caller, input);
    const key = this.checkCsr(csrText, input.commonName!);
    return this.issueOrder(caller, input, checked, key);
  }

  /** OrderPkcs12: the key is made here (by the caller, passed in) and returned in a PKCS#12. */
  async orderWithKey(caller: Caller, input: OrderInput, publicKey: KeyObject): Promise<IssueResult> {
    return this.issueOrder(caller, input, this.checkOrder(caller, input), { publicKey });
  }

  /** Validates an order before a key is made for it (OrderPkcs12 makes the key only for an acceptable order). */
  precheck(caller: Caller, input: OrderInput): void {
    this.checkOrder(caller, input);
  }

  /** OrderCertificate: the order waits for pick-up (user enrolment); the licence is used now. ASSUMPTION. */
  orderForPickup(caller: Caller, input: OrderInput): EpkiOrder {
    const checked = this.checkOrder(caller, input);
    const draft = this.draftOrder(caller, input, checked.pack, checked.profile);
    return this.state.store.transaction(() => {
      const pack = this.licences.consume(this.licences.reserve(checked.pack), checked.licence);
      return this.insertOrder((orderId) => ({ orderId, ...draft, licenseNo: pack.licenseNo }));
    });
  }

  /** The pick-up of an OrderCertificate / Reissue order (the emailed link; here an admin call). */
  async pickup(orderId: string, pickupPassword: string | undefined, csrText: string): Promise<IssueResult> {
    const order = this.state.orders.get(orderId);
    if (!order) throw new EpkiError('orderNotFound');
    if (order.status !== ORDER_STATUS.initial) throw new EpkiError('statusChanged');
    if (order.pickupPassword !== undefined && order.pickupPassword !== pickupPassword) throw new EpkiError('invalidParameter', 'PickupPassword');
    const profile = this.state.profiles.get(order.profileId);
    if (!profile) throw new EpkiError('profileNotFound');
    const key = this.checkCsr(csrText, order.commonName);
    const issued = await this.sign(order, profile, key);
    const certificate = newCertificateOf(issued, this.issuerName, { profile: profile.profileId, requester: order.userName, transactionId: order.orderId });
    const updated = await writeBatched(this.state.store, () => {
      // Checked again where it is written: a second pick-up of the same order may have issued meanwhile.
      const current = this.state.orders.get(orderId);
      if (!current) throw new EpkiError('orderNotFound');
      if (current.status !== ORDER_STATUS.initial) throw new EpkiError('statusChanged');
      this.repository.add(certificate);
      const issuedOrder = this.issuedOrder(current, issued, certificate, key, this.clock.now().toISOString());
      this.state.orders.put(orderId, issuedOrder);
      return issuedOrder;
    });
    this.rememberKey(updated);
    return { order: updated, certificate: issued.der, chain: [...this.ca.chain] };
  }

  ownOrder(caller: Caller, orderId: string | undefined, field = 'OrderID'): EpkiOrder {
    if (!orderId) throw new EpkiError('missingParameter', field);
    const order = this.state.orders.get(orderId);
    if (!order) throw new EpkiError('orderNotFound', field);
    if (order.corporateId !== caller.account.corporateId) throw new EpkiError('noPermissionOrder', field);
    return order;
  }

  cancel(caller: Caller, orderId: string | undefined): EpkiOrder {
    const order = this.ownOrder(caller, orderId);
    if (order.status === ORDER_STATUS.cancelledBeforeIssue || order.status === ORDER_STATUS.cancelledAfterIssue) throw new EpkiError('alreadyCancelled');
    if (order.status === ORDER_STATUS.revoked) throw new EpkiError('statusChanged');
    const now = this.clock.now().toISOString();
    const before = order.status === ORDER_STATUS.initial;
    // ASSUMPTION: cancelling before issue gives the licence back.
    if (before) this.state.licences.update(order.licenseNo, (p) => ({ ...p, used: Math.max(0, p.used - 1) }));
    else if (order.serialHex) this.repository.revoke(order.serialHex, 'cessationOfOperation');
    return this.state.orders.update(order.orderId, (o) => ({
      ...o,
      status: before ? ORDER_STATUS.cancelledBeforeIssue : ORDER_STATUS.cancelledAfterIssue,
      cancelDate: now,
      events: [...o.events, { name: 'CANCELLED', at: now }],
    }))!;
  }

  revoke(caller: Caller, orderId: string | undefined): EpkiOrder {
    const order = this.ownOrder(caller, orderId);
    if (order.status !== ORDER_STATUS.issued) throw new EpkiError('statusChanged');
    if (order.serialHex) this.repository.revoke(order.serialHex, 'unspecified');
    const now = this.clock.now().toISOString();
    return this.state.orders.update(order.orderId, (o) => ({ ...o, status: ORDER_STATUS.revoked, revokeDate: now, events: [...o.events, { name: 'REVOKED', at: now }] }))!;
  }

  /** Reissue: a new order for the same subject, picked up later; no licence used (ASSUMPTION). */
  reissue(caller: Caller, targetOrderId: string | undefined, pickupPassword: string | undefined): EpkiOrder {
    const target = this.ownOrder(caller, targetOrderId, 'TargetOrderID');
    if (target.reissuedBy) throw new EpkiError('alreadyReissued');
    if (target.status !== ORDER_STATUS.issued || (target.notAfter && Date.parse(target.notAfter) <= this.clock.now().getTime())) {
      throw new EpkiError('targetInaccessible');
    }
    const now = this.clock.now().toISOString();
    return this.state.store.transaction(() => {
      const order = this.insertOrder((orderId) => {
        const draft: EpkiOrder = {
          ...target,
          orderId,
          operation: 'Reissue',
          status: ORDER_STATUS.initial,
          originalOrderId: target.orderId,
          requestDate: now,
          events: [{ name: 'REISSUE_ORDERED', at: now }],
          ...(pickupPassword ? { pickupPassword } : {}),
        };
        for (const key of ['serialHex', 'certificate', 'notBefore', 'notAfter', 'issueDate', 'spkiSha256', 'reissuedBy'] as const) delete draft[key];
        return draft;
      });
      this.state.orders.update(target.orderId, (o) => ({ ...o, reissuedBy: order.orderId }));
      return order;
    });
  }
}

function spkiFingerprint(spki: Uint8Array): string {
  return createHash('sha256').update(spki).digest('hex');
}
