import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../core/clock.js';
import { parseCertificate } from '../../core/pki/certificate.js';
import { generateKeyPair, type KeyPair } from '../../core/pki/keys.js';
import { ScepClient, ScepClientError } from '../../core/scep/client.js';
import { PkiStatus } from '../../core/scep/constants.js';
import { SCEP_PASSCODE_ERRORS, scepPath } from '../../core/connectors/symantec-mpki/wire.js';
import type { TestPki } from '../../fixtures/test-pki.js';
import { SYMANTEC_DEFAULTS, type SymantecMpki } from './index.js';
import { admin, loadTestPki, newSimulator, PUBLIC_BASE } from './symantec.test-support.js';

const D = SYMANTEC_DEFAULTS;
const SEAT = 'jane@example.com';
let pki: TestPki;
let key: KeyPair;
let key2: KeyPair;
let sim: SymantecMpki;

beforeAll(async () => {
  pki = await loadTestPki();
  [key, key2] = await Promise.all([generateKeyPair({ type: 'rsa', bits: 2048 }), generateKeyPair({ type: 'rsa', bits: 2048 })]);
}, 60_000);
beforeEach(async () => {
  sim = await newSimulator(pki, new AdjustableClock());
  expect((await admin(sim, 'POST', '/passcodes', { seatId: SEAT, profileOid: D.profiles.user, passcode: 'right-passcode' })).status).toBe(201);
});

function client(oid: string = D.profiles.user): ScepClient {
  return new ScepClient({ url: `${PUBLIC_BASE}${scepPath(oid)}`, fetch: (input, init) => sim.handler(new Request(input, init), { address: '127.0.0.1', tls: false }) });
}
const enroll = (challenge: string, subject = 'CN=Jane Doe', email: string | undefined = SEAT, k = key) =>
  client().enroll({ privateKey: k.privateKey, subject, challenge, ...(email ? { subjectAltNames: [{ type: 'email', value: email }] } : {}) });

async function refusal(promise: Promise<unknown>): Promise<{ status?: number; body?: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ScepClientError);
    const e = error as ScepClientError;
    return { ...(e.status !== undefined ? { status: e.status } : {}), ...(e.body !== undefined ? { body: e.body } : {}) };
  }
  throw new Error('expected a refusal');
}
const expectRefusal = async (promise: Promise<unknown>, key: keyof typeof SCEP_PASSCODE_ERRORS) => {
  const { status, text } = SCEP_PASSCODE_ERRORS[key];
  expect(await refusal(promise)).toEqual({ status, body: text });
};

describe('SCEP with per-seat passcodes', () => {
  it('issues for the right passcode, shows it in the PKI Manager, and then refuses the redeemed passcode with 412', async () => {
    const result = await enroll('right-passcode');
    expect(result.status).toBe(PkiStatus.SUCCESS);
    const cert = parseCertificate(result.certificate!);
    expect(cert.subject.get('CN')).toBe('Jane Doe');
    expect(cert.extensions.extendedKeyUsage).toContain('clientAuth');
    expect(cert.extensions.crlDistributionPoints?.[0]).toBe(`${PUBLIC_BASE}/pki-crl/symantec-mpki/LatestCRL.crl`);
    const view = (await admin(sim, 'GET', '/certificates')).body.certificates as { channel: string; seatId: string; status: string }[];
    expect(view).toEqual([expect.objectContaining({ channel: 'scep', seatId: SEAT, status: 'VALID' })]);
    expect(((await admin(sim, 'GET', '/passcodes')).body.passcodes as { status: string }[])[0]?.status).toBe('REDEEMED');
    // A new key (a new transaction: a retry of the same one would get the same certificate back, RFC 8894 §3.3.3).
    await expectRefusal(enroll('right-passcode', 'CN=Jane Doe', SEAT, key2), 'redeemedOrLocked');
  });

  it('answers 401 for a wrong passcode, and 412 once too many bad attempts locked it', async () => {
    await expectRefusal(enroll('wrong'), 'authenticationFailed');
    for (let i = 1; i < D.maxPasscodeAttempts - 1; i++) await expectRefusal(enroll('wrong'), 'authenticationFailed');
    await expectRefusal(enroll('wrong'), 'redeemedOrLocked');
    await expectRefusal(enroll('right-passcode'), 'redeemedOrLocked');
  });

  it('answers 406 for an expired passcode', async () => {
    await admin(sim, 'POST', `/passcodes/${SEAT}/${D.profiles.user}/expire`);
    await expectRefusal(enroll('right-passcode'), 'expired');
  });

  it('answers 400 when the CSR does not match the profile (no seat ID, no CN)', async () => {
    await expectRefusal(enroll('right-passcode', 'CN=Jane Doe', 'someone-else@example.com'), 'verificationFailed');
    await expectRefusal(enroll('right-passcode', 'O=No Common Name'), 'verificationFailed');
  });

  it('answers 404 for an unknown profile path, and records refusals in the audit trail', async () => {
    const res = await sim.handler(new Request(`${PUBLIC_BASE}${scepPath('1.2.3')}?operation=GetCACaps`), { address: '127.0.0.1', tls: false });
    expect(res.status).toBe(404);
    await expectRefusal(enroll('wrong'), 'authenticationFailed');
    const events = (await admin(sim, 'GET', '/audit')).body.events as { event: string; errorCode?: string }[];
    expect(events.some((e) => e.event === 'scep' && e.errorCode === '401')).toBe(true);
  });
});
