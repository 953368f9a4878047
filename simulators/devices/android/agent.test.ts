/**
 * The Mobile@Work-style agent installing configurations against the SCEP CA simulator: SCEP with a key made on
 * the device (DER and BER pkiMessages, POST and GET), PKCS#12 made on the server in modern and legacy
 * encryption, root certificates, and the failures the agent reports.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../core/pki/certificate.js';
import { publicKeyOf, spkiDer } from '../../../core/pki/keys.js';
import { buildPkcs12 } from '../../../core/pki/pkcs12.js';
import type { FetchLike } from '../fetch.js';
import { KeyPool } from '../key-pool.js';
import { startTestScepCa, type TestScepCa } from '../scep-ca.test-support.js';
import { AndroidAgent } from './agent.js';
import { AndroidAgentError } from './errors.js';

let ca: TestScepCa;
let pool: KeyPool;
beforeAll(async () => {
  [ca, pool] = await Promise.all([startTestScepCa(), KeyPool.create({ keys: [{ spec: { type: 'rsa', bits: 2048 }, count: 6 }] })]);
});

const scepConfiguration = (overrides: Record<string, unknown> = {}, scep: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: 'cfg-scep',
    name: 'Wi-Fi identity',
    version: 1,
    type: 'scep',
    alias: 'wifi-identity',
    scep: {
      url: ca.url,
      challenge: ca.challenge,
      subject: 'CN=bob-android,O=mdmca',
      subjectAltNames: [
        { type: 'email', value: 'bob@example.com' },
        { type: 'upn', value: 'bob@EXAMPLE.COM' },
      ],
      keyType: 'rsa',
      keySize: 2048,
      ...scep,
    },
    ...overrides,
  });

function agent(options: { fetch?: FetchLike; ber?: boolean; pkcs12Support?: 'modern+legacy' | 'legacy-only' } = {}) {
  const bodies: Uint8Array[] = [];
  const inner = options.fetch ?? ca.fetch;
  const fetch: FetchLike = async (input, init) => {
    if (new URL(input).searchParams.get('operation') === 'PKIOperation') {
      const message = new URL(input).searchParams.get('message');
      bodies.push(init.body instanceof Uint8Array ? init.body : new Uint8Array(Buffer.from(message ?? '', 'base64')));
    }
    return inner(input, init);
  };
  const { fetch: _inner, ...rest } = options;
  const phone = new AndroidAgent({ ...rest, fetch, keys: pool.source, clock: ca.clock });
  return { phone, bodies };
}

async function failure(work: Promise<unknown>): Promise<AndroidAgentError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof AndroidAgentError) return error;
    throw error;
  }
  throw new Error('the install succeeded');
}

describe('SCEP: the key is made on the device', () => {
  it('enrolls and installs the key pair under the alias', async () => {
    const { phone, bodies } = agent();
    const outcome = await phone.install({ id: 'cfg-scep' }, scepConfiguration());
    const entry = phone.keystore.get('wifi-identity')!;
    const certificate = parseCertificate(entry.certificate);
    expect(outcome.certificateSerial).toBe(certificate.serialHex);
    expect(certificate.subject.toString()).toBe('CN=bob-android,O=mdmca');
    expect(Buffer.compare(certificate.spkiDer, spkiDer(publicKeyOf(entry.privateKey)))).toBe(0);
    expect(phone.installs.get('cfg-scep')!.scep).toMatchObject({ method: 'POST', cipher: 'aes-128-cbc', digest: 'sha256', ber: false, legacyCipherUsed: false });
    expect(bodies[0]![1]).not.toBe(0x80);
    const csr = ca.csrs.at(-1)!;
    expect(csr.extensions.subjectAltNames).toEqual([
      { type: 'email', value: 'bob@example.com' },
      { type: 'upn', value: 'bob@EXAMPLE.COM' },
    ]);
    expect(phone.toJSON().keystore.keyPairs[0]).toMatchObject({ alias: 'wifi-identity', source: 'scep', configurationId: 'cfg-scep' });
  });

  it('sends BER indefinite-length pkiMessages when asked, and our SCEP server accepts them (POST)', async () => {
    const { phone, bodies } = agent({ ber: true });
    await phone.install({ id: 'cfg-scep' }, scepConfiguration());
    expect(Array.from(bodies[0]!.subarray(0, 2))).toEqual([0x30, 0x80]);
    expect(phone.installs.get('cfg-scep')!.scep?.ber).toBe(true);
    expect(ca.sim.exchanges().at(-1)).toMatchObject({ operation: 'PKIOperation', pkiStatus: 'SUCCESS' });
  });

  it('sends BER in a GET message when the CA does not offer POST', async () => {
    const getOnly = await startTestScepCa({ caps: ['SHA-256', 'AES'] });
    const { phone, bodies } = agent({ fetch: getOnly.fetch, ber: true });
    await phone.install({ id: 'cfg-scep' }, scepConfiguration({}, { url: getOnly.url, challenge: getOnly.challenge }));
    expect(phone.installs.get('cfg-scep')!.scep?.method).toBe('GET');
    expect(Array.from(bodies[0]!.subarray(0, 2))).toEqual([0x30, 0x80]);
  });

  it('reports a FAILURE CertRep with its failInfo and installs nothing', async () => {
    const { phone } = agent();
    const error = await failure(phone.install({ id: 'cfg-scep' }, scepConfiguration({}, { challenge: 'wrong' })));
    expect(error.id).toBe('scepRejected');
    expect(error.message).toMatch(/^Certificate enrollment failed: the SCEP server rejected the request \(badRequest/);
    expect(phone.keystore.aliases()).toEqual([]);
  });

  it('reports an unreachable server', async () => {
    const phone = new AndroidAgent({ keys: pool.source });
    const error = await failure(phone.install({ id: 'cfg-scep' }, scepConfiguration({}, { url: 'http://127.0.0.1:9/scep', keySize: 1024 })));
    expect(error.id).toBe('scepUnreachable');
  });
});

describe('PKCS#12: the key is made on the server', () => {
  const p12 = (form: 'modern' | 'legacy', password = 'p12-secret') => {
    const id = ca.pki.identities['scep-ra'];
    return Buffer.from(buildPkcs12({ privateKey: id.privateKey, certificate: id.certificate, chain: id.chain, password, form })).toString('base64');
  };
  const configuration = (form: 'modern' | 'legacy', password = 'p12-secret') =>
    JSON.stringify({ id: 'cfg-p12', name: 'Exchange', version: '3', type: 'pkcs12', alias: 'exchange', pkcs12: p12(form), password, form });

  it.each(['modern', 'legacy'] as const)('installs a %s PFX under the alias', async (form) => {
    const { phone } = agent();
    const outcome = await phone.install({ id: 'cfg-p12' }, configuration(form));
    const entry = phone.keystore.get('exchange')!;
    expect(entry.source).toBe('pkcs12');
    expect(outcome.certificateSerial).toBe(parseCertificate(ca.pki.identities['scep-ra'].certificate).serialHex);
    expect(phone.installs.get('cfg-p12')!.pkcs12).toMatchObject({
      form,
      keyEncryption: form === 'modern' ? 'PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC' : 'pbeWithSHAAnd3-KeyTripleDES-CBC',
    });
  });

  it('a keystore that reads only legacy encryption refuses a modern PFX', async () => {
    const { phone } = agent({ pkcs12Support: 'legacy-only' });
    await phone.install({ id: 'cfg-p12' }, configuration('legacy'));
    const error = await failure(phone.install({ id: 'cfg-p12' }, configuration('modern')));
    expect(error.id).toBe('pkcs12Unreadable');
  });

  it('refuses a wrong password', async () => {
    const body = JSON.parse(configuration('modern'));
    body.password = 'not it';
    const error = await failure(agent().phone.install({ id: 'cfg-p12' }, JSON.stringify(body)));
    expect(error.message).toBe('Unable to install certificate "exchange": incorrect password');
  });
});

describe('root certificates and bad configurations', () => {
  it('trusts a root under its alias', async () => {
    const { phone } = agent();
    const root = ca.pki.root.certificate;
    await phone.install({ id: 'cfg-root' }, JSON.stringify({ id: 'cfg-root', name: 'Root', version: 1, type: 'root', alias: 'corp-root', certificate: Buffer.from(root).toString('base64') }));
    expect(phone.keystore.caCertificates().map((c) => c.alias)).toEqual(['corp-root']);
  });

  it('names every problem of a configuration by path', async () => {
    const error = await failure(agent().phone.install({ id: 'x' }, JSON.stringify({ id: 'x', name: 'n', version: 1, type: 'scep', scep: { url: 'not a url', subject: 'CN=x', keySize: 999 } })));
    expect(error.id).toBe('badConfiguration');
    expect(error.message).toMatch(/alias/);
    expect(error.message).toMatch(/scep\.url/);
    expect(error.message).toMatch(/scep\.keySize/);
  });
});
