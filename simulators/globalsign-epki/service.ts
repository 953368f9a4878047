/**
 * The GasOrderService business rules, free of XML: authentication (reference §10 order: IP range → -4201,
 * credentials → -4001, account state → -9939), profile / product / licence checks, CSR checks, DN and OU against
 * a locked base DN, issuing with the test PKI's issuing CA, and the order lifecycle (cancel, revoke, reissue,
 * pick-up). Every refusal is an EpkiError from the one table in errors.ts.
 */
import { createHash, type KeyObject } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { CertificateAuthority } from '../../core/pki/ca.js';
import { CsrError, parseCsr, type ParsedCsr } from '../../core/pki/csr.js';
import { DistinguishedName, type DnAttributeInput } from '../../core/pki/names.js';
import type { CertificateProfile } from '../../core/pki/profile.js';
import { type CertificateRepository, newCertificateOf } from '../store/certificates.js';
import { EpkiError } from './errors.js';
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

export class EpkiService {
  private sequence = 0;
  /** SPKI fingerprint → Common Name of issued orders (the key re-use rule), built once from the store per state generation. */
  private keyIndex: { generation: number; names: Map<string, string> } | undefined;

  constructor(
    readonly state: EpkiState,
    readonly ca: CertificateAuthority,
    readonly repository: CertificateRepository,
    readonly clock: Clock,
    readonly issuerName: string,
  ) {}

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

  /** Checks an order in the reference's order and reserves its licence; returns what issuing needs. */
  private checkOrder(caller: Caller, input: OrderInput): { profile: EpkiProfile; pack: LicencePack } {
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
    const now = this.clock.now().getTime();
    const packs = this.state.licences.list({
      where: (p) => p.corporateId === caller.account.corporateId && p.profileId === profile.profileId && p.productCode === input.productCode && p.years === input.years,
    });
    if (packs.length === 0) throw new EpkiError('licenceNoMatch');
    const live = packs.filter((p) => Date.parse(p.expiresAt) > now);
    if (live.length === 0) throw new EpkiError('licenceExpired');
    const pack = live.find((p) => p.used < p.count);
    if (!pack) throw new EpkiError('licenceExhausted');
    if (profile.lockBaseDn) {
      for (const ou of input.organizationUnits) if (!profile.organizationUnits.includes(ou)) throw new EpkiError('ouNotAllowed');
    }
    return { profile, pack };
  }

  private consume(pack: LicencePack): void {
    this.state.licences.update(pack.licenseNo, (p) => ({ ...p, used: p.used + 1 }));
  }

