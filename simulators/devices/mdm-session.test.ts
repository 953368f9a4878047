/**
 * Both devices against the device API contract (core/engine/http/DEVICE-API.md), served by a stand-in engine: they
 * register, install what is distributed, report each outcome, install again when a version moves, and get
 * nothing when they are outside the distribution.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../core/pki/certificate.js';
import { AndroidAgent } from './android/agent.js';
import { createFakeEngine, type FakeEngine } from './fake-engine.test-support.js';
import { IosDevice } from './ios/device.js';
import { KeyPool } from './key-pool.js';
import { MdmApiError, MdmClient, mdmBase } from './mdm-client.js';
import type { StepTiming } from './mdm-session.js';
import { startTestScepCa, type TestScepCa } from './scep-ca.test-support.js';

let ca: TestScepCa;
let pool: KeyPool;
beforeAll(async () => {
  [ca, pool] = await Promise.all([startTestScepCa(), KeyPool.create({ keys: [{ spec: { type: 'rsa', bits: 2048 }, count: 10 }] })]);
});

function engine(options: Partial<Parameters<typeof createFakeEngine>[0]> = {}): FakeEngine {
  const fake = createFakeEngine({ ca, keys: pool.source, ...options });
  fake.addUser('alice', 'alice-pw');
  fake.addUser('bob', 'bob-pw');
  return fake;
}

describe('the device API client', () => {
  it('normalizes the base URL', () => {
    expect(mdmBase('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/mdm');
    expect(mdmBase('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/mdm');
    expect(mdmBase('http://127.0.0.1:8080/mdm/')).toBe('http://127.0.0.1:8080/mdm');
  });

  it('turns a contract error into an MdmApiError with its code', async () => {
    const fake = engine();
    const client = new MdmClient({ baseUrl: fake.url, fetch: fake.fetch });
    const error = await client.register({ username: 'alice', password: 'wrong', platform: 'ios' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MdmApiError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_credentials' });
  });

  it('reports a server that does not answer as a network error', async () => {
    const client = new MdmClient({ baseUrl: 'http://127.0.0.1:9' });
    await expect(client.register({ username: 'a', password: 'b', platform: 'ios' })).rejects.toMatchObject({ code: 'network' });
  });
});

describe('an iPhone through the MDM', () => {
  it('registers, installs the root and the SCEP identity, and reports both with their serials', async () => {
    const fake = engine();
    const steps: StepTiming[] = [];
    const phone = new IosDevice({ fetch: fake.fetch, keys: pool.source, onStep: (s) => steps.push(s) });
    await phone.register(fake.url, 'alice', 'alice-pw');
    const result = await phone.sync();
    expect(result).toMatchObject({ installed: 2, failed: 0 });
    const identity = phone.keychain.identities()[0]!;
    expect(parseCertificate(identity.certificate).subject.get('CN')).toBe(`alice ${phone.serialNumber}`);
    expect(fake.statuses).toEqual([
      { deviceId: phone.deviceId, configurationId: 'root', status: 'installed', certificateSerial: parseCertificate(ca.pki.root.certificate).serialHex },
      { deviceId: phone.deviceId, configurationId: 'identity', status: 'installed', certificateSerial: parseCertificate(identity.certificate).serialHex },
    ]);
    expect(steps.map((s) => s.step)).toEqual(['register', 'list-configurations', 'fetch-configuration', 'root-install', 'status', 'fetch-configuration', 'keygen', 'scep-enroll', 'status']);
    expect(steps.find((s) => s.step === 'keygen')!.ms).toBe(0); // from the pool

    // Nothing changed: nothing is fetched again. A new version: installed again (renewal).
    expect((await phone.sync()).configurations.map((c) => c.outcome)).toEqual(['unchanged', 'unchanged']);
    fake.bumpIdentityVersion();
    expect((await phone.sync()).configurations.map((c) => c.outcome)).toEqual(['unchanged', 'installed']);
    expect(parseCertificate(phone.keychain.identities()[0]!.certificate).serialHex).not.toBe(parseCertificate(identity.certificate).serialHex);
  });

  it('installs a PKCS#12 identity made on the server', async () => {
    const fake = engine({ identity: { ios: 'pkcs12' } });
    const phone = new IosDevice({ fetch: fake.fetch, keys: pool.source });
    await phone.register(fake.url, 'alice', 'alice-pw');
    await phone.sync();
    expect(phone.keychain.identities()[0]!.source).toBe('pkcs12');
  });

  it('gets nothing outside the distribution', async () => {
    const fake = engine({ distributedTo: (user) => user === 'bob' });
    const phone = new IosDevice({ fetch: fake.fetch, keys: pool.source });
    await phone.register(fake.url, 'alice', 'alice-pw');
    expect(await phone.sync()).toEqual({ configurations: [], installed: 0, failed: 0 });
    expect(phone.keychain.identities()).toHaveLength(0);
  });
});

describe('an Android agent through the MDM', () => {
  it.each(['scep', 'pkcs12'] as const)('installs a %s identity and reports failures with the agent\'s text', async (kind) => {
    const fake = engine({ identity: { android: kind }, pkcs12Form: 'legacy' });
    const phone = new AndroidAgent({ fetch: fake.fetch, keys: pool.source, ber: true });
    await phone.register(fake.url, 'bob', 'bob-pw');
    const result = await phone.updateConfiguration();
    expect(result).toMatchObject({ installed: 2, failed: 0 });
    expect(phone.keystore.get('identity')!.source).toBe(kind);
    expect(phone.keystore.caCertificates().map((c) => c.alias)).toEqual(['corp-root']);
    expect(fake.statuses.map((s) => s.status)).toEqual(['installed', 'installed']);
  });

  it('reports a failed install to the MDM', async () => {
    const fake = engine();
    const broken = await startTestScepCa({ challenge: 'another challenge' });
    // The CA behind the engine expects another challenge than the one the engine hands out.
    const phone = new AndroidAgent({ fetch: (input, init) => (new URL(input).host === 'mdm.test' ? fake.fetch(input, init) : broken.fetch(input, init)), keys: pool.source });
    await phone.register(fake.url, 'bob', 'bob-pw');
    const result = await phone.updateConfiguration();
    expect(result.failed).toBe(1);
    expect(fake.statuses.at(-1)).toMatchObject({ configurationId: 'identity', status: 'failed', error: expect.stringMatching(/rejected the request \(badRequest/) });
  });
});
