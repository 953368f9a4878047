/**
 * MobileIron Cloud with GlobalSign, end to end in the embedded setup: the MDM engine's admin API adds the Cloud
 * Certificate Authority (GlobalSign: URL, username, password) and an Identity Certificate (Profile ID, Product
 * Code, Certificate Expiration, Subject ${userCN}); an emulated Android (LDAP user) and iOS device (local user)
 * fetch it through the device API. The LDAP user receives a GlobalSign-issued PKCS#12; the local user gets the
 * guide's ${userCN} error; an expired licence pack gives the guide's licence error in the certificate logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenario } from '../../core/engine/failure-scenarios.js';
import { parseCertificate } from '../../core/pki/certificate.js';
import { parsePkcs12 } from '../../core/pki/pkcs12.js';
import { startEmbeddedSimulators, type EmbeddedSimulators } from '../../simulators/embedded.js';
import { EPKI_DEFAULTS } from '../../simulators/globalsign-epki/index.js';

type Dict = Record<string, unknown>;
const D = EPKI_DEFAULTS;

describe('MDM engine with the GlobalSign EPKI simulator as its CA', () => {
  let sims: EmbeddedSimulators;
  let mdm: string;
  let admin: string;
  let epkiAdmin: string;
  const call = async (base: string, method: string, path: string, body?: unknown, token?: string) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Dict };
  };

  beforeAll(async () => {
    sims = await startEmbeddedSimulators();
    mdm = `${sims.url('mdm', 'mdm')}/api/v1`;
    admin = sims.url('mdm', 'admin');
    epkiAdmin = sims.url('globalsign-epki', 'admin');
    const ca = await call(admin, 'POST', '/cas', { name: 'GlobalSign', type: 'globalsign-epki', url: sims.url('globalsign-epki', 'soap'), username: D.username, password: D.password });
    expect(ca.status).toBe(201);
    const test = await call(admin, 'POST', `/cas/${ca.body.id as string}/test-connection`);
    expect(test.body).toMatchObject({ ok: true });
    const saved = await call(admin, 'POST', '/configurations', {
      name: 'GlobalSign identity',
      ca: 'GlobalSign',
      certificateType: 'user',
      subject: 'CN=${userCN}',
      cacheLocallyGeneratedKeys: true,
      validityDays: 365,
      caParams: { profileId: D.profileId, productCode: D.productCode },
      distribution: { mode: 'all' },
    });
    expect(saved.status).toBe(201);
  });
  afterAll(() => sims?.close());

  const fetchIdentity = async (registration: Dict) => {
    const device = (await call(mdm, 'POST', '/register', registration)).body as { deviceId: string; token: string };
    const list = (await call(mdm, 'GET', `/devices/${device.deviceId}/configurations`, undefined, device.token)).body.configurations as { id: string; name?: string }[];
    const id = list.find((c) => c.id !== 'scep-identity' && c.id !== 'pkcs12-identity')!.id;
    return call(mdm, 'GET', `/devices/${device.deviceId}/configurations/${id}`, undefined, device.token);
  };

  it('an Android device of an LDAP user receives a GlobalSign-issued PKCS#12', async () => {
    const response = await fetchIdentity({ username: 'asmith', password: 'Ldap-Pass1', platform: 'android', imei: '490154203237518' });
    expect(response.status).toBe(200);
    const contents = parsePkcs12(new Uint8Array(Buffer.from(response.body.pkcs12 as string, 'base64')), response.body.password as string);
    const certificate = parseCertificate(contents.certificate!);
    expect(certificate.subject.get('O')).toBe(D.organization);
    expect(certificate.issuer.toString()).toBe(parseCertificate(sims.pki.issuingCa.certificate).subject.toString());
    const state = (await call(epkiAdmin, 'GET', '/state')).body.licences as { used: number }[];
    expect(state[0]!.used).toBe(1);
  });

  it("an iOS device of a local user gets the guide's ${userCN} error", async () => {
    const response = await fetchIdentity({ username: 'jdoe', password: 'Passw0rd!', platform: 'ios', serialNumber: 'C02GSIGN0001' });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(response.body)).toContain(scenario('mobileiron-usercn-without-ldap').error.text.replace('Installation Error: ', ''));
  });

  it('an expired licence pack shows "EPKI License Expiration Error" in the certificate logs', async () => {
    await call(epkiAdmin, 'POST', `/licences/${D.licenseNo}/expire`);
    try {
      // The console's test certificate (a local user): with the guide's fix for ${userCN} applied, the licence fails.
      const fixed = await call(admin, 'POST', '/configurations', {
        name: 'GlobalSign identity (local users)',
        ca: 'GlobalSign',
        certificateType: 'user',
        subject: 'CN=${userDisplayName}',
        validityDays: 365,
        caParams: { profileId: D.profileId, productCode: D.productCode },
        distribution: { mode: 'none' },
      });
      const response = await call(admin, 'POST', `/configurations/${(fixed.body.configuration as { id: string }).id}/test-certificate`);
      expect(response.status).toBeGreaterThanOrEqual(400);
      const logs = (await call(admin, 'GET', '/certificates?test=true')).body;
      expect(JSON.stringify(logs)).toContain(scenario('globalsign-licence-expired').error.text);
    } finally {
      await call(epkiAdmin, 'POST', '/reset');
    }
  });
});