  private newOrderId(): string {
    const day = this.clock.now().toISOString().slice(0, 10).replace(/-/g, '');
    for (;;) {
      // ASSUMPTION: MPS + date + sequence (reference §6, an OCR-garbled sample).
      const id = `MPS${day}${String(++this.sequence).padStart(6, '0')}`;
      if (!this.state.orders.get(id)) return id;
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

  private checkCsr(csrText: string | undefined, commonName: string): ParsedCsr {
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
    const fingerprint = spkiFingerprint(csr.spkiDer);
    const known = this.keys().get(fingerprint);
    if (known !== undefined && known !== commonName) throw new EpkiError('keyReused');
    return csr;
  }

  private keys(): Map<string, string> {
    if (this.keyIndex?.generation !== this.state.generation) {
      const names = new Map<string, string>();
      for (const o of this.state.orders.list({ where: (o) => o.spkiSha256 !== undefined })) if (!names.has(o.spkiSha256!)) names.set(o.spkiSha256!, o.commonName);
      this.keyIndex = { generation: this.state.generation, names };
    }
    return this.keyIndex.names;
  }

  private async issue(order: EpkiOrder, profile: EpkiProfile, key: { csr: ParsedCsr } | { publicKey: KeyObject }): Promise<IssueResult> {
    const subject = this.subjectOf(profile, order.commonName, order.organizationUnits);
    const certificateProfile: CertificateProfile = {
      validityDays: order.years * 365,
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsage: ['clientAuth', 'emailProtection'],
      hash: profile.hash === 'SHA-1' ? 'sha1' : 'sha256',
      subjectAltNames: order.email ? { names: [{ type: 'email', value: order.email }] } : 'none',
    };
    const issued =
      'csr' in key
        ? await this.ca.issueFromCsr(key.csr, certificateProfile, { subject })
        : await this.ca.issue({ subject, publicKey: key.publicKey, profile: certificateProfile });
    const now = this.clock.now().toISOString();
    this.repository.add(newCertificateOf(issued, this.issuerName, { profile: profile.profileId, requester: order.userName, transactionId: order.orderId }));
    const updated: EpkiOrder = {
      ...order,
      status: ORDER_STATUS.issued,
      subject: issued.subject.toString(),
      serialHex: issued.serialHex,
      certificate: Buffer.from(issued.der).toString('base64'),
      notBefore: issued.notBefore.toISOString(),
      notAfter: issued.notAfter.toISOString(),
      issueDate: now,
      ...('csr' in key ? { spkiSha256: spkiFingerprint(key.csr.spkiDer) } : {}),
      events: [...order.events, { name: 'ISSUED', at: now }],
    };
    this.state.orders.put(order.orderId, updated);
    if (updated.spkiSha256 && !this.keys().has(updated.spkiSha256)) this.keys().set(updated.spkiSha256, updated.commonName);
    return { order: updated, certificate: issued.der, chain: [...this.ca.chain] };
  }

  private newOrder(caller: Caller, input: OrderInput, pack: LicencePack, profile: EpkiProfile): EpkiOrder {
    const now = this.clock.now().toISOString();
    const order: EpkiOrder = {
      orderId: this.newOrderId(),
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
    this.state.orders.put(order.orderId, order);
    this.consume(pack);
    return order;
  }

  /** OrderAndIssueCertificate / OrderDS: a CSR in, a certificate out, one licence used. */
  async orderWithCsr(caller: Caller, input: OrderInput, csrText: string | undefined): Promise<IssueResult> {
    const { profile, pack } = this.checkOrder(caller, input);
    const csr = this.checkCsr(csrText, input.commonName!);
    return this.issue(this.newOrder(caller, input, pack, profile), profile, { csr });
  }

  /** OrderPkcs12: the key is made here (by the caller, passed in) and returned in a PKCS#12. */
  async orderWithKey(caller: Caller, input: OrderInput, publicKey: KeyObject): Promise<IssueResult> {
    const { profile, pack } = this.checkOrder(caller, input);
    return this.issue(this.newOrder(caller, input, pack, profile), profile, { publicKey });
  }

  /** Validates an order before a key is made for it (OrderPkcs12 makes the key only for an acceptable order). */
  precheck(caller: Caller, input: OrderInput): void {
    this.checkOrder(caller, input);
  }

  /** OrderCertificate: the order waits for pick-up (user enrolment); the licence is used now. ASSUMPTION. */
  orderForPickup(caller: Caller, input: OrderInput): EpkiOrder {
    const { profile, pack } = this.checkOrder(caller, input);
    return this.newOrder(caller, input, pack, profile);
  }

  /** The pick-up of an OrderCertificate / Reissue order (the emailed link; here an admin call). */
  async pickup(orderId: string, pickupPassword: string | undefined, csrText: string): Promise<IssueResult> {
    const order = this.state.orders.get(orderId);
    if (!order) throw new EpkiError('orderNotFound');
    if (order.status !== ORDER_STATUS.initial) throw new EpkiError('statusChanged');
    if (order.pickupPassword !== undefined && order.pickupPassword !== pickupPassword) throw new EpkiError('invalidParameter', 'PickupPassword');
    const profile = this.state.profiles.get(order.profileId);
    if (!profile) throw new EpkiError('profileNotFound');
    return this.issue(order, profile, { csr: this.checkCsr(csrText, order.commonName) });
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
    const order: EpkiOrder = {
      ...target,
      orderId: this.newOrderId(),
      operation: 'Reissue',
      status: ORDER_STATUS.initial,
      originalOrderId: target.orderId,
      requestDate: now,
      events: [{ name: 'REISSUE_ORDERED', at: now }],
      ...(pickupPassword ? { pickupPassword } : {}),
    };
    for (const key of ['serialHex', 'certificate', 'notBefore', 'notAfter', 'issueDate', 'spkiSha256', 'reissuedBy'] as const) delete order[key];
    this.state.orders.put(order.orderId, order);
    this.state.orders.update(target.orderId, (o) => ({ ...o, reissuedBy: order.orderId }));
    return order;
  }
}

function spkiFingerprint(spki: Uint8Array): string {
  return createHash('sha256').update(spki).digest('hex');
}
