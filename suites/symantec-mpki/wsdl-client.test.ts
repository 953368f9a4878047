/**
 * Interop: for each of the five PKI Web Services, a SOAP client generated at run time from the served ?wsdl (the
 * npm `soap` package, as a customer's own tooling would be), fetched and called over mutual TLS with the RA .p12,
 * calls every operation and gets the simulator's real answers. It proves each WSDL is complete and consistent
 * with what the service accepts and emits.
 */
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as soap from 'soap';
import { REQUEST_TYPES, SERVICES, TOKEN_TYPES, VALUE_TYPES, WS_TRUST_NS, servicePath, type SymantecService } from '../../core/connectors/symantec-mpki/wire.js';
import { parseCertificate } from '../../core/pki/certificate.js';
import { buildCsr } from '../../core/pki/csr.js';
import { generateKeyPair, type KeyPair } from '../../core/pki/keys.js';
import { parsePkcs12 } from '../../core/pki/pkcs12.js';
import { TEST_PKI_PASSWORD } from '../../fixtures/defaults.js';
import { SYMANTEC_DEFAULTS as D } from '../../simulators/symantec-mpki/index.js';
import { startSymantec, type RunningSymantec } from './simulator.test-support.js';

let sim: RunningSymantec;
let key: KeyPair;
const clients = {} as Record<SymantecService, soap.Client>;

beforeAll(async () => {
  [sim, key] = await Promise.all([startSymantec(), generateKeyPair({ type: 'rsa', bits: 2048 })]);
  const pfx = readFileSync(sim.pki.identities['symantec-ra'].p12Path);
  const agent = new https.Agent({ pfx, passphrase: TEST_PKI_PASSWORD, ca: [sim.trustedPem] });
  for (const service of Object.keys(SERVICES) as SymantecService[]) {
    const client = await soap.createClientAsync(`${sim.url}${servicePath(service)}?wsdl`, { wsdl_options: { httpsAgent: agent } });
    client.setSecurity(new soap.ClientSSLSecurityPFX(pfx, TEST_PKI_PASSWORD, { ca: [sim.trustedPem] }));
    clients[service] = client;
  }
}, 60_000);
afterAll(() => sim?.close());

type Answer = Record<string, any>;
/** Every operation this file has called, per service: the last test requires all the WSDLs describe. */
const called = new Set<string>();
async function call(service: SymantecService, operation: string, args: Record<string, unknown>): Promise<Answer> {
  called.add(`${service}.${operation}`);
  const method = (clients[service] as unknown as Record<string, (args: unknown) => Promise<[Answer, string]>>)[`${operation}Async`];
  if (!method) throw new Error(`the client generated from ${service}?wsdl has no ${operation}`);
  const [result] = await method.call(clients[service], args);
  return result;
}
const csr = async (cn: string) => Buffer.from(await buildCsr({ subject: `CN=${cn}`, privateKey: key.privateKey })).toString('base64');
const issue = async (seat: string, cn: string, tokenType: keyof typeof TOKEN_TYPES = 'X509v3', profile: string = D.profiles.user) =>
  call('enrollment', 'RequestSecurityToken', {
    requestVSSecurityToken: {
      certificateProfileID: profile,
      clientTransactionID: `wsdl-${cn}`.slice(0, 40),
      tokenType: TOKEN_TYPES[tokenType],
      requestType: REQUEST_TYPES.Issue,
      ...(tokenType === 'PKCS12' ? {} : { binarySecurityToken: { attributes: { ValueType: VALUE_TYPES.PKCS10 }, $value: await csr(cn) } }),
      nameValuePair: [
        { name: 'common_name', value: cn },
        { name: D.seatAttribute, value: seat },
      ],
      version: '2.0',
    },
  });
