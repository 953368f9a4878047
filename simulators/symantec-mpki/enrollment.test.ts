import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../core/clock.js';
import { parseCertificate } from '../../core/pki/certificate.js';
import { generateKeyPair, type KeyPair } from '../../core/pki/keys.js';
import { toPem } from '../../core/pki/pem.js';
import { parsePkcs12 } from '../../core/pki/pkcs12.js';
import { parseCertsOnly } from '../../core/scep/certs-only.js';
import { REQUEST_TYPES, SERVICES, TOKEN_TYPES, VALUE_TYPES, WS_TRUST_NS } from '../../core/connectors/symantec-mpki/wire.js';
import { at, child, childText } from '../../core/soap/index.js';
import type { TestPki } from '../../fixtures/test-pki.js';
import { MPKI_ERRORS, SYMANTEC_DEFAULTS, type SymantecMpki } from './index.js';
import { admin, type Answer, call, csrBase64, loadTestPki, newSimulator, nvp, peerOf, rst, PUBLIC_BASE } from './symantec.test-support.js';

const D = SYMANTEC_DEFAULTS;
let pki: TestPki;
let keys: KeyPair[];
let big: KeyPair;
let ec: KeyPair;
let sim: SymantecMpki;
let clock: AdjustableClock;
const ra = () => peerOf(pki.identities['symantec-ra'].certificate);

beforeAll(async () => {
  pki = await loadTestPki();
  [keys, big, ec] = await Promise.all([
    Promise.all([generateKeyPair({ type: 'rsa', bits: 2048 }), generateKeyPair({ type: 'rsa', bits: 2048 })]),
    generateKeyPair({ type: 'rsa', bits: 4096 }),
    generateKeyPair({ type: 'ec', curve: 'P-256' }),
  ]);
}, 60_000);
beforeEach(async () => {
  clock = new AdjustableClock();
  sim = await newSimulator(pki, clock);
});

interface EnrollInput {
  profile?: string;
  ctid?: string;
  tokenType?: keyof typeof TOKEN_TYPES;
  requestType?: keyof typeof REQUEST_TYPES;
  csr?: string | null;
  fields?: Record<string, string>;
  version?: string | null;
  pending?: string;
  extra?: string;
}
const userFields = { common_name: 'Jane Doe', mail_email: 'jane@example.com', upn: 'jane@corp.example.com' };
async function enroll(o: EnrollInput = {}, peer = ra()): Promise<Answer> {
  const csr = o.csr === undefined ? await csrBase64(keys[0]!) : o.csr;
  const inner =
    (o.profile === undefined ? `<certificateProfileID>${D.profiles.user}</certificateProfileID>` : o.profile ? `<certificateProfileID>${o.profile}</certificateProfileID>` : '') +
    `<clientTransactionID>${o.ctid ?? 'ctid-1'}</clientTransactionID>` +
    (o.tokenType ? `<tokenType>${TOKEN_TYPES[o.tokenType]}</tokenType>` : '') +
    `<requestType>${REQUEST_TYPES[o.requestType ?? 'Issue']}</requestType>` +
    (csr ? `<binarySecurityToken ValueType="${VALUE_TYPES.PKCS10}">${csr}</binarySecurityToken>` : '') +
    (o.extra ?? '') +
    (o.pending ? `<pendingTokenReferenceID>${o.pending}</pendingTokenReferenceID>` : '') +
    nvp(o.fields ?? userFields) +
    (o.version === null ? '' : `<version>${o.version ?? '2.0'}</version>`);
  return call(sim, 'enrollment', rst(inner), peer);
}
const result = (a: Answer) => at(a.body, 'RequestVSSecurityTokenResponse')!;
const token = (a: Answer) => childText(at(result(a), 'requestedVSSecurityToken'), 'binarySecurityToken')!;
const certOf = (a: Answer) => parseCertificate(new Uint8Array(Buffer.from(token(a), 'base64')));
function expectFault(a: Answer, key: keyof typeof MPKI_ERRORS, message?: string) {
  expect(a.status).toBe(500);
  expect(a.fault?.errorcode).toBe(MPKI_ERRORS[key].code);
  expect(a.fault?.faultcode).toBe(MPKI_ERRORS[key].faultcode);
  expect(a.fault?.faultstring).toBe(a.fault?.message);
  if (message) expect(a.fault?.message).toBe(message);
}

