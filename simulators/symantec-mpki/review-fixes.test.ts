/** Regression tests of the review findings: concurrency, atomic bulk changes, robustness of the trust refresh. */
import https from 'node:https';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AdjustableClock } from '../../core/clock.js';
import { parseCertificate } from '../../core/pki/certificate.js';
import { parseCrl } from '../../core/pki/crl.js';
import { generateKeyPair, type KeyPair, privateKeyToPem } from '../../core/pki/keys.js';
import { toPem } from '../../core/pki/pem.js';
import { ScepClient } from '../../core/scep/client.js';
import { REQUEST_TYPES, scepPath, SERVICES, servicePath, soapAction, type SymantecService, TOKEN_TYPES } from '../../core/connectors/symantec-mpki/wire.js';
import { buildCertsOnly } from '../../core/scep/certs-only.js';
import { soapActionsFor } from './wsdl.js';
import type { TestPki } from '../../fixtures/test-pki.js';
import { createMemoryStore } from '../store/memory.js';
import { MPKI_ERRORS, SYMANTEC_DEFAULTS, type SymantecMpki } from './index.js';
import { createSymantecMpki } from './index.js';
import { listenSymantecMpki } from './listen.js';
import { RaTrust } from './ra.js';
import { AUDIT_LIMIT, passcodeKey, seatKey, userKey } from './state.js';
import { admin, call, csrBase64, envelope, loadTestPki, newSimulator, nvp, op, ORIGIN, peerOf, PUBLIC_BASE, rst } from './symantec.test-support.js';
import { at, childText } from '../../core/soap/index.js';
import { symantecRaTrust } from '../../fixtures/symantec-ra.js';

const D = SYMANTEC_DEFAULTS;
let pki: TestPki;
let key: KeyPair;
let csr: string;
const ra = () => peerOf(pki.identities['symantec-ra'].certificate);

beforeAll(async () => {
  pki = await loadTestPki();
  key = await generateKeyPair({ type: 'rsa', bits: 2048 });
  csr = await csrBase64(key);
}, 60_000);
afterEach(() => vi.restoreAllMocks());

const issueXml = (oid: string, seat: string) =>
  rst(`<certificateProfileID>${oid}</certificateProfileID><tokenType>${TOKEN_TYPES.X509v3}</tokenType><requestType>${REQUEST_TYPES.Issue}</requestType><binarySecurityToken>${csr}</binarySecurityToken>${nvp({ common_name: seat.split('@')[0]!, mail_email: seat })}<version>2.0</version>`);

async function enroll(sim: SymantecMpki, seat: string): Promise<string> {
  const a = await call(sim, 'enrollment', issueXml(D.profiles.user, seat), ra());
  expect(a.status).toBe(200);
  return parseCertificate(new Uint8Array(Buffer.from(childText(at(a.body, 'RequestVSSecurityTokenResponse/requestedVSSecurityToken'), 'binarySecurityToken')!, 'base64'))).serialHex;
}

async function pendingId(sim: SymantecMpki): Promise<string> {
  const a = await call(sim, 'enrollment', issueXml(D.profiles.approval, 'jane@example.com'), ra());
  return childText(at(a.body, 'RequestVSSecurityTokenResponse/requestedVSSecurityToken'), 'pendingTokenReferenceID')!;
}

