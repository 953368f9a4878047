/**
 * The GlobalSign EPKI connector, as MobileIron Cloud's "Cloud Certificate Authority" for GlobalSign (guide 001):
 * Name, URL, username, password; profile IDs listed from GetProfiles (only VALIDATED ones appear in the dropdown);
 * the Identity Certificate's Profile ID, Product Code and Certificate Expiration (years) as enrolment params
 * (caParams profileId, productCode; validityDays 365/730/1095 → Year). The MDM makes the key (Dynamically
 * Generated) and orders with OrderAndIssueCertificate. Refusals are worded as the console shows them (TEXTS).
 */
import type { KeyObject } from 'node:crypto';
import { parseCertificate } from '../pki/certificate.js';
import type { RevocationReason } from '../pki/crl.js';
import { buildCsr } from '../pki/csr.js';
import { generateKeyPair, type KeySpec } from '../pki/keys.js';
import { DistinguishedName } from '../pki/names.js';
import { parsePem } from '../pki/pem.js';
import { parseCertsOnly } from '../scep/certs-only.js';
import { at, children, childText, el } from '../soap/index.js';
import { GasError, GasOrderClient } from './globalsign-epki-client.js';
import type { ConnectorContext } from './scep.js';
import type { GlobalSignCaSettings } from './settings.js';
import { type CaConnector, type CertificateState, type ConnectionTest, ConnectorError, type EnrollmentRequest, type IssuedCredential } from './types.js';

/** Guide 001, Troubleshooting: the fix for the licence error. */
export const LICENCE_FIX =
  'Login to your EPKI account and order additional certificate licence packs; check that the Product Code (EPKIPSPersonal) and the Certificate Expiration match your certificate licence pack (guide 001, Troubleshooting).';

interface Wording {
  code: ConnectorError['code'];
  text: string;
  assumption: boolean;
  fix?: string;
}

/** How the console words each GasOrderService error (by code, then by code + ErrorField). One table. */
export function wordingOf(code: string | undefined, field: string | undefined, message: string): Wording {
  if (code === '-6101' || code === '-9901' || (code === '-101' && field === 'Year')) {
    return { code: 'rejected', text: 'Installation Error: EPKI License Expiration Error', assumption: false, fix: LICENCE_FIX };
  }
  if (code === '-4001') {
    return { code: 'authentication', text: `Installation Error: GlobalSign login failure: ${message}`, assumption: true, fix: 'Enter your GlobalSign User ID (CorporateID_username, e.g. PAR12345_UserID) and password (guide 001, GlobalSign EPKI Account Steps).' };
  }
  if (code === '-4201') {
    return { code: 'authentication', text: `Installation Error: ${message}`, assumption: true, fix: 'In your EPKI account, Profile Configuration: in the API IP Address Range field, enter the IP address (range) of the server hosting your MobileIron Cloud (guide 001).' };
  }
  if (code === '-9401' || code === '-9450') {
    return { code: 'configuration', text: `Installation Error: ${message}`, assumption: true, fix: 'An EPKI Profile must first be pre-vetted by GlobalSign before it will appear in the MobileIron Cloud Portal; check that its Profile Order Status reads Validated (guide 001, Troubleshooting).' };
  }
  if (code === '-101' && field === 'OrganizationUnit') {
    return { code: 'rejected', text: `Installation Error: ${message}`, assumption: true, fix: 'The profile locks its base DN: use the Organization Unit reserved for the profile (guide 001, Establish an EPKI Profile, "lock base DN").' };
  }
  if (code === '-101' && field === 'HashType') {
    return { code: 'rejected', text: `Installation Error: ${message}`, assumption: true, fix: 'Use a profile with the Hash Algorithm SHA-256 (Recommended) (guide 001, Certificate Profile Details).' };
  }
  return { code: 'rejected', text: `Installation Error: GlobalSign error ${code ?? '?'}${field ? ` (${field})` : ''}: ${message}`, assumption: true };
}

