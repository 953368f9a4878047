/**
 * The Symantec connector against small hand-written envelopes in the reference's wire format (vendor-apis.md §A):
 * what it sends (namespaces, casing, schema order, field mapping) and how it reads answers, faults and paging.
 * The transport is replaced by a recorder; transport.test.ts covers mutual TLS.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../clock.js';
import { CertificateAuthority } from '../../pki/ca.js';
import { buildCsr } from '../../pki/csr.js';
import { generateKeyPair, type KeyPair } from '../../pki/keys.js';
import { buildPkcs12 } from '../../pki/pkcs12.js';
import { buildCertsOnly } from '../../scep/certs-only.js';
import { at, child, children, childText, parseSoapEnvelope, type XmlElement } from '../../soap/index.js';
import { SYMANTEC_SERVER_HOST_ONLY } from '../texts.js';
import { ConnectorError } from '../types.js';
import type { SoapPoster } from './client.js';
import { checkServer, SymantecMpkiConnector, SymantecPendingError } from './connector.js';
import type { SoapHttpAnswer } from './transport.js';
import { REQUEST_TYPES, REVOCATION_REASON_MAP, REVOCATION_REASONS, SERVICES, TOKEN_TYPES, VALUE_TYPES, WS_TRUST_NS } from './wire.js';

const OID = '2.16.840.1.113733.1.16.1.2.3.1.1.47196109';
const OID2 = '2.16.840.1.113733.1.16.1.2.3.1.1.47196110';
const ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const envelope = (body: string) => `<?xml version="1.0"?><soap:Envelope xmlns:soap="${ENV}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
const fault = (code: string, message: string) =>
  envelope(`<soap:Fault><faultcode>soap:Client</faultcode><faultstring>${message}</faultstring><detail><errorcode>${code}</errorcode><message>${message}</message></detail></soap:Fault>`);

const POLICIES = envelope(
  `<p:getPoliciesResponse xmlns:p="${SERVICES.policy.namespace}"><p:serverTransactionID>s1</p:serverTransactionID><p:response><p:policyID>x</p:policyID><p:nextUpdateHours>8</p:nextUpdateHours><p:policiesNotChanged>false</p:policiesNotChanged><p:policies>` +
    `<p:policy><p:policyOIDReference>1</p:policyOIDReference><p:attributes><p:commonName>MDM (Web Service Client)</p:commonName>` +
    `<p:certificateValidity><p:validityPeriodDays>365</p:validityPeriodDays><p:renewalPeriodDays>30</p:renewalPeriodDays></p:certificateValidity>` +
    `<p:privateKeyAttributes><p:keysize>2048</p:keysize></p:privateKeyAttributes>` +
    `<p:subjectNameInfo><p:field><p:name>common_name</p:name><p:mandatory>true</p:mandatory></p:field><p:field><p:name>mail_email</p:name><p:mandatory>true</p:mandatory></p:field><p:field><p:name>phone</p:name><p:mandatory>false</p:mandatory></p:field></p:subjectNameInfo>` +
    `<p:seatIdInfo><p:seatIdAttribute>mail_email</p:seatIdAttribute></p:seatIdInfo><p:deploymentMode>Test</p:deploymentMode></p:attributes></p:policy>` +
    `<p:policy><p:policyOIDReference>2</p:policyOIDReference><p:attributes><p:commonName>Device</p:commonName></p:attributes></p:policy>` +
    `</p:policies></p:response><p:cAs/><p:oIDs><p:oID><p:value>${OID}</p:value><p:group>9</p:group><p:oIDReferenceID>1</p:oIDReferenceID><p:defaultName>MDM</p:defaultName></p:oID>` +
    `<p:oID><p:value>${OID2}</p:value><p:group>9</p:group><p:oIDReferenceID>2</p:oIDReferenceID><p:defaultName>Device</p:defaultName></p:oID></p:oIDs></p:getPoliciesResponse>`,
);
const tokenResponse = (inner: string) =>
  envelope(
    `<wst:RequestSecurityTokenResponse xmlns:wst="${WS_TRUST_NS}"><v:RequestVSSecurityTokenResponse xmlns:v="${SERVICES.enrollment.namespace}">` +
      `<v:clientTransactionID>c</v:clientTransactionID><v:serverTransactionID>s</v:serverTransactionID>${inner}<v:version>2.0</v:version></v:RequestVSSecurityTokenResponse></wst:RequestSecurityTokenResponse>`,
  );

interface Sent {
  url: string;
  action: string;
  body: XmlElement;
}

class Recorder implements SoapPoster {
  sent: Sent[] = [];
  constructor(private readonly answer: (action: string, body: XmlElement, n: number) => string | SoapHttpAnswer) {}
  async post(url: string, action: string, xml: string): Promise<SoapHttpAnswer> {
    const body = parseSoapEnvelope(xml).operation;
    this.sent.push({ url, action, body });
    const out = this.answer(action, body, this.sent.length);
    return typeof out === 'string' ? { status: out.includes('<soap:Fault>') ? 500 : 200, contentType: 'text/xml', body: out } : out;
  }
  of(operation: string): Sent[] {
    return this.sent.filter((s) => s.action.endsWith(`/${operation}`));
  }
}

const settings = (server = 'pki-ws.symauth.com') => ({ name: 'Symantec', type: 'symantec-mpki' as const, server, raCertificate: 'AAAA', raCertificatePassword: 'x' });

describe('Symantec MPKI connector (hand-written envelopes)', () => {
  let ca: CertificateAuthority;
  let device: KeyPair;
  let leaf: Uint8Array;
  let leafSerial: string;
  let csr: Uint8Array;

  beforeAll(async () => {
    const caKeys = await generateKeyPair({ type: 'rsa', bits: 2048 });
    ca = await CertificateAuthority.createRoot({ subject: 'CN=Symantec Test CA', keys: caKeys, clock: systemClock });
    device = await generateKeyPair({ type: 'rsa', bits: 2048 });
    const issued = await ca.issue({ subject: 'CN=jdoe,O=mdmca', publicKey: device.publicKey });
    leaf = issued.der;
    leafSerial = issued.serialHex;
    csr = await buildCsr({ subject: 'CN=jdoe,O=mdmca', privateKey: device.privateKey });
  });

  const connectorWith = (answer: ConstructorParameters<typeof Recorder>[0], server?: string) => {
    const recorder = new Recorder(answer);
    return { recorder, connector: new SymantecMpkiConnector(settings(server), {}, { poster: recorder }) };
  };
  const defaultAnswer = (token: () => string) => (action: string) => (action.endsWith('/requestPolicies') ? POLICIES : token());

  it('accepts a host name (with a port) and refuses https:// or a path with the guide\'s words', async () => {
    expect(checkServer('pki-ws.symauth.com')).toBe('pki-ws.symauth.com');
    expect(checkServer('127.0.0.1:8443')).toBe('127.0.0.1:8443');
    for (const bad of ['https://pki-ws.symauth.com', 'pki-ws.symauth.com/pki-ws', 'https://pki-ws.symauth.com/pki-ws/enrollmentService']) {
      expect(() => checkServer(bad)).toThrow(SYMANTEC_SERVER_HOST_ONLY);
      const { recorder, connector } = connectorWith(() => POLICIES, bad);
      const test = await connector.testConnection();
      expect(test).toMatchObject({ ok: false, code: 'configuration', message: SYMANTEC_SERVER_HOST_ONLY });
      expect(recorder.sent).toHaveLength(0);
    }
  });

  it('Test Connection checks health and lists the Mobile Profiles by OID', async () => {
    const { recorder, connector } = connectorWith((action) =>
      action.endsWith('/getStatus')
        ? envelope(`<h:getStatusResponseMessage xmlns:h="${SERVICES.healthcheck.namespace}"><h:serverTransactionID>1</h:serverTransactionID><h:statusCode>UP</h:statusCode><h:statusMessage>ok</h:statusMessage></h:getStatusResponseMessage>`)
        : POLICIES,
    );
    const test = await connector.testConnection();
    expect(test).toMatchObject({ ok: true, details: { status: 'UP', mobileProfiles: `${OID}, ${OID2}` } });
    expect(recorder.sent.map((s) => s.url)).toEqual(['https://pki-ws.symauth.com/pki-ws/healthcheckService', 'https://pki-ws.symauth.com/pki-ws/policyService']);
    expect(recorder.sent[1]!.action).toBe(`${SERVICES.policy.namespace}/requestPolicies`);
    expect(recorder.sent[1]!.body).toMatchObject({ name: 'getPolicies', ns: SERVICES.policy.namespace });
    const [mdm] = await connector.profiles();
    expect(mdm).toMatchObject({ oid: OID, name: 'MDM (Web Service Client)', seatIdAttribute: 'mail_email', requiredFields: ['common_name', 'mail_email'], optionalFields: ['phone'], keySize: 2048, validityDays: 365, renewalDays: 30, mode: 'Test' });
  });

  it('enrols a CSR: wst:RequestSecurityToken (slash namespace) > requestVSSecurityToken in schema order, SeatID under the seat attribute, the empty optional field left out', async () => {
    const { recorder, connector } = connectorWith(defaultAnswer(() => tokenResponse(`<v:tokenType>${TOKEN_TYPES.X509v3}</v:tokenType><v:requestedVSSecurityToken><v:binarySecurityToken>${Buffer.from(leaf).toString('base64')}</v:binarySecurityToken></v:requestedVSSecurityToken>`)));
    const credential = await connector.enroll({
      key: { csr },
      subject: 'CN=jdoe,O=mdmca',
      profile: { certificateType: 'user', params: { profileOid: OID, seatId: 'jdoe@example.com', common_name: 'jdoe', phone: '' } },
    });
    expect(credential.serialHex).toBe(leafSerial);
    const [sent] = recorder.of('requestSecurityToken');
    expect(sent!.url).toBe('https://pki-ws.symauth.com/pki-ws/enrollmentService');
    expect(sent!.action).toBe(`${SERVICES.enrollment.namespace}/requestSecurityToken`);
    expect(sent!.body).toMatchObject({ name: 'RequestSecurityToken', ns: WS_TRUST_NS });
    const inner = child(sent!.body, 'requestVSSecurityToken')!;
    expect(inner.ns).toBe(SERVICES.enrollment.namespace);
    expect(inner.children.every((c) => c.ns === SERVICES.enrollment.namespace)).toBe(true);
    expect(inner.children.map((c) => c.name)).toEqual(['certificateProfileID', 'clientTransactionID', 'tokenType', 'requestType', 'binarySecurityToken', 'nameValuePair', 'nameValuePair', 'version']);
    expect(childText(inner, 'certificateProfileID')).toBe(OID);
    expect(childText(inner, 'clientTransactionID')!.length).toBeLessThanOrEqual(40);
    expect(childText(inner, 'tokenType')).toBe(TOKEN_TYPES.X509v3);
    expect(childText(inner, 'requestType')).toBe(REQUEST_TYPES.Issue);
    expect(child(inner, 'binarySecurityToken')!.attributes).toMatchObject({ ValueType: VALUE_TYPES.PKCS10, EncodingType: expect.stringMatching(/#base64binary$/) });
    expect(Buffer.from(childText(inner, 'binarySecurityToken')!, 'base64').equals(Buffer.from(csr))).toBe(true);
    expect(children(inner, 'nameValuePair').map((p) => [childText(p, 'name'), childText(p, 'value')])).toEqual([
      ['mail_email', 'jdoe@example.com'],
      ['common_name', 'jdoe'],
    ]);
    expect(childText(inner, 'version')).toBe('2.0');
  });

  it('refuses an empty Required Field before anything is sent to the enrollment service', async () => {
    const { recorder, connector } = connectorWith(defaultAnswer(() => tokenResponse('')));
    const attempt = connector.enroll({ key: { csr }, subject: 'CN=jdoe', profile: { certificateType: 'device', params: { profileOid: OID, seatId: '', common_name: 'jdoe' } } });
    await expect(attempt).rejects.toMatchObject({ code: 'configuration', message: expect.stringContaining('seatId (mail_email)') });
    expect(recorder.of('requestSecurityToken')).toHaveLength(0);
  });

  it('reads a certs-only PKCS7 token (leaf + chain) and a PKCS12 token with its password (server-made key)', async () => {
    const p7 = buildCertsOnly({ certificates: [ca.certificateDer, leaf] });
    const p12 = buildPkcs12({ privateKey: device.privateKey, certificate: leaf, chain: [ca.certificateDer], password: 'Sym-123', form: 'modern' });
    let token = '';
    const { recorder, connector } = connectorWith(defaultAnswer(() => token));
    token = tokenResponse(`<v:requestedVSSecurityToken><v:binarySecurityToken>${Buffer.from(p7).toString('base64')}</v:binarySecurityToken></v:requestedVSSecurityToken>`);
    const viaP7 = await connector.enroll({ key: { csr }, subject: 'CN=jdoe', profile: { certificateType: 'user', params: { profileOid: OID, seatId: 'a@b.c', common_name: 'jdoe', tokenType: 'PKCS7' } } });
    expect(viaP7.serialHex).toBe(leafSerial);
    expect(viaP7.chain).toHaveLength(1);
    token = tokenResponse(`<v:tokenType>${TOKEN_TYPES.PKCS12}</v:tokenType><v:requestedVSSecurityToken><v:binarySecurityToken>${Buffer.from(p12).toString('base64')}</v:binarySecurityToken><v:pKCS12Password>Sym-123</v:pKCS12Password></v:requestedVSSecurityToken>`);
    const viaP12 = await connector.enroll({ key: { serverGeneratedKey: { keySpec: { type: 'rsa', bits: 2048 } } }, subject: 'CN=jdoe', profile: { certificateType: 'user', params: { profileOid: OID, seatId: 'a@b.c', common_name: 'jdoe', tokenType: 'PKCS12' } } });
    expect(viaP12.privateKey).toBeDefined();
    const sentP12 = child(recorder.of('requestSecurityToken')[1]!.body, 'requestVSSecurityToken')!;
    expect(childText(sentP12, 'tokenType')).toBe(TOKEN_TYPES.PKCS12);
    expect(child(sentP12, 'binarySecurityToken')).toBeUndefined();
  });

  it('words a fault "<message> (<errorcode>)" and a pending answer as ConnectorError pending that can be polled', async () => {
    let n = 0;
    const { recorder, connector } = connectorWith(
      defaultAnswer(() => {
        n++;
        if (n === 1) return fault('1003', 'Profile OID is not valid');
        if (n === 2) return tokenResponse('<v:requestedVSSecurityToken><v:pendingTokenReferenceID>REF-42</v:pendingTokenReferenceID></v:requestedVSSecurityToken>');
        return tokenResponse(`<v:requestedVSSecurityToken><v:binarySecurityToken>${Buffer.from(leaf).toString('base64')}</v:binarySecurityToken></v:requestedVSSecurityToken>`);
      }),
    );
    const request = { key: { csr }, subject: 'CN=jdoe', profile: { certificateType: 'user' as const, params: { profileOid: OID2 } } };
    await expect(connector.enroll({ ...request, profile: { ...request.profile, params: { profileOid: OID2, seatId: 's' } } })).rejects.toMatchObject({ code: 'rejected', message: 'Profile OID is not valid (1003)' });
    const pending = await connector.enroll({ ...request, profile: { ...request.profile, params: { profileOid: OID2, seatId: 's' } } }).catch((e: unknown) => e);
    expect(pending).toBeInstanceOf(SymantecPendingError);
    expect(pending).toMatchObject({ code: 'pending', referenceId: 'REF-42' });
    const credential = await connector.poll(pending as SymantecPendingError);
    expect(credential.serialHex).toBe(leafSerial);
    const poll = child(recorder.of('requestSecurityToken')[2]!.body, 'requestVSSecurityToken')!;
    expect(childText(poll, 'requestType')).toBe(REQUEST_TYPES.QueryTokenStatus);
    expect(childText(poll, 'pendingTokenReferenceID')).toBe('REF-42');
  });

  it('revokes by serial (updateCertificateStatus) and reads status through searchCertificate, following pages', async () => {
    const item = (serial: string, status: string) =>
      `<m:certificateInformation><m:seatId>s</m:seatId><m:status>${status}</m:status><m:revokeAt>1700000000</m:revokeAt><m:validFrom>1690000000</m:validFrom><m:validTo>1790000000</m:validTo><m:serialNumber>${serial}</m:serialNumber></m:certificateInformation>`;
    let revokeCode = 0;
    const { recorder, connector } = connectorWith((action, body) => {
      const m = SERVICES.management.namespace;
      if (action.endsWith('/updateCertificateStatus')) {
        return envelope(`<m:updateCertificateStatusResponse xmlns:m="${m}"><m:version>1.0</m:version><m:successCode>${revokeCode}</m:successCode><m:successMsg>${revokeCode ? 'Certificate already revoked' : 'Success'}</m:successMsg><m:revocationCount>1</m:revocationCount></m:updateCertificateStatusResponse>`);
      }
      const start = Number(childText(body, 'startIndex') ?? '0');
      const page = start === 0 ? item('0a', 'VALID') + item('0b', 'VALID') : item(leafSerial, 'REVOKED');
      return envelope(`<m:searchCertificateResponse xmlns:m="${m}"><m:certificateCount>3</m:certificateCount><m:certificateList>${page}</m:certificateList><m:moreCertificateAvailable>${start === 0}</m:moreCertificateAvailable><m:version>1.0</m:version></m:searchCertificateResponse>`);
    });
    await connector.revoke(leafSerial, 'keyCompromise');
    const update = recorder.of('updateCertificateStatus')[0]!.body;
    expect(update).toMatchObject({ name: 'updateCertificateStatusRequest', ns: SERVICES.management.namespace });
    expect([childText(update, 'certificateSerialNumber'), childText(update, 'operationType'), childText(update, 'revocationReason')]).toEqual([leafSerial.replace(/^0+/, ''), 'Revoke', 'KeyCompromise']);
    revokeCode = -1;
    await expect(connector.revoke(leafSerial)).rejects.toMatchObject({ code: 'rejected', message: 'Certificate already revoked (-1)' });
    const state = await connector.status(leafSerial);
    expect(state).toMatchObject({ status: 'revoked', revokedAt: new Date(1_700_000_000_000) });
    expect(recorder.of('searchCertificate').map((s) => childText(s.body, 'startIndex') ?? '0')).toEqual(['0', '2']);
    expect(at(recorder.of('searchCertificate')[0]!.body, 'serialNumber')).toBeDefined();
  });

  const managementAnswer = (status: (serial: string) => string) => (action: string, body: XmlElement) => {
    const m = SERVICES.management.namespace;
    if (action.endsWith('/updateCertificateStatus')) {
      return envelope(`<m:updateCertificateStatusResponse xmlns:m="${m}"><m:version>1.0</m:version><m:successCode>0</m:successCode><m:successMsg>Success</m:successMsg><m:revocationCount>1</m:revocationCount></m:updateCertificateStatusResponse>`);
    }
    return envelope(`<m:searchCertificateResponse xmlns:m="${m}"><m:certificateCount>1</m:certificateCount><m:certificateList>${status(childText(body, 'serialNumber') ?? '')}</m:certificateList><m:moreCertificateAvailable>false</m:moreCertificateAvailable><m:version>1.0</m:version></m:searchCertificateResponse>`);
  };

  it('maps a hold to Suspend and removeFromCRL to Resume (never a permanent Revoke), other reasons by the wire table', async () => {
    const { recorder, connector } = connectorWith(managementAnswer(() => ''));
    await connector.revoke(leafSerial, 'certificateHold');
    await connector.revoke(leafSerial, 'removeFromCRL');
    await connector.revoke(leafSerial, 'superseded');
    await connector.revoke(leafSerial);
    const sent = recorder.of('updateCertificateStatus').map((s) => [childText(s.body, 'operationType'), childText(s.body, 'revocationReason')]);
    expect(sent).toEqual([
      ['Suspend', undefined],
      ['Resume', undefined],
      ['Revoke', 'Superseded'],
      ['Revoke', 'Unspecified'],
    ]);
  });

  it('wire reason table is two-way and covers every wire reason', () => {
    for (const wire of REVOCATION_REASONS) expect(REVOCATION_REASON_MAP.toWire[REVOCATION_REASON_MAP.fromWire[wire]]).toBe(wire);
    expect(REVOCATION_REASON_MAP.toWire.certificateHold).toBeUndefined();
  });

  it('status is unknown when the search finds only other serials (never another certificate\'s status)', async () => {
    const item = `<m:certificateInformation><m:seatId>s</m:seatId><m:status>REVOKED</m:status><m:serialNumber>0abc</m:serialNumber></m:certificateInformation>`;
    const { connector } = connectorWith(managementAnswer(() => item));
    expect(await connector.status(leafSerial)).toEqual({ status: 'unknown' });
  });

  it('a token that is not a certificate is a bad-response ConnectorError, not a raw parser error', async () => {
    const { connector } = connectorWith(defaultAnswer(() => tokenResponse(`<v:requestedVSSecurityToken><v:binarySecurityToken>${Buffer.from('garbage token').toString('base64')}</v:binarySecurityToken></v:requestedVSSecurityToken>`)));
    const error = await connector.enroll({ key: { csr }, subject: 'CN=jdoe', profile: { certificateType: 'user', params: { profileOid: OID, seatId: 'a@b.c', common_name: 'jdoe' } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'bad-response' });
  });

  it('takes the Required/Optional Fields from profile.fields (the engine keeps them apart from params)', async () => {
    const { recorder, connector } = connectorWith(defaultAnswer(() => tokenResponse(`<v:requestedVSSecurityToken><v:binarySecurityToken>${Buffer.from(leaf).toString('base64')}</v:binarySecurityToken></v:requestedVSSecurityToken>`)));
    await connector.enroll({ key: { csr }, subject: 'CN=jdoe', profile: { certificateType: 'user', params: { profileOid: OID }, fields: { seatId: 'f@example.com', common_name: 'from fields' } } });
    const inner = child(recorder.of('requestSecurityToken')[0]!.body, 'requestVSSecurityToken')!;
    expect(children(inner, 'nameValuePair').map((p) => [childText(p, 'name'), childText(p, 'value')])).toEqual([
      ['mail_email', 'f@example.com'],
      ['common_name', 'from fields'],
    ]);
  });

  it('reads the VeriSign policy schema\'s nested field form (subjectNameAttribute > … > attributeNameValueProperty)', async () => {
    const field = (dn: string, name: string, mandatory: boolean) =>
      `<p:subjectNameAttribute><p:subjectNameAttributecount>1</p:subjectNameAttributecount><p:subjectNameAttributeNameValuePair><p:attributeName>${dn}</p:attributeName>` +
      `<p:attributeNameValue mandatory="${mandatory}" type="string">${name}</p:attributeNameValue><p:attributeNameValueProperty><p:value xsi:nil="true"/><p:source>nameValuePair</p:source>` +
      `<p:sourceAttributeName>${name}</p:sourceAttributeName><p:mandatory>${mandatory}</p:mandatory></p:attributeNameValueProperty></p:subjectNameAttributeNameValuePair></p:subjectNameAttribute>`;
    const nested = envelope(
      `<p:getPoliciesResponse xmlns:p="${SERVICES.policy.namespace}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><p:response><p:policies><p:policy><p:policyOIDReference>0</p:policyOIDReference><p:attributes>` +
        `<p:subjectNameInfo>${field('CN', 'common_name', true)}${field('E', 'mail_email', true)}${field('mobile_phone', 'mobile_phone', false)}<p:overrideSubjectNameFormat>false</p:overrideSubjectNameFormat></p:subjectNameInfo>` +
        `<p:seatIdInfo><p:attributeNameValue mandatory="true" type="string">mail_email</p:attributeNameValue></p:seatIdInfo></p:attributes></p:policy></p:policies></p:response>` +
        `<p:oIDs><p:oID><p:value>${OID}</p:value><p:oIDReferenceID>0</p:oIDReferenceID><p:group>6</p:group><p:defaultName>Mobile from MDM</p:defaultName></p:oID></p:oIDs></p:getPoliciesResponse>`,
    );
    const { connector } = connectorWith(() => nested);
    expect(await connector.profiles()).toEqual([{ oid: OID, name: 'Mobile from MDM', seatIdAttribute: 'mail_email', requiredFields: ['common_name', 'mail_email'], optionalFields: ['mobile_phone'] }]);
  });

  it('turns an answer that is not SOAP into a bad-response ConnectorError', async () => {
    const { connector } = connectorWith(() => ({ status: 200, contentType: 'text/html', body: '<html>login</html>' }));
    const error = await connector.profiles().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'bad-response' });
  });
});
