import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../core/clock.js';
import { loopbackPeer, type Peer } from '../../core/http.js';
import { CertificateAuthority } from '../../core/pki/ca.js';
import { parseCertificate } from '../../core/pki/certificate.js';
import { buildCsr } from '../../core/pki/csr.js';
import { generateKeyPair, type KeyPair } from '../../core/pki/keys.js';
import { parsePkcs12 } from '../../core/pki/pkcs12.js';
import { parseCertsOnly } from '../../core/scep/certs-only.js';
import { at, children, childText, parseSoapEnvelope, type XmlElement } from '../../core/soap/index.js';
import { XMLValidator } from 'fast-xml-parser';
import { createMemoryStore } from '../store/memory.js';
import { createGlobalSignEpki, EPKI_DEFAULTS, type GlobalSignEpki } from './index.js';

const D = EPKI_DEFAULTS;
const URL_ = 'http://127.0.0.1/cr/ws/GasOrderService';
const ADMIN = 'http://127.0.0.1/__mdmca/globalsign-epki';
let caKeys: KeyPair;
let keys: KeyPair[];
let ca: CertificateAuthority;
let sim: GlobalSignEpki;

beforeAll(async () => {
  const all = await Promise.all(Array.from({ length: 5 }, () => generateKeyPair({ type: 'rsa', bits: 2048 })));
  caKeys = all[0]!;
  keys = all.slice(1);
  ca = await CertificateAuthority.createRoot({ subject: 'CN=Test GlobalSign CA', keys: caKeys, clock: new AdjustableClock() });
});
beforeEach(() => {
  sim = createGlobalSignEpki({ store: createMemoryStore(), clock: new AdjustableClock(), ca });
});