describe('enrollment: issue', () => {
  it('issues an X509v3 certificate fit for ActiveSync, with the wire quirks of the real service', async () => {
    const ctid = 'MobileIron-Ä&amp;-' + 'x'.repeat(40 - 'MobileIron-Ä&-'.length);
    const a = await enroll({ ctid });
    expect(a.status).toBe(200);
    // Upper-case R in the response, VeriSign's WS-Trust namespace with its trailing slash.
    expect(a.text).toContain(`<wst:RequestSecurityTokenResponse xmlns:wst="${WS_TRUST_NS}">`);
    expect(WS_TRUST_NS.endsWith('/')).toBe(true);
    expect(a.body.name).toBe('RequestSecurityTokenResponse');
    expect(a.body.ns).toBe(WS_TRUST_NS);
    const r = result(a);
    expect(r.ns).toBe(SERVICES.enrollment.namespace);
    expect(child(r, 'serverTransactionID')!.ns).toBe(SERVICES.enrollment.namespace);
    expect(a.text).toContain(`<vswstep:clientTransactionID>${ctid}</vswstep:clientTransactionID>`);
    expect(childText(r, 'clientTransactionID')).toHaveLength(40);
    expect(childText(r, 'serverTransactionID')!.length).toBeLessThanOrEqual(40);
    expect(childText(r, 'tokenType')).toBe(TOKEN_TYPES.X509v3);
    expect(childText(r, 'version')).toBe('2.0');
    const bst = at(r, 'requestedVSSecurityToken/binarySecurityToken')!;
    expect(bst.attributes.ValueType).toBe(TOKEN_TYPES.X509v3);
    const cert = certOf(a);
    expect(cert.subject.get('CN')).toBe('Jane Doe');
    expect(cert.subject.get('O')).toBe(D.organization);
    expect(cert.extensions.extendedKeyUsage).toContain('clientAuth');
    expect(cert.extensions.subjectAltNames).toEqual([
      { type: 'email', value: 'jane@example.com' },
      { type: 'upn', value: 'jane@corp.example.com' },
    ]);
    expect(cert.extensions.crlDistributionPoints).toEqual([`${PUBLIC_BASE}/pki-crl/symantec-mpki/LatestCRL.crl`]);
    // The seat pool of the profile's kind: one seat; a second certificate for the same seat costs none.
    await enroll();
    const pools = (await admin(sim, 'GET', '/seat-pools')).body.seatPools as { kind: string; used: number; purchased: number }[];
    expect(pools.find((p) => p.kind === 'User')).toMatchObject({ used: 1, purchased: 1000 });
    expect(pools.map((p) => [p.kind, p.purchased])).toEqual([['User', 1000], ['Device', 100], ['Server', 100], ['Organization', 100]]);
    // The PKI Manager's "Manage certificates" view shows it.
    const view = (await admin(sim, 'GET', '/certificates')).body.certificates as { serialHex: string; status: string; seatId: string; mode: string }[];
    expect(view).toHaveLength(2);
    expect(view[0]).toMatchObject({ serialHex: cert.serialHex.toLowerCase().replace(/^0+/, '') || cert.serialHex, status: 'VALID', seatId: 'jane@example.com', mode: 'Production' });
  });

  it('accepts the request element bare, qualified with a prefix, and a PEM CSR', async () => {
    const pem = toPem('CERTIFICATE REQUEST', Buffer.from(await csrBase64(keys[1]!), 'base64'));
    const a = await enroll({ csr: pem });
    expect(a.status).toBe(200);
    const bare = await call(sim, 'enrollment', `<v:requestVSSecurityToken xmlns:v="${SERVICES.enrollment.namespace}"><v:certificateProfileID>${D.profiles.user}</v:certificateProfileID><v:requestType>${REQUEST_TYPES.Issue}</v:requestType><v:binarySecurityToken>${await csrBase64(keys[0]!)}</v:binarySecurityToken>${nvp(userFields).replace(/<(\/?)(nameValuePair|name|value)>/g, '<$1v:$2>')}<v:version>2.0</v:version></v:requestVSSecurityToken>`, ra());
    expect(bare.status).toBe(200);
  });

  it('delivers PKCS7 (certs-only with the chain) and PKCS12 (key made by the CA, password in the response)', async () => {
    const p7 = await enroll({ tokenType: 'PKCS7' });
    const certs = parseCertsOnly(new Uint8Array(Buffer.from(token(p7), 'base64'))).certificates;
    expect(certs).toHaveLength(3);
    const p12 = await enroll({ tokenType: 'PKCS12', csr: null });
    const password = childText(at(result(p12), 'requestedVSSecurityToken'), 'pKCS12Password')!;
    expect(password.length).toBeGreaterThan(8);
    const contents = parsePkcs12(new Uint8Array(Buffer.from(token(p12), 'base64')), password);
    expect(parseCertificate(contents.certificate).subject.get('CN')).toBe('Jane Doe');
  });

  it('marks Test-mode certificates and shows the mode in the PKI Manager view', async () => {
    const a = await enroll({ profile: D.profiles.test });
    expect(certOf(a).subject.get('OU')).toBe(D.testModeOu);
    const profiles = (await admin(sim, 'GET', '/profiles')).body.profiles as { oid: string; mode: string }[];
    expect(profiles.find((p) => p.oid === D.profiles.test)?.mode).toBe('Test');
    const view = (await admin(sim, 'GET', '/certificates')).body.certificates as { mode: string }[];
    expect(view[0]?.mode).toBe('Test');
  });

  it('takes Device seats for the Device profile (seat ID seat_id)', async () => {
    const a = await enroll({ profile: D.profiles.device, fields: { common_name: 'iPhone 15', seat_id: 'DEV-0001' } });
    expect(a.status).toBe(200);
    const pools = (await admin(sim, 'GET', '/seat-pools')).body.seatPools as { kind: string; used: number }[];
    expect(pools.find((p) => p.kind === 'Device')?.used).toBe(1);
    expect(pools.find((p) => p.kind === 'User')?.used).toBe(0);
  });
});

