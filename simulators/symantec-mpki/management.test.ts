import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../core/clock.js';
import { parseCertificate } from '../../core/pki/certificate.js';
import { parseCrl } from '../../core/pki/crl.js';
import { generateKeyPair, type KeyPair } from '../../core/pki/keys.js';
import { parsePkcs12 } from '../../core/pki/pkcs12.js';
import { REQUEST_TYPES, SEARCH_PAGE_SIZE, SERVICES, servicePath, TOKEN_TYPES } from '../../core/connectors/symantec-mpki/wire.js';
import { at, child, children, childText } from '../../core/soap/index.js';
import type { TestPki } from '../../fixtures/test-pki.js';
import { MPKI_ERRORS, SYMANTEC_DEFAULTS, type SymantecMpki } from './index.js';
import { admin, type Answer, call, csrBase64, loadTestPki, newSimulator, nvp, op, ORIGIN, peerOf, PUBLIC_BASE, rst } from './symantec.test-support.js';

const D = SYMANTEC_DEFAULTS;
let pki: TestPki;
let key: KeyPair;
let csr: string;
let sim: SymantecMpki;
const ra = () => peerOf(pki.identities['symantec-ra'].certificate);

beforeAll(async () => {
  pki = await loadTestPki();
  key = await generateKeyPair({ type: 'rsa', bits: 2048 });
  csr = await csrBase64(key);
}, 60_000);
beforeEach(async () => {
  sim = await newSimulator(pki, new AdjustableClock());
});

async function enroll(seat = 'jane@example.com', tokenType: keyof typeof TOKEN_TYPES = 'X509v3'): Promise<string> {
  const a = await call(
    sim,
    'enrollment',
    rst(`<certificateProfileID>${D.profiles.user}</certificateProfileID><tokenType>${TOKEN_TYPES[tokenType]}</tokenType><requestType>${REQUEST_TYPES.Issue}</requestType>${tokenType === 'PKCS12' ? '' : `<binarySecurityToken>${csr}</binarySecurityToken>`}${nvp({ common_name: seat.split('@')[0]!, mail_email: seat })}<version>2.0</version>`),
    ra(),
  );
  expect(a.status).toBe(200);
  const b64 = childText(at(a.body, 'RequestVSSecurityTokenResponse/requestedVSSecurityToken'), 'binarySecurityToken')!;
  const der = tokenType === 'PKCS12' ? parsePkcs12(new Uint8Array(Buffer.from(b64, 'base64')), childText(at(a.body, 'RequestVSSecurityTokenResponse/requestedVSSecurityToken'), 'pKCS12Password')!).certificate : new Uint8Array(Buffer.from(b64, 'base64'));
  return parseCertificate(der).serialHex;
}
const mgmt = (name: string, inner: string) => call(sim, 'management', op('management', name, inner), ra());
const users = (name: string, inner: string) => call(sim, 'userManagement', op('userManagement', name, inner), ra());
const status = (serialOrSeat: string, operation: string, by: 'certificateSerialNumber' | 'seatId' = 'certificateSerialNumber', ctid = 'c-1') =>
  mgmt('updateCertificateStatusRequest', `<clientTransactionID>${ctid}</clientTransactionID><version>1.0</version><revocationReason>KeyCompromise</revocationReason><${by}>${serialOrSeat}</${by}><operationType>${operation}</operationType>`);
const outcome = (a: Answer) => ({ code: childText(a.body, 'successCode'), msg: childText(a.body, 'successMsg'), count: childText(a.body, 'revocationCount') });