const auth = (user: string = D.username, password: string = D.password) => `<AuthToken><UserName>${user}</UserName><Password>${password}</Password></AuthToken>`;
const envelope = (op: string, inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cr="https://system.globalsign.com/cr/ws/"><soapenv:Body><cr:${op}><Request>${inner}</Request></cr:${op}></soapenv:Body></soapenv:Envelope>`;

async function call(op: string, inner: string, peer: Peer = loopbackPeer): Promise<{ status: number; response: XmlElement; text: string }> {
  const res = await sim.handler(new Request(URL_, { method: 'POST', headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: '""' }, body: envelope(op, inner) }), peer);
  const text = await res.text();
  const message = parseSoapEnvelope(text);
  return { status: res.status, response: message.operation.children[0]!, text };
}
async function admin(method: string, path: string, body?: unknown) {
  const res = await sim.handler(new Request(`${ADMIN}${path}`, { method, ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) }), loopbackPeer);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const csrPem = async (cn: string, key = keys[0]!) => Buffer.from(await buildCsr({ subject: `CN=${cn}`, privateKey: key.privateKey })).toString('base64');
const order = async (o: { cn?: string; ou?: string; profile?: string; product?: string; year?: number | string; key?: KeyPair; user?: string; password?: string } = {}) =>
  call(
    'OrderAndIssueCertificate',
    `<OrderRequestHeader>${auth(o.user, o.password)}</OrderRequestHeader><ProfileID>${o.profile ?? D.profileId}</ProfileID><ProductCode>${o.product ?? D.productCode}</ProductCode><Year>${o.year ?? 1}</Year><CSR>${await csrPem(o.cn ?? 'Jane Doe', o.key)}</CSR><DnAttributes><CommonName>${o.cn ?? 'Jane Doe'}</CommonName><OrganizationUnit>${o.ou ?? D.organizationUnit}</OrganizationUnit><Email>jane@example.com</Email></DnAttributes>`,
  );
const header = (r: XmlElement, name = 'OrderResponseHeader') => ({
  success: childText(at(r, name), 'SuccessCode'),
  code: childText(at(r, `${name}/Errors/Error`), 'ErrorCode'),
  field: childText(at(r, `${name}/Errors/Error`), 'ErrorField'),
  message: childText(at(r, `${name}/Errors/Error`), 'ErrorMessage'),
  timestamp: childText(at(r, name), 'Timestamp'),
});

describe('GasOrderService operations', () => {
  it('serves a WSDL covering every operation on ?wsdl at both paths', async () => {
    for (const path of ['/cr/ws/GasOrderService?wsdl', '/services/cr/ws/GasOrderService?WSDL']) {
      const res = await sim.handler(new Request(`http://127.0.0.1${path}`), loopbackPeer);
      const wsdl = await res.text();
      expect(res.status).toBe(200);
      for (const op of ['GetProfiles', 'OrderAndIssueCertificate', 'OrderPkcs12', 'OrderCertificate', 'OrderDS', 'Cancel', 'Revoke', 'Reissue', 'GetOrders', 'GetOrderByOrderId']) {
        expect(wsdl).toContain(`<wsdl:operation name="${op}">`);
      }
      expect(wsdl).toContain('targetNamespace="https://system.globalsign.com/cr/ws/"');
      expect(wsdl).toContain('<xs:element name="orderResponseHeader"');
    }
  });

  it('the WSDL is well-formed and every type and element it references is declared', async () => {
    const wsdl = await (await sim.handler(new Request(`${URL_}?wsdl`), loopbackPeer)).text();
    expect(XMLValidator.validate(wsdl)).toBe(true);
    const declared = new Set([...wsdl.matchAll(/<xs:complexType name="(\w+)"/g)].map((m) => m[1]));
    for (const [, type] of wsdl.matchAll(/<xs:element [^>]*type="tns:(\w+)"/g)) expect(declared).toContain(type);
    const elements = new Set([...wsdl.matchAll(/<xs:element name="(\w+)">/g)].map((m) => m[1]));
    for (const [, element] of wsdl.matchAll(/element="tns:(\w+)"/g)) expect(elements).toContain(element);
    expect(wsdl).toContain(`<soap:address location="${URL_}"/>`);
  });

  it('accepts qualified inner elements as well', async () => {
    const res = await sim.handler(
      new Request(URL_, {
        method: 'POST',
        body: `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetProfiles xmlns="https://system.globalsign.com/cr/ws/"><Request><QueryRequestHeader>${auth()}</QueryRequestHeader></Request></GetProfiles></s:Body></s:Envelope>`,
      }),
      loopbackPeer,
    );
    expect(await res.text()).toContain('<SuccessCode>0</SuccessCode>');
  });

  it('GetProfiles lists the profiles with their vetting state and DN', async () => {
    const { status, response } = await call('GetProfiles', `<QueryRequestHeader>${auth()}</QueryRequestHeader>`);
    expect(status).toBe(200);
    expect(header(response, 'QueryResponseHeader').success).toBe('0');
    expect(header(response, 'QueryResponseHeader').timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    const details = children(at(response, 'ProfileDetails'), 'ProfileDetail');
    const states = Object.fromEntries(details.map((d) => [childText(at(d, 'ProfileInfo'), 'ProfileOrderNo'), childText(at(d, 'ProfileInfo'), 'ProfileOrderState')]));
    expect(states).toEqual({ [D.profileId]: 'VALIDATED', [D.unvettedProfileId]: 'REQUESTED' });
    expect(childText(at(details[0], 'ProfileDnAttributes'), 'Organization')).toBe(D.organization);
  });

  it('OrderAndIssueCertificate issues from the CSR with the profile DN, consumes a licence, and is queryable', async () => {
    const { response } = await order();
    expect(header(response).success).toBe('0');
    const orderId = childText(response, 'OrderID')!;
    expect(orderId).toMatch(/^MPS\d{14}$/);
    const certs = parseCertsOnly(new Uint8Array(Buffer.from(childText(response, 'CERT')!, 'base64'))).certificates;
    const cert = parseCertificate(certs[0]!);
    expect(cert.subject.toString()).toBe(`CN=Jane Doe,OU=${D.organizationUnit},O=${D.organization},L=${D.locality},ST=${D.stateOrProvince},C=US`);
    expect((await admin('GET', '/state')).body.licences).toMatchObject([{ used: 1 }]);
    const byId = await call('GetOrderByOrderId', `<QueryRequestHeader>${auth()}</QueryRequestHeader><OrderNo>${orderId}</OrderNo><OrderQueryOption><ReturnCertificateInfo>true</ReturnCertificateInfo><ReturnFulfillment>true</ReturnFulfillment></OrderQueryOption>`);
    expect(childText(at(byId.response, 'OrderDetail/OrderInfo'), 'LicenseNo')).toBe(D.licenseNo);
    expect(childText(at(byId.response, 'OrderDetail/OrderInfo'), 'OrderStatus')).toBe('4');
    expect(childText(at(byId.response, 'OrderDetail/Fulfillment/CrCertificate'), 'Certificate')).toContain('BEGIN CERTIFICATE');
    const list = await call('GetOrders', `<QueryRequestHeader>${auth()}</QueryRequestHeader><OrderQueryParam><ProductCode>${D.productCode}</ProductCode></OrderQueryParam>`);
    expect(childText(list.response, 'TotalCount')).toBe('1');
  });

  it('OrderPkcs12 returns a PKCS#12 protected by PKCS12PIN', async () => {
    const { response } = await call(
      'OrderPkcs12',
      `<OrderRequestHeader>${auth()}</OrderRequestHeader><ProfileID>${D.profileId}</ProfileID><PKCS12PIN>1234pin</PKCS12PIN><ProductCode>${D.productCode}</ProductCode><Year>1</Year><DnAttributes><CommonName>P12 User</CommonName></DnAttributes>`,
    );
    expect(header(response).success).toBe('0');
    const p12 = parsePkcs12(new Uint8Array(Buffer.from(childText(response, 'PKCS12')!, 'base64')), '1234pin');
    expect(p12.privateKey).toBeDefined();
  });

  it('OrderCertificate → pick-up; OrderDS; Cancel; Revoke (lower-camel); Reissue', async () => {
    const oc = await call('OrderCertificate', `<OrderRequestHeader>${auth()}</OrderRequestHeader><ProfileID>${D.profileId}</ProfileID><ProductCode>${D.productCode}</ProductCode><Year>1</Year><DnAttributes><CommonName>Picker</CommonName></DnAttributes><PickupPassword>pick</PickupPassword>`);
    const pending = childText(oc.response, 'OrderID')!;
    expect((await admin('POST', `/orders/${pending}/pickup`, { pickupPassword: 'pick', csr: await csrPem('Picker', keys[1]) })).body).toMatchObject({ status: 4 });
    const ds = await call('OrderDS', `<OrderRequestHeader>${auth()}</OrderRequestHeader><ProfileOrderNo>${D.profileId}</ProfileOrderNo><ProductCode>${D.productCode}</ProductCode><Year>1</Year><CSR>${await csrPem('DS')}</CSR><DnAttributes><CommonName>DS</CommonName></DnAttributes>`);
    expect(header(ds.response).success).toBe('0');
    expect(childText(ds.response, 'Certificate')).toBeTruthy();
    const toCancel = childText((await call('OrderCertificate', `<OrderRequestHeader>${auth()}</OrderRequestHeader><ProfileID>${D.profileId}</ProfileID><ProductCode>${D.productCode}</ProductCode><Year>1</Year><DnAttributes><CommonName>C</CommonName></DnAttributes>`)).response, 'OrderID')!;
    const cancel = await call('Cancel', `<OrderRequestHeader>${auth()}</OrderRequestHeader><OrderID>${toCancel}</OrderID>`);
    expect(header(cancel.response).success).toBe('0');
    const again = await call('Cancel', `<OrderRequestHeader>${auth()}</OrderRequestHeader><OrderID>${toCancel}</OrderID>`);
    expect(header(again.response).code).toBe('-9915');

    const issued = childText((await order({ cn: 'Revoked', key: keys[3] })).response, 'OrderID')!;
    const reissue1 = await call('Reissue', `<OrderRequestHeader>${auth()}</OrderRequestHeader><TargetOrderID>${issued}</TargetOrderID><PickupPassword>x</PickupPassword>`);
    expect(header(reissue1.response).success).toBe('0');
    const reissue2 = await call('Reissue', `<OrderRequestHeader>${auth()}</OrderRequestHeader><TargetOrderID>${issued}</TargetOrderID>`);
    expect(header(reissue2.response).code).toBe('-4016');
    const other = childText((await order({ cn: 'Other', key: keys[2] })).response, 'OrderID')!;
    const revoke = await call('Revoke', `<OrderRequestHeader>${auth()}</OrderRequestHeader><OrderID>${other}</OrderID>`);
    expect(revoke.text).toContain('<orderResponseHeader><SuccessCode>0</SuccessCode>');
    expect(childText(revoke.response, 'orderNo')).toBe(other);
    // Revoke then reissue: the target is inaccessible.
    const reissueRevoked = await call('Reissue', `<OrderRequestHeader>${auth()}</OrderRequestHeader><TargetOrderID>${other}</TargetOrderID>`);
    expect(header(reissueRevoked.response)).toMatchObject({ success: '-1', code: '-4008', field: 'TargetOrderID' });
    const certs = (await admin('GET', '/certificates')).body.certificates as { status: string }[];
    expect(certs.filter((c) => c.status === 'revoked')).toHaveLength(1);
    expect(((await admin('GET', '/revocations')).body.revocations as { orderId: string }[]).map((o) => o.orderId)).toEqual([other]);
  });
});