describe('enrollment: the pending flow and renewal', () => {
  it('answers pendingTokenReferenceID until the administrator approves, then the token', async () => {
    const a = await enroll({ profile: D.profiles.approval });
    expect(childText(result(a), 'dispositionMessage')).toBe('Pending');
    const id = childText(at(result(a), 'requestedVSSecurityToken'), 'pendingTokenReferenceID')!;
    expect(id).toMatch(/^[0-9a-f]{20}$/);
    const poll = () => enroll({ profile: '', requestType: 'QueryTokenStatus', csr: null, pending: id, fields: {} });
    expect(childText(at(result(await poll()), 'requestedVSSecurityToken'), 'pendingTokenReferenceID')).toBe(id);
    expect((await admin(sim, 'POST', `/pending/${id}/approve`)).status).toBe(200);
    const done = await poll();
    expect(certOf(done).subject.get('CN')).toBe('Jane Doe');
    expectFault(await enroll({ profile: '', requestType: 'QueryTokenStatus', csr: null, pending: 'nope', fields: {} }), 'pendingNotFound');
  });

  it('renews only inside the renewal window', async () => {
    const first = await enroll();
    const old = `<binarySecurityToken ValueType="${TOKEN_TYPES.X509v3}">${token(first)}</binarySecurityToken>`;
    const early = await enroll({ requestType: 'Renew', extra: old, fields: {} });
    expectFault(early, 'renewNotPermitted');
    expect(early.fault?.message).toMatch(/^Failed to renew the specified certificate: renewal is not permitted until \d{4}-/);
    clock.advance((365 - 20) * 86_400_000);
    const renewed = await enroll({ requestType: 'Renew', extra: old, fields: {} });
    expect(renewed.status).toBe(200);
    expect(certOf(renewed).subject.get('CN')).toBe('Jane Doe');
  });
});