const tokenOf = (answer: Answer): Answer => answer.RequestVSSecurityTokenResponse.requestedVSSecurityToken;
const tokenText = (token: Answer): string => (typeof token.binarySecurityToken === 'string' ? token.binarySecurityToken : token.binarySecurityToken.$value);

describe('clients generated from the served WSDLs (npm soap) over mutual TLS', () => {
  const described = () =>
    Object.fromEntries((Object.keys(SERVICES) as SymantecService[]).map((s) => [s, Object.keys(Object.values(Object.values(clients[s].describe())[0] as object)[0] as object).sort()])) as Record<SymantecService, string[]>;

  it('each WSDL describes its service with (at least) the documented operations', () => {
    const operations = described();
    expect(operations.enrollment).toContain('RequestSecurityToken');
    expect(operations.policy).toContain('getPolicies');
    expect(operations.management).toEqual(expect.arrayContaining(['bulkUpdateCertificateStatus', 'keyRecovery', 'searchCertificate', 'updateCertificateStatus']));
    expect(operations.userManagement).toEqual(expect.arrayContaining(['createOrUpdatePasscode', 'createOrUpdateUser', 'deleteUser', 'getPasscodeInformation', 'getUserInformation']));
    expect(operations.healthcheck).toContain('getStatus');
  });

  it('healthcheck getStatus: UP', async () => {
    const answer = await call('healthcheck', 'getStatus', { version: '1.0', operationType: 'ENROLL' });
    expect(answer.statusCode).toBe('UP');
    expect(answer.serverTransactionID).toBeTruthy();
  });

  it('policy getPolicies: the profiles with their OIDs and the seat ID attribute', async () => {
    const answer = await call('policy', 'getPolicies', { version: '2.0' });
    const oids = [answer.oIDs.oID].flat().map((o: Answer) => o.value);
    expect(oids).toContain(D.profiles.user);
    const policies = [answer.response.policies.policy].flat();
    const seat = policies.map((p: Answer) => p.attributes.seatIdInfo.attributeNameValue).map((v: Answer | string) => (typeof v === 'string' ? v : v.$value));
    expect(seat).toContain(D.seatAttribute);
  });

  it('enrollment RequestSecurityToken: X509v3 and PKCS12 tokens', async () => {
    const x509 = await issue('wsdl.user@example.com', 'wsdl x509 user');
    expect(x509.RequestVSSecurityTokenResponse.clientTransactionID).toBe('wsdl-wsdl x509 user');
    // The generated request is the WS-Trust wrapper (slash namespace) around requestVSSecurityToken (lower-case r).
    const sent = clients.enrollment.lastRequest ?? '';
    expect(sent).toMatch(/<(\w+):RequestSecurityToken[^>]*>\s*<(\w+:)?requestVSSecurityToken/);
    expect(sent).toContain(`"${WS_TRUST_NS}"`);
    const certificate = parseCertificate(new Uint8Array(Buffer.from(tokenText(tokenOf(x509)), 'base64')));
    expect(certificate.subject.toString()).toContain('CN=wsdl x509 user');
    const p12 = tokenOf(await issue('wsdl.p12@example.com', 'wsdl p12 user', 'PKCS12'));
    expect(parsePkcs12(new Uint8Array(Buffer.from(tokenText(p12), 'base64')), p12.pKCS12Password).privateKey).toBeDefined();
  });

  it('management searchCertificate, updateCertificateStatus, bulkUpdateCertificateStatus and keyRecovery', async () => {
    const serialOf = async (seat: string, cn: string, type: 'X509v3' | 'PKCS12' = 'X509v3') => {
      const token = tokenOf(await issue(seat, cn, type));
      const der = type === 'PKCS12' ? parsePkcs12(new Uint8Array(Buffer.from(tokenText(token), 'base64')), token.pKCS12Password).certificate : new Uint8Array(Buffer.from(tokenText(token), 'base64'));
      return parseCertificate(der).serialHex;
    };
    const serial = await serialOf('wsdl.search@example.com', 'wsdl search user');
    const found = await call('management', 'searchCertificate', { serialNumber: serial, version: '1.0' });
    expect(Number(found.certificateCount)).toBe(1);
    const item = [found.certificateList.certificateInformation].flat()[0];
    expect(item.status).toBe('VALID');
    expect(String(item.validFrom)).toMatch(/^\d{10}$/);
    const revoked = await call('management', 'updateCertificateStatus', { version: '1.0', revocationReason: 'KeyCompromise', certificateSerialNumber: serial, operationType: 'Revoke' });
    expect([Number(revoked.successCode), Number(revoked.revocationCount)]).toEqual([0, 1]);
    const other = await serialOf('wsdl.bulk@example.com', 'wsdl bulk user');
    const bulk = await call('management', 'bulkUpdateCertificateStatus', { version: '1.0', certificateSerialNumber: [other], operationType: 'Suspend' });
    expect(Number(bulk.successCode)).toBe(0);
    const escrowed = await serialOf('wsdl.escrow@example.com', 'wsdl escrow user', 'PKCS12');
    const recovered = await call('management', 'keyRecovery', { certificateSerialNumber: escrowed, certificateIssuer: 'mdmca', adminID: 'admin', version: '1.0' });
    const message = [recovered.pKCS12Message].flat()[0] as string;
    expect(parsePkcs12(new Uint8Array(Buffer.from(message, 'base64')), recovered.pKCS12Password).privateKey).toBeDefined();
  });

  it('userManagement: createOrUpdateUser, getUserInformation, createOrUpdatePasscode, getPasscodeInformation, deleteUser, bulkDeleteUser', async () => {
    const seatId = 'wsdl.managed@example.com';
    const created = await call('userManagement', 'createOrUpdateUser', { userInformation: [{ seatId, firstName: 'Wsdl', lastName: 'User', emailAddress: seatId }], version: '1.0' });
    expect([created.userCreationStatus].flat()[0].seatId).toBe(seatId);
    await issue(seatId, 'wsdl managed user');
    const info = await call('userManagement', 'getUserInformation', { seatId, getUserCertificate: true, version: '1.0' });
    expect(info.userInformation.firstName).toBe('Wsdl');
    expect([info.userValidCertificates.userCertificate].flat()).toHaveLength(1);
    const passcode = await call('userManagement', 'createOrUpdatePasscode', { passcodeInformation: [{ seatId, firstName: 'Wsdl', lastName: 'User', email: seatId, certificateProfileOid: D.profiles.user }], version: '1.0' });
    const code = [passcode.passcodeCreationStatus].flat()[0].passcodeInformation.passcode as string;
    expect(code.length).toBeGreaterThan(0);
    const read = await call('userManagement', 'getPasscodeInformation', { seatId, certificateProfileOid: D.profiles.user, version: '1.0' });
    expect(read.passcodeInformation.passcode).toBe(code);
    const deleted = await call('userManagement', 'deleteUser', { seatId, version: '1.0' });
    expect(deleted.deleteUserStatus.seatId).toBe(seatId);
    expect(Number(deleted.deleteUserStatus.revocationCount)).toBe(1);
    const others = ['wsdl.bulk1@example.com', 'wsdl.bulk2@example.com'];
    await call('userManagement', 'createOrUpdateUser', { userInformation: others.map((seat) => ({ seatId: seat, emailAddress: seat })), version: '1.0' });
    const bulk = await call('userManagement', 'bulkDeleteUser', { seatId: others, version: '1.0' });
    expect([bulk.deleteUserStatus].flat().map((d: Answer) => d.seatId).sort()).toEqual(others);
  });

  it('every operation the five WSDLs describe was called above', () => {
    const all = Object.entries(described()).flatMap(([service, ops]) => ops.map((op) => `${service}.${op}`));
    expect(all.filter((op) => !called.has(op))).toEqual([]);
  });
});