describe('failure scenarios answer HTTP 200, SuccessCode -1 and the table code', () => {
  it('wrong user or password: -4001, result fields nil', async () => {
    const { status, response, text } = await order({ password: 'wrong' });
    expect(status).toBe(200);
    expect(header(response)).toMatchObject({ success: '-1', code: '-4001', field: 'UserName' });
    expect(text).toContain('<OrderID xsi:nil="true"/>');
  });
  it('caller IP outside the API range: -4201', async () => {
    const { response } = await order();
    expect(header(response).success).toBe('0');
    const outside = await call('GetProfiles', `<QueryRequestHeader>${auth()}</QueryRequestHeader>`, { address: '203.0.113.9', tls: false });
    expect(header(outside.response, 'QueryResponseHeader').code).toBe('-4201');
    await admin('PATCH', `/accounts/${D.corporateId}`, { ipRanges: ['10.0.0.0/8'] });
    expect(header((await order()).response).code).toBe('-4201');
  });
  it('expired pack, exhausted pack, ProductCode and Year matching no pack: the licence error', async () => {
    expect(header((await order({ product: 'EPKIPSPro' })).response)).toMatchObject({ code: '-9901', field: 'ProductCode' });
    expect(header((await order({ year: 2 })).response)).toMatchObject({ code: '-6101', field: 'Year' });
    await admin('POST', `/licences/${D.licenseNo}/exhaust`);
    expect(header((await order()).response)).toMatchObject({ code: '-6101', message: expect.stringContaining('no licences are left') });
    await admin('POST', `/licences/${D.licenseNo}/expire`);
    expect(header((await order()).response)).toMatchObject({ code: '-6101', message: expect.stringContaining('has expired') });
  });
  it('profile not vetted: refused, and vetting makes it orderable (with a pack)', async () => {
    expect(header((await order({ profile: D.unvettedProfileId })).response)).toMatchObject({ code: '-9450', field: 'ProfileID' });
    await admin('POST', `/profiles/${D.unvettedProfileId}/vet`);
    await admin('POST', '/licences', { profileId: D.unvettedProfileId, productCode: D.productCode, years: 1, count: 1 });
    expect(header((await order({ profile: D.unvettedProfileId })).response).success).toBe('0');
  });
  it('OU outside the locked base DN; SHA-1 profile; bad CSR; weak key; account locked', async () => {
    expect(header((await order({ ou: 'Elsewhere' })).response)).toMatchObject({ code: '-101', field: 'OrganizationUnit' });
    await admin('PATCH', `/profiles/${D.profileId}`, { hash: 'SHA-1' });
    expect(header((await order()).response)).toMatchObject({ code: '-101', field: 'HashType' });
    await admin('PATCH', `/profiles/${D.profileId}`, { hash: 'SHA-256' });
    const bad = await call('OrderAndIssueCertificate', `<OrderRequestHeader>${auth()}</OrderRequestHeader><ProfileID>${D.profileId}</ProfileID><ProductCode>${D.productCode}</ProductCode><Year>1</Year><CSR>bm90IGEgY3Ny</CSR><DnAttributes><CommonName>X</CommonName></DnAttributes>`);
    expect(header(bad.response)).toMatchObject({ code: '-4007', field: 'CSR' });
    const weak = await generateKeyPair({ type: 'rsa', bits: 1024 });
    expect(header((await order({ key: weak, cn: 'Weak' })).response).code).toBe('-9936');
    await admin('PATCH', `/accounts/${D.corporateId}`, { state: 'locked' });
    expect(header((await order()).response).code).toBe('-9939');
  });
  it('missing field: -102 with ErrorField; a non-integer Year is a schema error (SOAP Fault)', async () => {
    const missing = await call('OrderAndIssueCertificate', `<OrderRequestHeader>${auth()}</OrderRequestHeader><ProductCode>${D.productCode}</ProductCode><Year>1</Year>`);
    expect(header(missing.response)).toMatchObject({ code: '-102', field: 'ProfileID' });
    const res = await sim.handler(new Request(URL_, { method: 'POST', body: envelope('OrderAndIssueCertificate', `<OrderRequestHeader>${auth()}</OrderRequestHeader><Year>one</Year>`) }), loopbackPeer);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('<faultcode>soap:Client</faultcode>');
  });
});

describe('XML safety', () => {
  const post = (body: string | Uint8Array<ArrayBuffer>) => sim.handler(new Request(URL_, { method: 'POST', headers: { 'content-type': 'text/xml' }, body }), loopbackPeer);
  it('a DTD with an entity is refused with a Fault and nothing is expanded', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + envelope('GetProfiles', `<QueryRequestHeader><AuthToken><UserName>&xxe;</UserName><Password>x</Password></AuthToken></QueryRequestHeader>`).replace('<?xml version="1.0" encoding="UTF-8"?>', '');
    const res = await post(xxe);
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).toContain('DTD');
    expect(text).not.toContain('root:');
    const lol = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><a>&lol2;</a>`;
    expect((await post(lol)).status).toBe(500);
  });
  it('malformed XML and unknown operations are Client faults', async () => {
    expect(await (await post('<soapenv:Envelope')).text()).toContain('soap:Client');
    expect(await (await post(envelope('NoSuchOp', ''))).text()).toContain('Unexpected wrapper element');
  });
  it('bodies over 1 MiB are refused', async () => {
    const res = await post(new Uint8Array(1024 * 1024 + 1).fill(0x20));
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('<soap:Fault>');
  });
});