function toConnectorError(error: unknown): unknown {
  if (!(error instanceof GasError)) return error;
  const first = error.errors[0];
  const wording = wordingOf(first?.code, first?.field, first?.message ?? error.message);
  return new ConnectorError(wording.code, wording.text, { detail: error.message, assumption: wording.assumption, ...(wording.fix ? { fix: wording.fix } : {}), cause: error });
}

export interface EpkiProfileSummary {
  profileId: string;
  state: string;
  organization?: string;
  hashType?: string;
}

/** The certificates in CERT: base64 PKCS#7 certs-only, PEM, or a bare base64 certificate (ASSUMPTION: all seen forms). */
export function certificatesOfCert(cert: string): Uint8Array[] {
  if (cert.includes('-----BEGIN')) return parsePem(cert).map((b) => b.der);
  const der = new Uint8Array(Buffer.from(cert.replace(/\s+/g, ''), 'base64'));
  try {
    return [...parseCertsOnly(der).certificates];
  } catch {
    return [der];
  }
}

export class GlobalSignEpkiConnector implements CaConnector {
  readonly type = 'globalsign-epki';
  readonly capabilities = { csr: true, serverGeneratedKey: true, revoke: true, status: true, directScep: false };
  readonly client: GasOrderClient;
  private readonly keyFactory: (spec: KeySpec) => Promise<KeyObject>;
  private chain: Uint8Array[] = [];
  private readonly orders = new Map<string, string>();

  constructor(
    readonly settings: GlobalSignCaSettings,
    context: ConnectorContext = {},
  ) {
    this.keyFactory = context.keyFactory ?? (async (spec) => (await generateKeyPair(spec)).privateKey);
    this.client = new GasOrderClient({ url: settings.url, username: settings.username, password: settings.password, ...(context.fetch ? { fetch: context.fetch } : {}) });
  }

  /** Every profile of the account, with its state. */
  async profiles(): Promise<EpkiProfileSummary[]> {
    try {
      const response = await this.client.call('GetProfiles', [this.client.queryHeader()]);
      return children(at(response, 'ProfileDetails'), 'ProfileDetail').map((d) => ({
        profileId: childText(at(d, 'ProfileInfo'), 'ProfileOrderNo') ?? '',
        state: childText(at(d, 'ProfileInfo'), 'ProfileOrderState') ?? '',
        ...(childText(at(d, 'ProfileDnAttributes'), 'Organization') ? { organization: childText(at(d, 'ProfileDnAttributes'), 'Organization')! } : {}),
        ...(childText(at(d, 'ProfileAttributes'), 'HashType') ? { hashType: childText(at(d, 'ProfileAttributes'), 'HashType')! } : {}),
      }));
    } catch (error) {
      throw toConnectorError(error);
    }
  }

  /** The Profile ID dropdown: only profiles whose vetting is complete (guide 001, Troubleshooting). */
  async profileIds(): Promise<string[]> {
    return (await this.profiles()).filter((p) => p.state.toUpperCase() === 'VALIDATED').map((p) => p.profileId);
  }

  async testConnection(): Promise<ConnectionTest> {
    try {
      const ids = await this.profileIds();
      return { ok: true, message: 'Test Connection successful', details: { profiles: ids.join(', ') } };
    } catch (error) {
      const e = error instanceof ConnectorError ? error : new ConnectorError('bad-response', String(error));
      return { ok: false, code: e.code, message: e.message, ...(e.detail ? { detail: e.detail } : {}), ...(e.fix ? { fix: e.fix } : {}), assumption: e.assumption };
    }
  }

  async caCertificates(): Promise<Uint8Array[]> {
    // GasOrderService has no CA-certificate call; the chain comes with each PKCS#7 CERT.
    return [...this.chain];
  }