describe('approval of pending requests (1)', () => {
  it('issues once for two concurrent approvals, and lets only one of approve and reject win', async () => {
    const sim = await newSimulator(pki);
    const id = await pendingId(sim);
    const both = await Promise.allSettled([sim.service.approve(id), sim.service.approve(id)]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(sim.state.certificates.count()).toBe(1);
    const other = await pendingId(sim);
    const race = await Promise.allSettled([sim.service.approve(other), Promise.resolve().then(() => sim.service.reject(other))]);
    expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(sim.state.pending.get(other)!.status).toBe('APPROVED');
  });

  it('puts the request back to PENDING when issuing fails', async () => {
    const sim = await newSimulator(pki);
    const id = await pendingId(sim);
    vi.spyOn(sim.service, 'issue').mockRejectedValueOnce(new Error('HSM unavailable'));
    await expect(sim.service.approve(id)).rejects.toThrow('HSM unavailable');
    expect(sim.state.pending.get(id)!.status).toBe('PENDING');
    await sim.service.approve(id);
    expect(sim.state.pending.get(id)!.status).toBe('APPROVED');
  });
});

describe('bulk status change by serial (2)', () => {
  it('changes nothing when one serial is refused, so revocationCount 0 is true', async () => {
    const sim = await newSimulator(pki);
    const a = await enroll(sim, 'a@example.com');
    const b = await enroll(sim, 'b@example.com');
    sim.management.updateStatus('Revoke', { serials: [b] }, undefined, undefined);
    const answer = await call(
      sim,
      'management',
      op('management', 'bulkUpdateCertificateStatusRequest', `<version>1.0</version><operationType>Revoke</operationType><certificateSerialNumber>${a}</certificateSerialNumber><certificateSerialNumber>${b}</certificateSerialNumber>`),
      ra(),
    );
    expect(childText(answer.body, 'successCode')).toBe(MPKI_ERRORS.alreadyRevoked.code);
    expect(childText(answer.body, 'revocationCount')).toBe('0');
    expect(sim.repository.get(a)!.status).toBe('valid');
  });
});

describe('RA trust refresh (3)', () => {
  it('logs a failed CRL build or a throwing listener and keeps refreshing', async () => {
    const clock = new AdjustableClock();
    const sim = await newSimulator(pki, clock);
    const issuer = pki.issuingAuthority();
    let broken = true;
    const flaky = Object.create(issuer, { privateKey: { get: () => (broken ? (undefined as never) : issuer.privateKey) } });
    const log = vi.fn();
    const trust = new RaTrust(sim.state, flaky, [toPem('CERTIFICATE', pki.issuingCa.certificate)], clock, [], log);
    await expect(trust.ready()).resolves.toBeUndefined();
    expect(log).toHaveBeenCalledWith('RA CRL rebuild failed', expect.anything());
    broken = false;
    const seen: string[] = [];
    trust.onChange(() => {
      throw new Error('setSecureContext failed');
    });
    trust.onChange(() => seen.push('second'));
    await trust.issue({ password: 'pw' });
    await trust.ready();
    expect(seen).toEqual(['second']);
    expect(log).toHaveBeenCalledWith('RA trust listener failed', expect.any(Error));
  });
});

describe('userManagementService input (4)', () => {
  const users = (sim: SymantecMpki, name: string, inner: string) => call(sim, 'userManagement', op('userManagement', name, inner), ra());

  it('refuses an unreadable expiryDateTime as invalidValue', async () => {
    const sim = await newSimulator(pki);
    const a = await users(sim, 'createOrUpdatePasscodeRequest', `<version>1.0</version><passcodeInformation><seatId>jane@example.com</seatId><certificateProfileOid>${D.profiles.user}</certificateProfileOid><expiryDateTime>not-a-date</expiryDateTime></passcodeInformation>`);
    expect(a.fault).toMatchObject({ faultcode: 'soap:Client', errorcode: MPKI_ERRORS.invalidValue.code });
  });

  it('saves no entry of a multi-entry request when a later one faults', async () => {
    const sim = await newSimulator(pki);
    const u = await users(sim, 'createOrUpdateUserRequest', `<version>1.0</version><userInformation><seatId>first@example.com</seatId></userInformation><userInformation><firstName>no seat</firstName></userInformation>`);
    expect(u.fault?.errorcode).toBe(MPKI_ERRORS.missingElement.code);
    expect(sim.state.users.get(userKey('first@example.com'))).toBeUndefined();
    const p = await users(
      sim,
      'createOrUpdatePasscodeRequest',
      `<version>1.0</version><passcodeInformation><seatId>first@example.com</seatId><certificateProfileOid>${D.profiles.user}</certificateProfileOid></passcodeInformation><passcodeInformation><seatId>second@example.com</seatId><certificateProfileOid>1.2.3.4.404</certificateProfileOid></passcodeInformation>`,
    );
    expect(p.fault?.errorcode).toBe(MPKI_ERRORS.profileNotFound.code);
    expect(sim.state.passcodes.get(passcodeKey('first@example.com', D.profiles.user))).toBeUndefined();
  });
});

describe('SCEP passcode redemption (5)', () => {
  it('gives the passcode and the seat back when issuing fails, so the device can retry', async () => {
    const sim = await newSimulator(pki);
    const seat = 'jane@example.com';
    expect((await admin(sim, 'POST', '/passcodes', { seatId: seat, profileOid: D.profiles.user, passcode: 'right' })).status).toBe(201);
    const client = new ScepClient({ url: `${PUBLIC_BASE}${scepPath(D.profiles.user)}`, fetch: (input, init) => sim.handler(new Request(input, init), { address: '127.0.0.1', tls: false }) });
    const enroll = () => client.enroll({ privateKey: key.privateKey, subject: 'CN=Jane Doe', challenge: 'right', subjectAltNames: [{ type: 'email', value: seat }] });
    vi.spyOn(sim.service.ca, 'issueFromCsr').mockRejectedValueOnce(new Error('HSM unavailable'));
    await enroll().catch(() => undefined);
    expect(sim.state.passcodes.get(passcodeKey(seat, D.profiles.user))!.status).toBe('ACTIVE');
    expect(sim.state.seats.get(seatKey('User', seat))).toBeUndefined();
    expect(sim.state.pools.get('User')!.used).toBe(0);
    const issued = await enroll();
    expect(issued.certificate).toBeDefined();
    expect(sim.state.passcodes.get(passcodeKey(seat, D.profiles.user))!.status).toBe('REDEEMED');
  });
});

describe('CRL of issued certificates (6)', () => {
  it('numbers CRLs from the store, so a restart does not go backwards, and builds one at a time', async () => {
    const store = createMemoryStore();
    const make = () =>
      createSymantecMpki({
        store,
        clock: new AdjustableClock(),
        ca: pki.issuingAuthority(),
        raTrust: symantecRaTrust(pki),
      });
    const number = async (sim: SymantecMpki) => {
      const res = await sim.handler(new Request(`${PUBLIC_BASE}/pki-crl/symantec-mpki/LatestCRL.crl`), { address: '127.0.0.1', tls: false });
      expect(res.status).toBe(200);
      return parseCrl(new Uint8Array(await res.arrayBuffer())).crlNumber;
    };
    const first = make();
    const [a, b] = await Promise.all([number(first), number(first)]);
    expect(a).toBe(b);
    const restarted = make();
    expect(await number(restarted)).toBeGreaterThan(a!);
  });
});

describe('admin surface (7)', () => {
  it('answers a non-hex RA serial with 404 JSON', async () => {
    const sim = await newSimulator(pki);
    expect((await admin(sim, 'PATCH', '/ras/not-hex', { registered: false })).status).toBe(404);
    const revoke = await admin(sim, 'POST', '/ras/zz/revoke');
    expect(revoke.status).toBe(404);
    expect(revoke.body).toMatchObject({ error: expect.anything() });
  });

  it(`keeps only the newest ${AUDIT_LIMIT} audit events`, async () => {
    const sim = await newSimulator(pki);
    sim.state.reset();
    for (let i = 0; i < AUDIT_LIMIT + 5; i++) sim.state.record({ event: 'test', outcome: 'success', detail: String(i) });
    const events = sim.state.audit.list();
    expect(events).toHaveLength(AUDIT_LIMIT);
    expect(events[0]!.seq).toBe(6);
    expect(events.at(-1)!.seq).toBe(AUDIT_LIMIT + 5);
  });
});

describe('web-services listener (8)', () => {
  it('keeps a logging error listener after listen(), so a later server error does not crash the process', async () => {
    const sim = await newSimulator(pki);
    const create = https.createServer.bind(https);
    let server: https.Server | undefined;
    vi.spyOn(https, 'createServer').mockImplementation(((...args: Parameters<typeof https.createServer>) => (server = create(...(args as [https.ServerOptions])))) as typeof https.createServer);
    const tls = pki.identities['tls-server'];
    const log = vi.fn();
    const listening = await listenSymantecMpki(sim, { key: privateKeyToPem(tls.privateKey), cert: toPem('CERTIFICATE', tls.certificate), log });
    try {
      expect(server!.listenerCount('error')).toBe(1);
      server!.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' }));
      expect(log).toHaveBeenCalledWith('server error', expect.any(Error));
    } finally {
      await listening.close();
    }
  });
});

describe('SOAPAction (9)', () => {
  const post = async (sim: SymantecMpki, service: SymantecService, body: string, action: string | undefined) => {
    const res = await sim.handler(
      new Request(`${ORIGIN}${servicePath(service)}`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', ...(action !== undefined ? { soapaction: action } : {}) }, body: envelope(body) }),
      ra(),
    );
    const text = await res.text();
    return { status: res.status, text, errorcode: /<errorcode>([^<]*)<\/errorcode>/.exec(text)?.[1] };
  };
  const health = op('healthcheck', 'getStatusRequestMessage', '<version>1.0</version>');
  const policies = op('policy', 'getPolicies', '<version>1.0</version>');

  it('accepts none, an empty one and the WSDL value; refuses one naming another operation', async () => {
    const sim = await newSimulator(pki);
    for (const action of [undefined, '', '""', `"${soapAction('healthcheck', 'getStatus')}"`, soapAction('healthcheck', 'getStatus')]) expect((await post(sim, 'healthcheck', health, action)).status).toBe(200);
    for (const action of ['requestPolicies', 'getPolicies']) expect((await post(sim, 'policy', policies, `"${soapAction('policy', action)}"`)).status).toBe(200);
    const wrong = await post(sim, 'healthcheck', health, `"${soapAction('healthcheck', 'getStatusX')}"`);
    expect(wrong.status).toBe(500);
    expect(wrong.text).toContain('soap:Client');
    expect(wrong.errorcode).toBe(MPKI_ERRORS.soapActionMismatch.code);
    const crossed = await post(sim, 'management', op('management', 'searchCertificateRequest', '<version>1.0</version>'), `"${soapAction('management', 'updateCertificateStatus')}"`);
    expect(crossed.errorcode).toBe(MPKI_ERRORS.soapActionMismatch.code);
  });

  it('announces in the WSDLs exactly the actions it accepts', async () => {
    const sim = await newSimulator(pki);
    for (const service of Object.keys(SERVICES) as SymantecService[]) {
      const wsdl = await (await sim.handler(new Request(`${ORIGIN}${servicePath(service)}?wsdl`), ra())).text();
      const announced = [...wsdl.matchAll(/soapAction="([^"]+)"/g)].map((m) => m[1]!);
      expect(announced.length).toBeGreaterThan(0);
      const inputs = [...wsdl.matchAll(/<wsdl:part name="parameters" element="\w+:(\w+)"\/><\/wsdl:message><wsdl:message name="\w+Response"/g)].map((m) => m[1]!);
      expect(inputs.flatMap((input) => soapActionsFor(service, input)).filter((a) => announced.includes(a)).sort()).toEqual([...announced].sort());
    }
  });
});

describe('enrollment faithfulness (10)', () => {
  it('announces additionalContext and preferredLanguage in the enrollment WSDL', async () => {
    const sim = await newSimulator(pki);
    const wsdl = await (await sim.handler(new Request(`${ORIGIN}${servicePath('enrollment')}?wsdl`), ra())).text();
    expect(wsdl).toMatch(/name="binarySecurityToken"[^>]*\/><xs:element name="additionalContext"[^>]*\/><xs:element name="pendingTokenReferenceID"/);
    expect(wsdl).toContain('<xs:attribute name="preferredLanguage"');
  });

  it('renews a certificate given as a certs-only PKCS#7 token', async () => {
    const clock = new AdjustableClock();
    const sim = await newSimulator(pki, clock);
    const serial = await enroll(sim, 'jane@example.com');
    const der = new Uint8Array(Buffer.from(sim.repository.get(serial)!.der, 'base64'));
    const p7 = Buffer.from(buildCertsOnly({ certificates: [...sim.service.ca.chain, der] })).toString('base64');
    clock.advance((365 - 20) * 86_400_000);
    const a = await call(
      sim,
      'enrollment',
      rst(`<certificateProfileID>${D.profiles.user}</certificateProfileID><tokenType>${TOKEN_TYPES.X509v3}</tokenType><requestType>${REQUEST_TYPES.Renew}</requestType><binarySecurityToken>${csr}</binarySecurityToken><binarySecurityToken ValueType="${TOKEN_TYPES.PKCS7}">${p7}</binarySecurityToken><version>2.0</version>`),
      ra(),
    );
    expect(a.fault).toBeUndefined();
    expect(childText(at(a.body, 'RequestVSSecurityTokenResponse'), 'dispositionMessage')).toBe('Issued');
  });
});
