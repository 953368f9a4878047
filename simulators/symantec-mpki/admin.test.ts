import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../core/clock.js';
import { parseCertificate } from '../../core/pki/certificate.js';
import { parsePkcs12 } from '../../core/pki/pkcs12.js';
import { toPem } from '../../core/pki/pem.js';
import type { TestPki } from '../../fixtures/test-pki.js';
import { SYMANTEC_DEFAULTS, type SymantecMpki } from './index.js';
import { admin, loadTestPki, newSimulator } from './symantec.test-support.js';

const D = SYMANTEC_DEFAULTS;
let pki: TestPki;
let sim: SymantecMpki;
let clock: AdjustableClock;

beforeAll(async () => {
  pki = await loadTestPki();
}, 60_000);
beforeEach(async () => {
  clock = new AdjustableClock();
  sim = await newSimulator(pki, clock);
});

describe('the admin surface (PKI Manager views and switches)', () => {
  it('shows the seeded MPKI 8.9 account: profiles, seat pools and the registered RA', async () => {
    const { body } = await admin(sim, 'GET', '/state');
    expect(body.account).toMatchObject({ accountId: D.accountId, health: 'UP' });
    const profiles = body.profiles as { oid: string; template: string; mode: string; seatKind: string; seatIdAttribute: string; approvalRequired: boolean; webServices: boolean }[];
    expect(profiles.map((p) => p.oid)).toEqual(Object.values(D.profiles));
    expect(profiles.every((p) => p.template === 'MDM (Web Service Client)')).toBe(true);
    expect(profiles[0]).toMatchObject({ mode: 'Production', seatKind: 'User', seatIdAttribute: 'mail_email' });
    expect(body.seatPools).toEqual([
      { kind: 'User', purchased: 1000, used: 0 },
      { kind: 'Device', purchased: 100, used: 0 },
      { kind: 'Server', purchased: 100, used: 0 },
      { kind: 'Organization', purchased: 100, used: 0 },
    ]);
    expect(body.ras).toEqual([expect.objectContaining({ subject: expect.stringContaining(D.raCommonName), registered: true, revoked: false, entitledProfiles: '*' })]);
  });

  it('adds and changes profiles, and validates the bodies', async () => {
    const added = await admin(sim, 'POST', '/profiles', { oid: '2.16.840.1.113733.1.16.1.2.3.1.1.1', name: 'Servers', seatKind: 'Server', keySizes: [2048, 4096] });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ name: 'Servers', seatKind: 'Server', keySizes: [2048, 4096], mode: 'Production' });
    expect((await admin(sim, 'PATCH', `/profiles/${D.profiles.user}`, { mode: 'Test', webServices: false })).body).toMatchObject({ mode: 'Test', webServices: false });
    expect((await admin(sim, 'PATCH', `/profiles/${D.profiles.user}`, { mode: 'Staging' })).status).toBe(400);
    expect((await admin(sim, 'PATCH', '/profiles/9.9', { mode: 'Test' })).status).toBe(404);
  });

  it('sets seat pools, passcode states and the clock', async () => {
    expect((await admin(sim, 'PATCH', '/seat-pools/Device', { purchased: 5, used: 2 })).body).toEqual({ kind: 'Device', purchased: 5, used: 2 });
    await admin(sim, 'POST', '/passcodes', { seatId: 'a@example.com', profileOid: D.profiles.user, passcode: 'p' });
    for (const [action, status] of [['redeem', 'REDEEMED'], ['lock', 'LOCKED'], ['reset', 'ACTIVE']] as const) {
      expect((await admin(sim, 'POST', `/passcodes/a@example.com/${D.profiles.user}/${action}`)).body.status).toBe(status);
    }
    const expired = await admin(sim, 'POST', `/passcodes/a@example.com/${D.profiles.user}/expire`);
    expect(Date.parse(expired.body.expiryDateTime)).toBeLessThan(clock.now().getTime());
    expect((await admin(sim, 'POST', '/passcodes', { seatId: 'a@example.com', profileOid: '1.2.3' })).status).toBe(409);
    expect((await admin(sim, 'POST', '/clock', { advanceMs: 86_400_000 })).body.offsetMs).toBe(86_400_000);
    expect((await admin(sim, 'PUT', '/faults', { rules: [] })).status).toBe(200);
  });

  it('issues RA .p12 files (valid or already expired), registers, unregisters and revokes them', async () => {
    const issued = await admin(sim, 'POST', '/ras', { password: 'pw', entitledProfiles: [D.profiles.device] });
    expect(issued.status).toBe(201);
    const p12 = parsePkcs12(new Uint8Array(Buffer.from(issued.body.p12, 'base64')), 'pw');
    const cert = parseCertificate(p12.certificate);
    expect(cert.subject.get('CN')).toMatch(/^Registration Authority \d{13}$/);
    expect(cert.extensions.extendedKeyUsage).toEqual(['clientAuth']);
    const expired = await admin(sim, 'POST', '/ras', { password: 'pw', expired: true });
    expect(Date.parse(expired.body.ra.notAfter)).toBeLessThan(Date.now());
    const serial = issued.body.ra.serialHex as string;
    expect((await admin(sim, 'PATCH', `/ras/${serial}`, { registered: false })).body.registered).toBe(false);
    const crlBefore = sim.tlsTrust().crl;
    expect((await admin(sim, 'POST', `/ras/${serial}/revoke`)).body.revoked).toBe(true);
    expect(sim.tlsTrust().crl[0]).not.toBe(crlBefore[0]);
    expect(sim.tlsTrust().crl).toHaveLength(2);
    const registered = await admin(sim, 'POST', '/ras/register', { certificate: toPem('CERTIFICATE', pki.identities['tls-server'].certificate) });
    expect(registered.body).toMatchObject({ registered: true });
    const audit = (await admin(sim, 'GET', '/audit')).body.events as { event: string }[];
    expect(audit.filter((e) => e.event === 'ra')).toHaveLength(3);
  });

  it('resets to the seeded state', async () => {
    await admin(sim, 'POST', '/seat-pools/User/exhaust');
    const reset = await admin(sim, 'POST', '/reset');
    expect((reset.body.seatPools as { kind: string; used: number }[])[0]).toEqual({ kind: 'User', purchased: 1000, used: 0 });
  });
});