  async enroll(request: EnrollmentRequest): Promise<IssuedCredential> {
    const params = request.profile.params ?? {};
    const profileId = params.profileId ?? '';
    const productCode = params.productCode ?? 'EPKIPSPersonal';
    const years = params.years ? Number(params.years) : Math.max(1, Math.round((request.profile.validityDays ?? 365) / 365));
    const subject = DistinguishedName.from(request.subject);
    const commonName = subject.get('CN') ?? '';
    const email = params.email ?? request.subjectAltNames?.find((n) => n.type === 'email')?.value;
    let privateKey: KeyObject | undefined;
    let csr: Uint8Array;
    if ('csr' in request.key) csr = request.key.csr;
    else {
      privateKey = await this.keyFactory(request.key.serverGeneratedKey.keySpec);
      csr = await buildCsr({ subject: `CN=${commonName.replace(/([,+"\\<>;=#])/g, '\\$1')}`, privateKey });
    }
    let response;
    try {
      response = await this.client.call('OrderAndIssueCertificate', [
        this.client.orderHeader(),
        el('ProfileID', profileId),
        el('ProductCode', productCode),
        el('Year', years),
        el('CSR', Buffer.from(csr).toString('base64')),
        GasOrderClient.dn({ commonName, organizationUnits: subject.getAll('OU'), ...(email ? { email } : {}) }),
      ]);
    } catch (error) {
      throw toConnectorError(error);
    }
    const certs = certificatesOfCert(childText(response, 'CERT') ?? '');
    if (!certs[0]) throw new ConnectorError('bad-response', 'Installation Error: GlobalSign returned no certificate', { assumption: true });
    const parsed = parseCertificate(certs[0]);
    if (certs.length > 1) this.chain = certs.slice(1);
    const orderId = childText(response, 'OrderID') ?? '';
    this.orders.set(parsed.serialHex.toLowerCase(), orderId);
    return {
      certificate: certs[0],
      chain: certs.slice(1),
      serialHex: parsed.serialHex,
      subject: parsed.subject.toString(),
      notBefore: parsed.notBefore,
      notAfter: parsed.notAfter,
      ...(privateKey ? { privateKey } : {}),
    };
  }

  /** The OrderID of a certificate: remembered from enrolment, else found with GetOrders. */
  private async orderOf(serialHex: string): Promise<{ orderId: string; status?: string } | undefined> {
    const serial = serialHex.replace(/[:\s]/g, '').toLowerCase().replace(/^0+/, '');
    const response = await this.client.call('GetOrders', [this.client.queryHeader(), '<OrdersQueryOption><ReturnCertificateInfo>true</ReturnCertificateInfo></OrdersQueryOption>']);
    for (const detail of children(at(response, 'OrderDetails'), 'OrderDetail')) {
      const found = (childText(at(detail, 'CrCertificateInfo'), 'SerialNumber') ?? '').toLowerCase().replace(/^0+/, '');
      if (found === serial) {
        const status = childText(at(detail, 'OrderInfo'), 'OrderStatus');
        return { orderId: childText(at(detail, 'OrderInfo'), 'OrderNo') ?? '', ...(status ? { status } : {}) };
      }
    }
    const remembered = this.orders.get(serialHex.toLowerCase());
    return remembered ? { orderId: remembered } : undefined;
  }

  async revoke(serialHex: string, _reason?: RevocationReason): Promise<void> {
    try {
      const order = await this.orderOf(serialHex);
      if (!order) throw new ConnectorError('rejected', `No GlobalSign order has the certificate ${serialHex}`, { assumption: true });
      await this.client.call('Revoke', [this.client.orderHeader(), el('OrderID', order.orderId)]);
    } catch (error) {
      throw toConnectorError(error);
    }
  }

  async status(serialHex: string): Promise<CertificateState> {
    try {
      const order = await this.orderOf(serialHex);
      if (!order?.status) return { status: 'unknown' };
      if (order.status === '7' || order.status === '5') return { status: 'revoked' };
      return order.status === '4' ? { status: 'valid' } : { status: 'unknown' };
    } catch (error) {
      throw toConnectorError(error);
    }
  }
}