describe('certificateManagementService', () => {
  it('revokes by serial (0), and answers a second revocation with a negative successCode', async () => {
    const serial = await enroll();
    const first = await status(serial, 'Revoke', 'certificateSerialNumber', 'echo-me');
    expect(first.body.name).toBe('updateCertificateStatusResponse');
    expect(first.body.ns).toBe(SERVICES.management.namespace);
    expect(childText(first.body, 'clientTransactionID')).toBe('echo-me');
    expect(outcome(first)).toEqual({ code: '0', msg: 'Success', count: '1' });
    const again = await status(serial, 'Revoke');
    expect(again.status).toBe(200);
    expect(outcome(again)).toEqual({ code: MPKI_ERRORS.alreadyRevoked.code, msg: `Certificate ${serial.toLowerCase()} is already revoked`, count: '0' });
    expect(Number(outcome(again).code)).toBeLessThan(0);
  });

  it('revokes every certificate of a seat and counts them', async () => {
    await enroll();
    await enroll();
    await enroll('other@example.com');
    expect(outcome(await status('jane@example.com', 'Revoke', 'seatId'))).toEqual({ code: '0', msg: 'Success', count: '2' });
    expect(outcome(await status('jane@example.com', 'Revoke', 'seatId')).code).toBe(MPKI_ERRORS.nothingToUpdate.code);
  });

  it('suspends and resumes; the CRL lists revoked and suspended certificates, not resumed ones', async () => {
    const [a, b] = [await enroll(), await enroll('b@example.com')];
    expect(outcome(await status(a, 'Suspend')).code).toBe('0');
    expect(outcome(await status(a, 'Resume')).code).toBe('0');
    expect(outcome(await status(a, 'Resume')).code).toBe(MPKI_ERRORS.notSuspended.code);
    expect(outcome(await status(b, 'Revoke')).code).toBe('0');
    const res = await sim.handler(new Request(`${PUBLIC_BASE}/pki-crl/symantec-mpki/LatestCRL.crl`), { address: '127.0.0.1', tls: false });
    expect(res.headers.get('content-type')).toBe('application/pkix-crl');
    const crl = parseCrl(new Uint8Array(await res.arrayBuffer()));
    expect(crl.entries.map((e) => e.serialHex.toLowerCase())).toEqual([b.toLowerCase()]);
    expect(crl.entries[0]?.reason).toBe('keyCompromise');
  });

  it('refuses an unknown serial, a missing target and more than 100 values in bulk', async () => {
    const unknown = await status('0abc', 'Revoke');
    expect(unknown.fault?.errorcode).toBe(MPKI_ERRORS.certificateNotFound.code);
    const missing = await mgmt('updateCertificateStatusRequest', '<version>1.0</version><operationType>Revoke</operationType>');
    expect(missing.fault?.errorcode).toBe(MPKI_ERRORS.missingElement.code);
    const bad = await mgmt('updateCertificateStatusRequest', '<version>1.0</version><seatId>x</seatId><operationType>Delete</operationType>');
    expect(bad.fault?.message).toBe('Invalid value "Delete" for operationType');
    const many = Array.from({ length: 101 }, (_, i) => `<seatId>s${i}</seatId>`).join('');
    const bulk = await mgmt('bulkUpdateCertificateStatusRequest', `<version>1.0</version>${many}<operationType>Revoke</operationType>`);
    expect(bulk.fault?.errorcode).toBe(MPKI_ERRORS.bulkTooMany.code);
  });

  it('bulk-revokes by serial and by profile OID', async () => {
    const serials = [await enroll(), await enroll('b@example.com'), await enroll('c@example.com')];
    const bulk = await mgmt('bulkUpdateCertificateStatusRequest', `<version>1.0</version>${serials.slice(0, 2).map((s) => `<certificateSerialNumber>${s}</certificateSerialNumber>`).join('')}<operationType>Revoke</operationType>`);
    expect(outcome(bulk)).toEqual({ code: '0', msg: 'Success', count: '2' });
    const byProfile = await mgmt('bulkUpdateCertificateStatusRequest', `<version>1.0</version><profileOID>${D.profiles.user}</profileOID><operationType>Revoke</operationType>`);
    expect(outcome(byProfile).count).toBe('1');
  });

  it('searches with filters, epoch-second times, status, and pages of 50 with the total', async () => {
    for (let i = 0; i < SEARCH_PAGE_SIZE + 5; i++) await enroll(`u${i}@example.com`);
    const page = (inner: string) => mgmt('searchCertificateRequest', `<clientTransactionID>s-1</clientTransactionID>${inner}<version>1.0</version>`);
    const first = await page('');
    expect(childText(first.body, 'clientTransactionID')).toBe('s-1');
    expect(childText(first.body, 'certificateCount')).toBe('55');
    expect(children(child(first.body, 'certificateList'), 'certificateInformation')).toHaveLength(50);
    expect(childText(first.body, 'moreCertificateAvailable')).toBe('true');
    const second = await page('<startIndex>50</startIndex>');
    expect(children(child(second.body, 'certificateList'), 'certificateInformation')).toHaveLength(5);
    expect(childText(second.body, 'moreCertificateAvailable')).toBe('false');
    const one = await page('<seatId>u3@example.com</seatId>');
    const info = at(one.body, 'certificateList/certificateInformation')!;
    const cert = parseCertificate(new Uint8Array(Buffer.from(childText(info, 'certificate')!, 'base64')));
    expect(childText(info, 'validFrom')).toBe(String(cert.notBefore.getTime() / 1000));
    expect(childText(info, 'validTo')).toBe(String(cert.notAfter.getTime() / 1000));
    expect(childText(info, 'status')).toBe('VALID');
    expect(childText(info, 'accountId')).toBe(D.accountId);
    expect(childText(info, 'profileOID')).toBe(D.profiles.user);
    expect(childText(info, 'isEscrowed')).toBe('false');
    await status(cert.serialHex, 'Revoke');
    const revoked = await page('<status>REVOKED</status>');
    expect(childText(revoked.body, 'certificateCount')).toBe('1');
    expect(childText(at(revoked.body, 'certificateList/certificateInformation'), 'revokeReason')).toBe('KeyCompromise');
    expect((await page('<status>GONE</status>')).fault?.errorcode).toBe(MPKI_ERRORS.invalidValue.code);
    const none = await page(`<validFrom>${cert.notBefore.getTime() / 1000 + 10_000}</validFrom>`);
    expect(childText(none.body, 'certificateCount')).toBe('0');
  });

  it('recovers escrowed keys (PKCS12 delivery) and refuses others', async () => {
    const escrowed = await enroll('p12@example.com', 'PKCS12');
    const plain = await enroll();
    const recover = (serial: string, password = '') =>
      mgmt('requestKeyRecoveryMessage', `${password ? `<pKCS12Password>${password}</pKCS12Password>` : ''}<certificateSerialNumber>${serial}</certificateSerialNumber><certificateIssuer>x</certificateIssuer><adminID>admin</adminID><version>1.0</version>`);
    const ok = await recover(escrowed, 'new-secret');
    expect(ok.body.name).toBe('requestKeyRecoveryResponseMessage');
    expect(childText(ok.body, 'pKCS12Password')).toBe('new-secret');
    expect(parseCertificate(parsePkcs12(new Uint8Array(Buffer.from(childText(ok.body, 'pKCS12Message')!, 'base64')), 'new-secret').certificate).serialHex).toBe(escrowed);
    const refused = await recover(plain);
    expect(refused.fault?.errorcode).toBe(MPKI_ERRORS.keyNotEscrowed.code);
  });
});

