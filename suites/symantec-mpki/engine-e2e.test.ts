/**
 * MobileIron VSP with "Symantec Web Services Managed PKI" (guide 000), for real over mutual TLS on loopback:
 *
 * 1. The connector against the simulator's own mutual-TLS listener (listenSymantecMpki): Test Connection lists the
 *    Mobile Profiles by OID; enrolment maps SeatID to the profile's seat attribute and leaves an empty optional
 *    field out (read back from the simulator's state); PKCS7 and PKCS12 tokens; the approval (pending) flow;
 *    revocation and status; a fault in "<message> (<errorcode>)" form; a revoked RA refused in the handshake.
 * 2. The guide's flow in the embedded setup: the engine's admin API adds the CA (Server = host:port only, the RA
 *    .p12 and its password) and a SCEP setting (Enable Proxy, Mobile Profile by OID, SeatID and fields as
 *    variables, Issue Test Certificate); an emulated iOS device and an Android agent register and install it; the
 *    engine's Certificate Logs show each certificate, and the same serial is in the PKI Manager view of the
 *    simulator's admin surface.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../core/clock.js';
import { SymantecMpkiConnector, SymantecPendingError } from '../../core/connectors/symantec-mpki/index.js';
import { SYMANTEC_SERVER_HOST_ONLY } from '../../core/connectors/texts.js';
import { parseCertificate } from '../../core/pki/certificate.js';
import { buildCsr } from '../../core/pki/csr.js';
import { generateKeyPair, privateKeyToPem, type KeyPair } from '../../core/pki/keys.js';
import { toPem } from '../../core/pki/pem.js';
import { TEST_PKI_PASSWORD } from '../../fixtures/defaults.js';
import { loadTestPki, type TestPki } from '../../fixtures/test-pki.js';
import { AndroidAgent, IosDevice } from '../../simulators/devices/index.js';
import { startEmbeddedSimulators, type EmbeddedSimulators } from '../../simulators/embedded.js';
import { createMemoryStore } from '../../simulators/store/memory.js';
import { createSymantecMpki, listenSymantecMpki, SYMANTEC_DEFAULTS, type SymantecMpki } from '../../simulators/symantec-mpki/index.js';
import { symantecRaTrust } from '../../fixtures/symantec-ra.js';

type Dict = Record<string, unknown>;
const D = SYMANTEC_DEFAULTS;

describe('Symantec connector over mutual TLS against the simulator', () => {
  let pki: TestPki;
  let sim: SymantecMpki;
  let listening: { url: string; close(): Promise<void> };
  let connector: SymantecMpkiConnector;
  let keys: KeyPair;
  const make = () =>
    new SymantecMpkiConnector(
      { name: 'Symantec', type: 'symantec-mpki', server: new URL(listening.url).host, raCertificate: pki.identities['symantec-ra'].p12Path, raCertificatePassword: TEST_PKI_PASSWORD },
      { trustedCertificates: [toPem('CERTIFICATE', pki.root.certificate)] },
    );

  beforeAll(async () => {
    [pki, keys] = await Promise.all([loadTestPki(), generateKeyPair({ type: 'rsa', bits: 2048 })]);
    const clock = new AdjustableClock();
    sim = createSymantecMpki({
      store: createMemoryStore(),
      clock,
      ca: pki.issuingAuthority(clock),
      raTrust: symantecRaTrust(pki),
      registeredRaCertificates: [pki.identities['symantec-ra'].certificate],
    });
    sim.setPublicBaseUrl('http://127.0.0.1:9');
    const tls = pki.identities['tls-server'];
    listening = await listenSymantecMpki(sim, { key: privateKeyToPem(tls.privateKey), cert: [tls.certificate, ...tls.chain.slice(0, -1)].map((der) => toPem('CERTIFICATE', der)).join('') });
    connector = make();
  });
  afterAll(async () => {
    connector?.close();
    await listening?.close();
  });

  const csr = (subject = 'CN=ignored') => buildCsr({ subject, privateKey: keys.privateKey });

  it('Test Connection lists the Mobile Profiles by OID, with the seat ID attribute and fields of each', async () => {
    const test = await connector.testConnection();
    expect(test).toMatchObject({ ok: true, details: { status: 'UP' } });
    expect(test.ok && test.details.mobileProfiles!.split(', ')).toEqual(expect.arrayContaining([D.profiles.user, D.profiles.device]));
    const profiles = await connector.profiles();
    expect(profiles.find((p) => p.oid === D.profiles.user)).toMatchObject({ seatIdAttribute: D.seatAttribute, requiredFields: expect.arrayContaining(['common_name', D.seatAttribute]), optionalFields: expect.arrayContaining(['mobile_phone']) });
    expect(profiles.find((p) => p.oid === D.profiles.device)).toMatchObject({ seatIdAttribute: D.deviceSeatAttribute });
    expect(profiles.some((p) => p.oid === D.profiles.noWebServices)).toBe(false);
  });

  it('enrols a CSR: SeatID goes out as the profile\'s seat attribute and the empty optional field is left out', async () => {
    const credential = await connector.enroll({
      key: { csr: await csr() },
      subject: 'CN=Jane Doe',
      profile: { certificateType: 'user', params: { profileOid: D.profiles.user, seatId: 'jane.doe@example.com', common_name: 'Jane Doe', mobile_phone: '' } },
    });
    expect(parseCertificate(credential.certificate).subject.get('CN')).toBe('Jane Doe');
    const meta = sim.state.certificates.get(credential.serialHex.toLowerCase().replace(/^0+/, '')) ?? sim.state.certificates.list().find((c) => c.serialHex.endsWith(credential.serialHex.toLowerCase().replace(/^0+/, '')));
    expect(meta).toMatchObject({ seatId: 'jane.doe@example.com', profileOid: D.profiles.user });
    expect(meta!.fields!.map((f) => f.name).sort()).toEqual(['common_name', D.seatAttribute].sort());
    expect(await connector.status(credential.serialHex)).toEqual({ status: 'valid' });
    expect((await connector.caCertificates()).length).toBeGreaterThan(0);
  });

  it('reads a PKCS7 token and a PKCS12 token of a key-escrow profile', async () => {
    const p7 = await connector.enroll({ key: { csr: await csr() }, subject: 'CN=x', profile: { certificateType: 'device', params: { profileOid: D.profiles.device, seatId: 'dev-0001', common_name: 'dev-0001', tokenType: 'PKCS7' } } });
    expect(p7.chain.length).toBeGreaterThan(0);
    // The default account has a key-escrow profile (simulators/symantec-mpki fixtures): without it this part would test nothing.
    const escrow = sim.state.profiles.list().find((p) => p.keyEscrow);
    expect(escrow).toBeDefined();
    if (!escrow) return;
    const p12 = await connector.enroll({
      key: { serverGeneratedKey: { keySpec: { type: 'rsa', bits: 2048 } } },
      subject: 'CN=x',
      profile: { certificateType: 'user', params: { profileOid: escrow.oid, seatId: 'escrow@example.com', common_name: 'Escrow', tokenType: 'PKCS12', ...Object.fromEntries(escrow.requiredFields.filter((f) => f !== escrow.seatIdAttribute && f !== 'common_name').map((f) => [f, 'x'])) } },
    });
    expect(p12.privateKey).toBeDefined();
  });

  it('turns an approval profile\'s answer into a pending error that polling resolves once approved', async () => {
    const request = { key: { csr: await csr() }, subject: 'CN=x', profile: { certificateType: 'user' as const, params: { profileOid: D.profiles.approval, seatId: 'approve.me@example.com', common_name: 'Approve Me' } } };
    const pending = await connector.enroll(request).catch((e: unknown) => e);
    expect(pending).toBeInstanceOf(SymantecPendingError);
    await expect(connector.poll(pending as SymantecPendingError)).rejects.toBeInstanceOf(SymantecPendingError);
    await sim.service.approve((pending as SymantecPendingError).referenceId);
    const credential = await connector.poll(pending as SymantecPendingError);
    expect(parseCertificate(credential.certificate).subject.get('CN')).toBe('Approve Me');
  });

  it('revokes by serial and reads the status back; a second revocation is refused with successMsg', async () => {
    const credential = await connector.enroll({ key: { csr: await csr() }, subject: 'CN=x', profile: { certificateType: 'user', params: { profileOid: D.profiles.user, seatId: 'revoke@example.com', common_name: 'Revoke' } } });
    await connector.revoke(credential.serialHex, 'keyCompromise');
    expect(await connector.status(credential.serialHex)).toMatchObject({ status: 'revoked' });
    await expect(connector.revoke(credential.serialHex)).rejects.toMatchObject({ code: 'rejected' });
  });

  it('words faults "<message> (<errorcode>)", refuses a missing required field before sending, and the Server rule', async () => {
    const unknown = connector.enroll({ key: { csr: await csr() }, subject: 'CN=x', profile: { certificateType: 'user', params: { profileOid: '2.16.840.1.113733.9.9.9', seatId: 'a@b.c', common_name: 'A' } } });
    await expect(unknown).rejects.toMatchObject({ code: 'rejected', message: expect.stringMatching(/^Certificate profile 2\.16\.840\.1\.113733\.9\.9\.9 not found \(-?\d+\)$/) });
    const before = sim.state.audit.list().length;
    await expect(connector.enroll({ key: { csr: await csr() }, subject: 'CN=x', profile: { certificateType: 'user', params: { profileOid: D.profiles.user, seatId: '', common_name: 'A' } } })).rejects.toMatchObject({ code: 'configuration' });
    expect(sim.state.audit.list().length).toBe(before);
    const wrong = new SymantecMpkiConnector({ name: 'S', type: 'symantec-mpki', server: `https://${new URL(listening.url).host}/pki-ws`, raCertificate: pki.identities['symantec-ra'].p12Path, raCertificatePassword: TEST_PKI_PASSWORD });
    expect(await wrong.testConnection()).toMatchObject({ ok: false, code: 'configuration', message: SYMANTEC_SERVER_HOST_ONLY });
  });

  it('Test Connection reports a service whose health check answers DOWN (PKI Manager switch)', async () => {
    const health = (status: string) =>
      sim.handler(new Request('http://127.0.0.1/__mdmca/symantec-mpki/health', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status }) }), { address: '127.0.0.1', tls: false });
    expect((await health('DOWN')).status).toBe(200);
    try {
      const test = await connector.testConnection();
      expect(test).toMatchObject({ ok: false, code: 'unreachable', message: expect.stringContaining('DOWN') });
    } finally {
      await health('UP');
    }
  });

  it('measures sequential CSR enrolments over one keep-alive mutual-TLS connection (printed)', async () => {
    const request = await csr();
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await connector.enroll({ key: { csr: request }, subject: 'CN=x', profile: { certificateType: 'device', params: { profileOid: D.profiles.device, seatId: `bench-${i}`, common_name: `bench-${i}` } } });
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    console.log(`Symantec enrol over mTLS, 20 sequential: p50 ${times[10]!.toFixed(1)} ms, max ${times[19]!.toFixed(1)} ms`);
    expect(times[10]).toBeLessThan(1000);
  });

  it('a revoked RA certificate is refused (in the handshake, or by a "not authorized" fault) as an authentication error', async () => {
    sim.ras.revoke(parseCertificate(pki.identities['symantec-ra'].certificate).serialHex);
    await sim.tlsTrustReady();
    const test = await make().testConnection();
    expect(test).toMatchObject({ ok: false, code: 'authentication' });
    // The simulator refuses in the handshake when its RA CRL covers the whole chain, else with a fault.
    expect(test.ok === false && test.message).toMatch(/refused the RA certificate|Not authorized/);
    console.log(`revoked RA: ${test.ok === false ? test.message : ''}`);
  });
});

describe('MobileIron VSP flow with the embedded Symantec simulator: devices → engine → Symantec → PKI Manager', () => {
  let sims: EmbeddedSimulators;
  let mdm: string;
  let admin: string;
  let symantecAdmin: string;
  const call = async (base: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { status: response.status, body: (await response.json()) as Dict };
  };
  const configuration = {
    name: 'Symantec Managed PKI',
    description: 'guide 000, Table 2-1',
    product: 'mobileiron-core',
    ca: 'Symantec Web Services Managed PKI',
    enableProxy: true,
    certificateType: 'device',
    subject: 'CN=${userEmailAddress}',
    caParams: { profileOid: D.profiles.user },
    // Required Fields: SeatID (the profile's mail_email) and common_name; Optional: the phone, empty on a tablet.
    fields: { seatId: '${userEmailAddress}', common_name: '${userFirstName} ${userLastName}', mobile_phone: '${devicePhoneNumber}' },
    issueTestCertificate: true,
    distribution: { mode: 'all' },
  };

  beforeAll(async () => {
    sims = await startEmbeddedSimulators();
    mdm = sims.url('mdm', 'mdm');
    admin = sims.url('mdm', 'admin');
    symantecAdmin = sims.url('symantec-mpki', 'admin');
    const endpoint = sims.endpoint('symantec-mpki', 'pki-ws');
    const ca = await call(admin, 'POST', '/cas', {
      name: 'Symantec Web Services Managed PKI',
      type: 'symantec-mpki',
      server: new URL(endpoint.url).host,
      raCertificate: endpoint.credentials!.clientP12!,
      raCertificatePassword: endpoint.credentials!.clientP12Password!,
    });
    expect(ca.status).toBe(201);
    const test = await call(admin, 'POST', `/cas/${ca.body.id as string}/test-connection`);
    expect(test.body).toMatchObject({ ok: true });
    expect(String((test.body.details as Dict).mobileProfiles)).toContain(D.profiles.user);
  });
  afterAll(() => sims?.close());

  it('saving the SCEP setting with Issue Test Certificate issues a test certificate, visible in PKI Manager', async () => {
    const saved = await call(admin, 'POST', '/configurations', configuration);
    expect(saved.status).toBe(201);
    expect(saved.body.testCertificate).toMatchObject({ status: 'issued', test: true });
    const serial = (saved.body.testCertificate as Dict).serialHex as string;
    const manager = (await call(symantecAdmin, 'GET', '/certificates')).body.certificates as Dict[];
    expect(manager.find((c) => (c.serialHex as string).replace(/^0+/, '') === serial.toLowerCase().replace(/^0+/, ''))).toMatchObject({ profileOid: D.profiles.user, status: 'VALID' });
  });

  const expectIssued = async (userId: string, seatId: string) => {
    const logs = (await call(admin, 'GET', `/certificates?user=${userId}&setting=${encodeURIComponent(configuration.name)}&status=issued`)).body.certificates as Dict[];
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ userId, settingName: configuration.name, source: 'scep-proxy', certificateType: 'device' });
    const serial = (logs[0]!.serialHex as string).toLowerCase().replace(/^0+/, '');
    const manager = (await call(symantecAdmin, 'GET', '/certificates')).body.certificates as Dict[];
    const seen = manager.find((c) => (c.serialHex as string).replace(/^0+/, '') === serial);
    expect(seen).toMatchObject({ seatId, profileOid: D.profiles.user, status: 'VALID' });
    return serial;
  };

  it('an iOS device registers, installs the profile and enrols through the proxy; logs and PKI Manager agree', async () => {
    const ios = new IosDevice({ serialNumber: 'C02SYMANTEC1' });
    await ios.register(mdm, 'jdoe', 'Passw0rd!');
    const result = await ios.sync();
    expect(result.failed).toBe(0);
    const serial = await expectIssued('jdoe', 'jane.doe@example.com');
    const identity = ios.keychain.toJSON().identities.find((i) => i.serial.toLowerCase().replace(/[:\s]/g, '').replace(/^0+/, '') === serial);
    expect(identity).toBeDefined();
  });

  it('an Android agent (with a phone number) does the same', async () => {
    const android = new AndroidAgent({ phoneNumber: '+16175550123' });
    await android.register(mdm, 'asmith', 'Ldap-Pass1');
    const result = await android.updateConfiguration();
    expect(result.failed).toBe(0);
    const serial = await expectIssued('asmith', 'alice.smith@example.com');
    expect(android.keystore.toJSON().keyPairs.some((e) => e.serial.toLowerCase().replace(/[:\s]/g, '').replace(/^0+/, '') === serial)).toBe(true);
  });

  it('"Cache locally generated keys on the VSP": the engine makes the key, Symantec issues it, the device gets a PKCS#12', async () => {
    const cached = { ...configuration, name: 'Symantec Managed PKI (cached keys)', certificateType: 'user', cacheLocallyGeneratedKeys: true, issueTestCertificate: false, distribution: { mode: 'custom', groups: ['Employees'] } };
    expect((await call(admin, 'POST', '/configurations', cached)).status).toBe(201);
    const agent = new AndroidAgent();
    await agent.register(mdm, 'asmith', 'Ldap-Pass1');
    expect((await agent.updateConfiguration()).failed).toBe(0);
    const logs = (await call(admin, 'GET', `/certificates?user=asmith&setting=${encodeURIComponent(cached.name)}&status=issued`)).body.certificates as Dict[];
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ source: 'pkcs12', escrowed: true, certificateType: 'user' });
    const serial = (logs[0]!.serialHex as string).toLowerCase().replace(/^0+/, '');
    expect(agent.keystore.toJSON().keyPairs.some((e) => e.serial.toLowerCase().replace(/^0+/, '') === serial)).toBe(true);
    const manager = (await call(symantecAdmin, 'GET', '/certificates')).body.certificates as Dict[];
    expect(manager.find((c) => (c.serialHex as string).replace(/^0+/, '') === serial)).toMatchObject({ seatId: 'alice.smith@example.com', status: 'VALID' });
  });
});
