/**
 * The MDM engine end to end in the embedded setup (`mdmca serve`): the engine's device API and admin surface over
 * HTTP, the embedded SCEP CA simulator as its CA. A ScepClient stands in for the device's SCEP stack.
 */
import * as plist from 'plist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/pki/certificate.js';
import { parseCrl } from '../../core/pki/crl.js';
import { generateKeyPair, type KeyPair } from '../../core/pki/keys.js';
import { DistinguishedName } from '../../core/pki/names.js';
import { parsePkcs12 } from '../../core/pki/pkcs12.js';
import { ScepClient } from '../../core/scep/client.js';
import { PkiStatus } from '../../core/scep/constants.js';
import { startEmbeddedSimulators, type EmbeddedSimulators } from '../../simulators/embedded.js';

type Dict = Record<string, unknown>;

describe('MDM engine, embedded, against the SCEP CA simulator', () => {
  let sims: EmbeddedSimulators;
  let mdm: string;
  let admin: string;
  let keys: KeyPair[];
  const api = (path: string, init: RequestInit = {}, token?: string) =>
    fetch(`${mdm}/api/v1${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) },
    });
  const adminCall = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${admin}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
    return { status: response.status, body: response.status === 204 ? undefined : ((await response.json()) as Dict) };
  };
  const register = async (body: Dict) => {
    const response = await api('/register', { method: 'POST', body: JSON.stringify(body) });
    expect(response.status).toBe(201);
    return (await response.json()) as { deviceId: string; token: string };
  };
  const list = async (device: { deviceId: string; token: string }) =>
    ((await (await api(`/devices/${device.deviceId}/configurations`, {}, device.token)).json()) as { configurations: Array<{ id: string; type: string; version: number }> }).configurations;

  /** What an iOS device does with a SCEP payload: GetCACaps, GetCACert, PKCSReq with the challenge. */
  const enrollIos = async (device: { deviceId: string; token: string }, key: KeyPair) => {
    const response = await api(`/devices/${device.deviceId}/configurations/scep-identity`, {}, device.token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-apple-aspen-config');
    const profile = plist.parse(await response.text()) as Dict;
    const payloads = profile.PayloadContent as Dict[];
    expect(payloads.map((p) => p.PayloadType)).toEqual(['com.apple.security.root', 'com.apple.security.scep']);
    const scep = payloads[1]!.PayloadContent as Dict;
    const subject = DistinguishedName.fromRdns((scep.Subject as string[][][]).map((rdn) => rdn.map(([type, value]) => ({ type: type!, value: value! }))));
    const client = new ScepClient({ url: scep.URL as string });
    const result = await client.enroll({ subject, privateKey: key.privateKey, challenge: scep.Challenge as string });
    return { result, scep, subject };
  };

  beforeAll(async () => {
    [sims, ...keys] = (await Promise.all([startEmbeddedSimulators(), generateKeyPair({ type: 'rsa', bits: 2048 }), generateKeyPair({ type: 'rsa', bits: 2048 })])) as [EmbeddedSimulators, ...KeyPair[]];
    mdm = sims.url('mdm', 'mdm');
    admin = sims.url('mdm', 'admin');
  });
  afterAll(() => sims?.close());

  let ios: { deviceId: string; token: string };
  let iosEntry: string;

  it('registers an iOS device and enrols through the SCEP proxy (p50 timing printed)', async () => {
    ios = await register({ username: 'jdoe', password: 'Passw0rd!', platform: 'ios', serialNumber: 'C02XYZ123456', phoneNumber: '+16175550100' });
    const configurations = await list(ios);
    expect(configurations.map((c) => [c.id, c.type])).toEqual([['scep-identity', 'scep']]);
    const started = performance.now();
    const { result, scep, subject } = await enrollIos(ios, keys[0]!);
    const elapsed = performance.now() - started;
    expect(scep.URL).toBe(`${sims.httpUrl}/mdm/scep/scep-identity`);
    expect(result.status).toBe(PkiStatus.SUCCESS);
    const certificate = parseCertificate(result.certificate!);
    expect(certificate.subject.equals(subject)).toBe(true);
    expect(certificate.issuer.toString()).toBe(parseCertificate(sims.pki.issuingCa.certificate).subject.toString());
    const status = await api(`/devices/${ios.deviceId}/configurations/scep-identity/status`, { method: 'POST', body: JSON.stringify({ status: 'installed', certificateSerial: certificate.serialHex }) }, ios.token);
    expect(status.status).toBe(204);
    const logs = await adminCall('GET', `/certificates?search=jdoe&status=issued`);
    const entries = logs.body!.certificates as Dict[];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ userId: 'jdoe', settingName: 'mdmca device identity (SCEP proxy)', certificateType: 'device', serialHex: certificate.serialHex, source: 'scep-proxy', phone: '+16175550100' });
    iosEntry = entries[0]!.id as string;
    console.log(`GET configuration + SCEP proxy enrolment (caps, CA cert, PKCSReq): ${elapsed.toFixed(1)} ms`);
  });

  it('does not accept the same one-time challenge twice', async () => {
    const { result } = await enrollIos(ios, keys[1]!);
    expect(result.status).toBe(PkiStatus.SUCCESS);
    const second = await new ScepClient({ url: `${mdm}/scep/scep-identity` }).enroll({
      subject: result.certificate ? parseCertificate(result.certificate).subject : 'CN=x',
      privateKey: keys[0]!.privateKey,
      challenge: 'A'.repeat(32),
    });
    expect(second.status).toBe(PkiStatus.FAILURE);
    expect(second.failInfoText).toMatch(/unknown or was already used/);
  });

  it('delivers a PKCS#12 once a label is applied (a device outside the label gets nothing)', async () => {
    const android = await register({ username: 'asmith', password: 'Ldap-Pass1', platform: 'android', imei: '490154203237518' });
    expect((await list(android)).map((c) => c.id)).toEqual(['scep-identity']);
    const forbidden = await api(`/devices/${android.deviceId}/configurations/pkcs12-identity`, {}, android.token);
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as Dict).error).toMatchObject({ code: 'not_distributed' });
    expect((await adminCall('PUT', `/labels/pkcs12/devices/${android.deviceId}`)).status).toBe(200);
    expect((await list(android)).map((c) => c.id)).toEqual(['scep-identity', 'pkcs12-identity']);
    for (const form of ['modern', 'legacy'] as const) {
      if (form === 'legacy') {
        const current = (await adminCall('GET', '/configurations/pkcs12-identity')).body!;
        const { id: _id, caId: _c, version: _v, createdAt: _cr, updatedAt: _u, ...spec } = current;
        expect((await adminCall('PUT', '/configurations/pkcs12-identity', { ...spec, pkcs12Form: 'legacy' })).status).toBe(200);
      }
      const response = await api(`/devices/${android.deviceId}/configurations/pkcs12-identity`, {}, android.token);
      expect(response.status).toBe(200);
      const body = (await response.json()) as Dict;
      expect(body).toMatchObject({ type: 'pkcs12', form, alias: 'mdmca identity (PKCS#12)' });
      const contents = parsePkcs12(new Uint8Array(Buffer.from(body.pkcs12 as string, 'base64')), body.password as string);
      expect(contents.algorithms.keyEncryption).toMatch(form === 'legacy' ? /TripleDES/ : /AES-256/);
      expect(parseCertificate(contents.certificate!).subject.toString()).toBe('CN=asmith,O=mdmca');
    }
    // The key is cached: the second delivery carried the same certificate.
    const pkcs = (await adminCall('GET', '/certificates?configurationId=pkcs12-identity')).body!;
    expect(pkcs.total).toBe(1);
  });

  it('revokes through the connector: the serial appears in the SCEP CA simulator CRL', async () => {
    const entry = (await adminCall('GET', `/certificates/${iosEntry}`)).body!;
    const revoked = await adminCall('POST', `/certificates/${iosEntry}/revoke`, { reason: 'keyCompromise' });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise' });
    const crl = parseCrl(new Uint8Array(await (await fetch(sims.url('scep-ca', 'crl'))).arrayBuffer()));
    expect(crl.entries.map((e) => e.serialHex)).toContain(entry.serialHex);
  });

  it('renews N days before expiry when the clock moves: PKCS#12 reissued, SCEP device asked to enrol again', async () => {
    const android = (await adminCall('GET', '/devices?userId=asmith')).body!.devices as Dict[];
    const before = (await adminCall('GET', `/devices/${android[0]!.id}/configurations`)).body!.configurations as Array<{ id: string; version: number }>;
    const early = await adminCall('POST', '/renewals/run');
    expect(early.body!.renewed).toEqual([]);
    await adminCall('POST', '/clock', { advanceMs: 340 * 86_400_000 });
    const run = await adminCall('POST', '/renewals/run');
    const actions = (run.body!.renewed as Dict[]).map((r) => [r.configurationId, r.action]).sort();
    expect(actions).toEqual([['pkcs12-identity', 'reissued'], ['scep-identity', 'requested']]);
    const after = (await adminCall('GET', `/devices/${android[0]!.id}/configurations`)).body!.configurations as Array<{ id: string; version: number }>;
    expect(after.find((c) => c.id === 'pkcs12-identity')!.version).toBeGreaterThan(before.find((c) => c.id === 'pkcs12-identity')!.version);
    const pkcs = (await adminCall('GET', '/certificates?configurationId=pkcs12-identity')).body!.certificates as Dict[];
    expect(pkcs.map((e) => e.status)).toEqual(['superseded', 'issued']);
    expect(pkcs[1]!.renewalOf).toBe(pkcs[0]!.id);
    await adminCall('POST', '/clock', { advanceMs: -340 * 86_400_000 });
  });
});