describe('userManagementService', () => {
  it('creates users and passcodes, reads them back, and deletes a user with its certificates', async () => {
    const created = await users('createOrUpdateUserRequest', `<userInformation><seatId>jane@example.com</seatId><firstName>Jane</firstName><lastName>Doe</lastName><emailAddress>jane@example.com</emailAddress></userInformation><version>1.0</version>`);
    expect(created.body.name).toBe('createOrUpdateUserResponse');
    expect(childText(at(created.body, 'userCreationStatus'), 'statusCode')).toBe('0');
    await enroll();
    const info = await users('getUserInformationRequest', `<seatId>jane@example.com</seatId><getUserCertificate>true</getUserCertificate><version>1.0</version>`);
    expect(childText(at(info.body, 'userInformation'), 'firstName')).toBe('Jane');
    expect(children(at(info.body, 'userValidCertificates'), 'userCertificate')).toHaveLength(1);
    const passcode = await users('createOrUpdatePasscodeRequest', `<passcodeInformation><seatId>jane@example.com</seatId><certificateProfileOid>${D.profiles.user}</certificateProfileOid></passcodeInformation><version>1.0</version>`);
    const made = at(passcode.body, 'passcodeCreationStatus/passcodeInformation')!;
    expect(childText(made, 'passcode')).toMatch(/^[0-9a-f]{12}$/);
    expect(childText(made, 'passcodeStatus')).toBe('ACTIVE');
    expect(childText(made, 'enrollmentURL')).toBe(`${PUBLIC_BASE}/pki-scep/${D.profiles.user}/pkiclient.exe`);
    const read = await users('getPasscodeInformationRequest', `<seatId>jane@example.com</seatId><certificateProfileOid>${D.profiles.user}</certificateProfileOid><version>1.0</version>`);
    expect(childText(at(read.body, 'passcodeInformation'), 'passcode')).toBe(childText(made, 'passcode'));
    const deleted = await users('deleteUserRequest', `<seatId>jane@example.com</seatId><version>1.0</version>`);
    expect(childText(at(deleted.body, 'deleteUserStatus'), 'revocationCount')).toBe('1');
    await users('createOrUpdateUserRequest', `<userInformation><seatId>b@example.com</seatId></userInformation><version>1.0</version>`);
    const bulk = await users('bulkDeleteUserRequest', `<seatId>b@example.com</seatId><seatId>nobody@example.com</seatId><version>1.0</version>`);
    expect(children(bulk.body, 'deleteUserStatus').map((d) => [childText(d, 'seatId'), childText(d, 'status'), childText(d, 'errorCode')])).toEqual([
      ['b@example.com', 'SUCCESS', '0'],
      ['nobody@example.com', 'FAILURE', MPKI_ERRORS.userNotFound.code],
    ]);
    const gone = await users('getUserInformationRequest', `<seatId>jane@example.com</seatId><version>1.0</version>`);
    expect(gone.fault?.errorcode).toBe(MPKI_ERRORS.userNotFound.code);
  });
});