describe('enrollment: refusals (one table, errors.ts)', () => {
  it.each([
    ['a clientTransactionID over 40 characters', { ctid: 'x'.repeat(41) }, 'transactionIdTooLong'],
    ['a version off the pattern', { version: '2.x' }, 'badVersion'],
    ['no version', { version: null }, 'missingElement'],
    ['an unknown profile OID', { profile: '2.16.840.1.113733.1.16.1.9.9.9' }, 'profileNotFound'],
    ['a profile not enabled for web services', { profile: D.profiles.noWebServices }, 'profileNotEnabled'],
    ['no seat ID attribute', { fields: { common_name: 'Jane Doe', mail: 'jane@example.com' } }, 'seatIdMissing'],
    ['a required field left empty', { fields: { common_name: '', mail_email: 'jane@example.com' } }, 'requiredFieldMissing'],
    ['an optional field sent empty', { fields: { ...userFields, mobile_phone: '' } }, 'emptyFieldValue'],
    ['no CSR', { csr: null }, 'csrMissing'],
    ['a CSR that is not one', { csr: 'bm90IGEgQ1NS' }, 'csrInvalid'],
  ] as const)('refuses %s', async (_name, input, key) => {
    expectFault(await enroll(input as EnrollInput), key);
  });

  it('refuses an unknown tokenType or requestType', async () => {
    const a = await call(sim, 'enrollment', rst(`<certificateProfileID>${D.profiles.user}</certificateProfileID><tokenType>urn:x</tokenType><requestType>${REQUEST_TYPES.Issue}</requestType><version>2.0</version>`), ra());
    expectFault(a, 'invalidValue', 'Invalid value "urn:x" for tokenType');
    const b = await call(sim, 'enrollment', rst(`<certificateProfileID>${D.profiles.user}</certificateProfileID><requestType>urn:y</requestType><version>2.0</version>`), ra());
    expectFault(b, 'invalidValue', 'Invalid value "urn:y" for requestType');
  });

  it('names the seat attribute and the field in the texts', async () => {
    expectFault(await enroll({ fields: { common_name: 'Jane Doe' } }), 'seatIdMissing', 'The seat ID attribute mail_email is missing');
    expectFault(await enroll({ fields: { mail_email: 'jane@example.com' } }), 'requiredFieldMissing', 'Required field common_name is missing or empty');
    expectFault(await enroll({ profile: '1.2.3.4' }), 'profileNotFound', 'Certificate profile 1.2.3.4 not found');
  });

  it('refuses a key size the profile does not allow, in DigiCert\'s words, and EC keys', async () => {
    expectFault(await enroll({ csr: await csrBase64(big) }), 'keySizeNotAllowed', 'CSR key length 4096 does not match 2048');
    expectFault(await enroll({ csr: await csrBase64(ec) }), 'keyAlgorithmNotAllowed');
  });

  it('refuses an exhausted seat pool, but not a seat that exists', async () => {
    await enroll();
    expect((await admin(sim, 'POST', '/seat-pools/User/exhaust')).status).toBe(200);
    expect((await enroll()).status).toBe(200);
    expectFault(await enroll({ fields: { ...userFields, mail_email: 'new@example.com' } }), 'seatPoolExhausted', 'No seats left in the User seat pool (1000 purchased, 1000 used)');
  });

  it('refuses a caller without a registered RA certificate, and an RA not entitled to the profile', async () => {
    expectFault(await enroll({}, peerOf(undefined)), 'raNotAuthenticated');
    expectFault(await enroll({}, peerOf(pki.identities['tls-server'].certificate)), 'raNotRegistered');
    const serial = parseCertificate(pki.identities['symantec-ra'].certificate).serialHex;
    expect((await admin(sim, 'PATCH', `/ras/${serial}`, { entitledProfiles: [D.profiles.device] })).status).toBe(200);
    expectFault(await enroll(), 'raNotAuthorized', `Not authorized: the RA is not authorized for certificate profile ${D.profiles.user}`);
    expect((await enroll({ profile: D.profiles.device, fields: { common_name: 'iPad', seat_id: 'DEV-1' } })).status).toBe(200);
  });

  it('refuses a seat that is not a registered user when the profile verifies users', async () => {
    expect((await admin(sim, 'PATCH', `/profiles/${D.profiles.user}`, { verifyUser: true })).status).toBe(200);
    expectFault(await enroll(), 'seatNotFound', 'Could not find seat with identifier = jane@example.com using mail_email as seat id mapping');
    expect((await admin(sim, 'POST', '/users', { seatId: 'jane@example.com' })).status).toBe(201);
    expect((await enroll()).status).toBe(200);
  });

  it('refuses everything with soap:Server while the health switch is DOWN', async () => {
    await admin(sim, 'PUT', '/health', { status: 'DOWN' });
    expectFault(await enroll(), 'serviceDown');
  });

  it('records successes and refusals in the audit trail', async () => {
    await enroll();
    await enroll({ profile: '1.2.3' });
    const events = (await admin(sim, 'GET', '/audit')).body.events as { event: string; outcome: string; errorCode?: string; at: string }[];
    expect(events.map((e) => [e.event, e.outcome])).toEqual([
      ['enroll', 'success'],
      ['RequestSecurityToken', 'refused'],
    ]);
    expect(events[1]?.errorCode).toBe(MPKI_ERRORS.profileNotFound.code);
  });
});
