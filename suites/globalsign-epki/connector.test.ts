/**
 * The GlobalSign EPKI connector against the embedded GasOrderService simulator (simulators/registry.ts entry
 * 'globalsign-epki', so this also covers the factory): Test Connection, the Profile ID list, enrolment with a
 * server-made key and with a CSR, status and revocation through GetOrders/Revoke, the CERT forms, and the texts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedSimulators, type EmbeddedSimulators } from '../../simulators/embedded.js';
import { EPKI_DEFAULTS } from '../../simulators/globalsign-epki/index.js';
import { scenario } from '../../core/engine/failure-scenarios.js';
import { buildCsr } from '../../core/pki/csr.js';
import { generateKeyPair } from '../../core/pki/keys.js';
import { toPem } from '../../core/pki/pem.js';
import { certificatesOfCert, GlobalSignEpkiConnector, wordingOf } from '../../core/connectors/globalsign-epki.js';
import { defaultConnectors } from '../../core/connectors/registry.js';
import { globalSignCaSettingsSchema } from '../../core/connectors/settings.js';

const D = EPKI_DEFAULTS;
let sims: EmbeddedSimulators;
let url: string;
const settings = (input: Record<string, unknown> = {}) =>
  globalSignCaSettingsSchema.parse({ name: 'GlobalSign', type: 'globalsign-epki', url, username: D.username, password: D.password, ...input });
const params = { profileId: D.profileId, productCode: D.productCode };

beforeAll(async () => {
  sims = await startEmbeddedSimulators();
  url = sims.url('globalsign-epki', 'soap');
});
afterAll(() => sims?.close());

describe('GlobalSign EPKI connector', () => {
  it('is registered, and Test Connection lists only VALIDATED profiles', async () => {
    const connector = defaultConnectors().create(settings());
    expect(connector).toBeInstanceOf(GlobalSignEpkiConnector);
    expect(await connector.testConnection()).toEqual({ ok: true, message: 'Test Connection successful', details: { profiles: D.profileId } });
    expect((await (connector as GlobalSignEpkiConnector).profiles()).map((p) => p.state).sort()).toEqual(['REQUESTED', 'VALIDATED']);
  });

  it('enrols a server-made key (Dynamically Generated) and a CSR; status and revoke through the order', async () => {
    const connector = new GlobalSignEpkiConnector(settings());
    const made = await connector.enroll({ key: { serverGeneratedKey: { keySpec: { type: 'rsa', bits: 2048 } } }, subject: 'CN=Jane Doe', subjectAltNames: [{ type: 'email', value: 'jane@example.com' }], profile: { certificateType: 'user', validityDays: 365, params } });
    expect(made.subject).toBe(`CN=Jane Doe,OU=${D.organizationUnit},O=${D.organization},L=${D.locality},ST=${D.stateOrProvince},C=US`);
    expect(made.privateKey).toBeDefined();
    expect(made.chain.length).toBeGreaterThan(0);
    expect(await connector.caCertificates()).toEqual(made.chain);
    const key = await generateKeyPair({ type: 'rsa', bits: 2048 });
    const csr = await buildCsr({ subject: 'CN=Device 1', privateKey: key.privateKey });
    const device = await connector.enroll({ key: { csr }, subject: 'CN=Device 1', profile: { certificateType: 'device', params } });
    expect(device.privateKey).toBeUndefined();
    expect(await connector.status(device.serialHex)).toEqual({ status: 'valid' });
    await connector.revoke(device.serialHex);
    expect(await connector.status(device.serialHex)).toEqual({ status: 'revoked' });
  });

  it('words refusals as MobileIron Cloud shows them, with the guide fix', async () => {
    const wrong = await new GlobalSignEpkiConnector(settings({ password: 'nope' })).testConnection();
    expect(wrong).toMatchObject({ ok: false, code: 'authentication', message: scenario('globalsign-login-failure').error.text });
    const licence = await new GlobalSignEpkiConnector(settings())
      .enroll({ key: { serverGeneratedKey: { keySpec: { type: 'rsa', bits: 2048 } } }, subject: 'CN=X', profile: { certificateType: 'user', validityDays: 730, params } })
      .catch((e: unknown) => e);
    expect(licence).toMatchObject({ code: 'rejected', message: 'Installation Error: EPKI License Expiration Error', assumption: false, fix: expect.stringContaining('licence packs') });
    const nowhere = await new GlobalSignEpkiConnector(settings({ url: 'http://127.0.0.1:9/cr/ws/GasOrderService' })).testConnection();
    expect(nowhere).toMatchObject({ ok: false, code: 'unreachable' });
    expect(wordingOf('-4201', undefined, 'm').fix).toContain('API IP Address Range');
  });

  it('reads CERT as PKCS#7, PEM or a bare certificate', async () => {
    const connector = new GlobalSignEpkiConnector(settings());
    const made = await connector.enroll({ key: { serverGeneratedKey: { keySpec: { type: 'rsa', bits: 2048 } } }, subject: 'CN=Forms', profile: { certificateType: 'user', params } });
    expect(certificatesOfCert(toPem('CERTIFICATE', made.certificate))).toEqual([made.certificate]);
    expect(certificatesOfCert(Buffer.from(made.certificate).toString('base64'))).toEqual([made.certificate]);
  });
});