describe('policyService and healthcheckService', () => {
  it('lists the web-services profiles with OIDs, validity, key size, seat ID, fields, mode and the CA chain', async () => {
    const a = await call(sim, 'policy', op('policy', 'getPolicies', `<version>2.0</version><clientTransactionID>p-1</clientTransactionID><requestFilter xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>`), ra());
    expect(a.body.name).toBe('getPoliciesResponse');
    const oids = children(at(a.body, 'oIDs'), 'oID').map((o) => childText(o, 'value'));
    expect(oids).toEqual([D.profiles.user, D.profiles.device, D.profiles.test, D.profiles.approval]);
    const policies = children(at(a.body, 'response/policies'), 'policy');
    const user = policies[0]!;
    expect(childText(at(user, 'attributes/certificateValidity'), 'validityPeriodDays')).toBe('365');
    expect(childText(at(user, 'attributes/privateKeyAttributes'), 'keysize')).toBe('2048');
    expect(childText(at(user, 'attributes/seatIdInfo'), 'attributeNameValue')).toBe('mail_email');
    expect(at(user, 'attributes/seatIdInfo/attributeNameValue')!.attributes.mandatory).toBe('true');
    const fields = children(at(user, 'attributes/subjectNameInfo'), 'subjectNameAttribute').map((s) => {
      const pair = at(s, 'subjectNameAttributeNameValuePair')!;
      return [childText(pair, 'attributeNameValue'), child(pair, 'attributeNameValue')!.attributes.mandatory];
    });
    expect(fields).toContainEqual(['common_name', 'true']);
    expect(fields).toContainEqual(['mobile_phone', 'false']);
    expect(childText(at(policies[2], 'attributes'), 'deploymentMode')).toBe('Test');
    expect(childText(at(a.body, 'cAs/cA'), 'rootCACertificate')).toBe(Buffer.from(pki.root.certificate).toString('base64'));
    const filtered = await call(sim, 'policy', op('policy', 'getPolicies', `<version>2.0</version><requestFilter><policyIDs><oid>${D.profiles.device}</oid></policyIDs></requestFilter>`), ra());
    expect(children(at(filtered.body, 'oIDs'), 'oID').map((o) => childText(o, 'value'))).toEqual([D.profiles.device]);
  });

  it('answers getStatus UP, and DOWN after the admin switch', async () => {
    const get = () => call(sim, 'healthcheck', op('healthcheck', 'getStatusRequestMessage', `<version>1.0</version><operationType>ENROLL</operationType>`), ra());
    expect(childText((await get()).body, 'statusCode')).toBe('UP');
    await admin(sim, 'PUT', '/health', { status: 'DOWN' });
    expect(childText((await get()).body, 'statusCode')).toBe('DOWN');
  });
});

describe('the SOAP layer', () => {
  it('serves a WSDL per service with the SOAPAction values', async () => {
    for (const [service, action] of [['enrollment', 'requestSecurityToken'], ['policy', 'requestPolicies'], ['management', 'searchCertificate'], ['userManagement', 'createOrUpdatePasscode'], ['healthcheck', 'getStatus']] as const) {
      const res = await sim.handler(new Request(`${ORIGIN}:443${servicePath(service)}?wsdl`), ra());
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(text).toContain(`soapAction="${SERVICES[service].namespace}/${action}"`);
      // The :443 form (S2, S5) is the same URL: the default port is dropped.
      expect(text).toContain(`<soap:address location="${ORIGIN}${servicePath(service)}"/>`);
    }
  });

  it('answers unknown operations, DTDs and GETs with faults, never a bare 500', async () => {
    const unknown = await call(sim, 'management', op('management', 'printMyBean', ''), ra());
    expect(unknown.fault?.errorcode).toBe(MPKI_ERRORS.unknownOperation.code);
    const dtd = await sim.handler(new Request(`${ORIGIN}${servicePath('policy')}`, { method: 'POST', body: '<!DOCTYPE x [<!ENTITY a "b">]><x/>' }), ra());
    expect(dtd.status).toBe(500);
    expect(await dtd.text()).toContain('<faultcode>soap:Client</faultcode>');
    const get = await sim.handler(new Request(`${ORIGIN}${servicePath('policy')}`), ra());
    expect(get.status).toBe(405);
    const big = await sim.handler(new Request(`${ORIGIN}${servicePath('policy')}`, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) }), ra());
    expect(big.status).toBe(413);
  });
});
