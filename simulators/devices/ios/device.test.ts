/**
 * The emulated iPhone enrolling against the SCEP CA simulator with profiles built to point at it: the requests
 * iOS sends (GetCACaps with an empty message, GetCACert with Name, POST, AES, SHA-256, the Apple
 * transactionID), CAFingerprint, PENDING with Retries/RetryDelay, renewal as PKCSReq, rollback of a failed
 * profile, PKCS#12 payloads in both encryptions, and the refusals a user would see.
 */
import { MICROMDM_FIXTURES } from '../../../fixtures/shared-fixtures.js';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as plist from 'plist';
import { parseCertificate } from '../../../core/pki/certificate.js';
import { publicKeyOf, spkiDer } from '../../../core/pki/keys.js';
import { buildPkcs12 } from '../../../core/pki/pkcs12.js';
import type { ScepExchange } from '../../../core/scep/client.js';
import { transactionIdFor } from '../../../core/scep/transaction-id.js';
import { listen, type Listening } from '../../http.js';
import type { FetchLike } from '../fetch.js';
import { KeyPool } from '../key-pool.js';
import { startTestScepCa, type TestScepCa } from '../scep-ca.test-support.js';
import { IosDevice } from './device.js';
import { IosProfileError } from './errors.js';
import { buildMobileconfig, subjectToApple } from './profile-builder.js';

let ca: TestScepCa;
let pool: KeyPool;
beforeAll(async () => {
  [ca, pool] = await Promise.all([startTestScepCa(), KeyPool.create({ keys: [{ spec: { type: 'rsa', bits: 2048 }, count: 14 }] })]);
});

interface Seen {
  method: string;
  url: URL;
  userAgent: string | null;
}

function device(options: { fetch?: FetchLike; sleep?: (ms: number) => Promise<void> } = {}) {
  const seen: Seen[] = [];
  const exchanges: ScepExchange[] = [];
  const inner = options.fetch ?? ca.fetch;
  const fetch: FetchLike = async (input, init) => {
    seen.push({ method: init.method ?? 'GET', url: new URL(input), userAgent: new Headers(init.headers).get('user-agent') });
    return inner(input, init);
  };
  const phone = new IosDevice({ fetch, keys: pool.source, clock: ca.clock, onExchange: (e) => exchanges.push(e), ...(options.sleep ? { sleep: options.sleep } : {}) });
  return { phone, seen, exchanges };
}

const scepProfile = (content: Record<string, plist.PlistValue> = {}, extra: { identifier?: string; root?: boolean } = {}) =>
  buildMobileconfig({
    identifier: extra.identifier ?? 'com.mdmca.test',
    payloads: [
      ...(extra.root ? [{ type: 'root' as const, certificate: ca.pki.root.certificate }] : []),
      {
        type: 'scep',
        displayName: 'Device Identity',
        content: {
          URL: ca.url,
          Name: 'Device Management Identity Certificate',
          Subject: subjectToApple('CN=alice-iphone,O=mdmca'),
          Challenge: ca.challenge,
          Keysize: 2048,
          'Key Type': 'RSA',
          'Key Usage': 5,
          SubjectAltName: { rfc822Name: 'alice@example.com', ntPrincipalName: 'alice@EXAMPLE.COM' },
          ...content,
        },
      },
    ],
  });

async function refusal(work: Promise<unknown>): Promise<IosProfileError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof IosProfileError) return error;
    throw error;
  }
  throw new Error('the installation succeeded');
}

describe('SCEP enrolment as iOS does it', () => {
  it('sends what iOS sends and keeps the identity in the keychain', async () => {
    const { phone, seen, exchanges } = device();
    const result = await phone.installProfile(scepProfile({}, { root: true }));

    const [caps, caCert, operation] = seen;
    expect(caps!.url.search).toBe('?operation=GetCACaps&message=');
    expect(caCert!.url.searchParams.get('operation')).toBe('GetCACert');
    expect(caCert!.url.searchParams.get('message')).toBe('Device Management Identity Certificate');
    expect(operation!.method).toBe('POST');
    expect(seen.every((s) => s.userAgent?.startsWith('profiled/1.0 CFNetwork/'))).toBe(true);
    expect(exchanges.map((e) => e.label)).toEqual(['GetCACaps → 200', 'GetCACert → 200', 'PKIOperation PKCSReq → CertRep SUCCESS']);

    const enrollment = result.enrollments[0]!;
    expect(enrollment).toMatchObject({ cipher: 'aes-128-cbc', digest: 'sha256', method: 'POST', legacyCipherUsed: false, polls: 0 });
    const identity = phone.keychain.identities()[0]!;
    expect(enrollment.transactionId).toBe(transactionIdFor(publicKeyOf(identity.privateKey), 'apple'));
    const certificate = parseCertificate(identity.certificate);
    expect(certificate.subject.toString()).toBe('CN=alice-iphone,O=mdmca');
    expect(certificate.issuer.equals(parseCertificate(ca.pki.issuingCa.certificate).subject)).toBe(true);
    expect(Buffer.compare(certificate.spkiDer, spkiDer(publicKeyOf(identity.privateKey)))).toBe(0);
    expect(certificate.extensions.subjectAltNames).toEqual(expect.arrayContaining([{ type: 'email', value: 'alice@example.com' }]));
    expect(phone.keychain.isTrusted(ca.pki.root.certificate)).toBe(true);

    // The CSR carried the challenge, the SANs (with the UPN) and the Key Usage bits.
    const record = ca.sim.repository.list().find((r) => r.serialHex === certificate.serialHex);
    expect(record).toBeDefined();
    const snapshot = phone.toJSON();
    expect(snapshot.keychain.identities[0]).toMatchObject({ subject: 'CN=alice-iphone,O=mdmca', source: 'scep', keyType: 'rsa2048', label: 'Device Identity' });
  });

  it('puts Key Usage, SANs with the UPN and the challenge into the CSR', async () => {
    await device().phone.installProfile(scepProfile({ Subject: subjectToApple('CN=csr-check') }, { identifier: 'com.mdmca.csr' }));
    const csr = ca.csrs.at(-1)!;
    expect(csr.subject.toString()).toBe('CN=csr-check');
    expect(csr.challengePassword).toBe(ca.challenge);
    expect(csr.extensions.keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(csr.extensions.subjectAltNames).toEqual([
      { type: 'email', value: 'alice@example.com' },
      { type: 'upn', value: 'alice@EXAMPLE.COM' },
    ]);
    expect(csr.keySpec).toEqual({ type: 'rsa', bits: 2048 });
  });

  it('cannot make a CSR for a Subject short name Apple does not document, and sends no PKIOperation', async () => {
    const { phone, seen } = device();
    const error = await refusal(phone.installProfile(scepProfile({ Subject: [[['CN', 'x']], [['emailAddress', 'x@example.com']]] })));
    expect(error.message).toBe('Couldn’t create certificate signing request.');
    expect(error.detail).toMatch(/"emailAddress" is not C, L, ST, O, OU, CN or a dotted OID/);
    expect(seen.some((s) => s.url.searchParams.get('operation') === 'PKIOperation')).toBe(false);
  });

  it('verifies CAFingerprint against the GetCACert certificates', async () => {
    const good = createHash('sha256').update(ca.pki.issuingCa.certificate).digest();
    await device().phone.installProfile(scepProfile({ CAFingerprint: good }));
    const { phone } = device();
    const error = await refusal(phone.installProfile(scepProfile({ CAFingerprint: createHash('sha1').update('someone else').digest() })));
    expect(error.id).toBe('fingerprintMismatch');
    expect(phone.keychain.identities()).toHaveLength(0);
  });

  it('shows "The SCEP server returned an invalid response." for a wrong challenge and installs nothing', async () => {
    const { phone } = device();
    const error = await refusal(phone.installProfile(scepProfile({ Challenge: 'wrong' }, { root: true })));
    expect(error.message).toBe('The SCEP server returned an invalid response.');
    expect(error.code).toBe(4001);
    expect(error.detail).toMatch(/FAILURE badRequest/);
    expect(phone.keychain.trustedRoots()).toHaveLength(0);
    expect(phone.profiles.size).toBe(0);
  });

  it('renews as a PKCSReq with the challenge and a new key', async () => {
    const { phone, exchanges } = device();
    const installed = await phone.installProfile(scepProfile({}, { identifier: 'com.mdmca.renew' }));
    const payloadUUID = installed.identities[0]!.payloadUUID;
    const before = phone.keychain.identity(payloadUUID)!;
    const after = await phone.renew(payloadUUID);
    expect(parseCertificate(after.certificate).serialHex).not.toBe(parseCertificate(before.certificate).serialHex);
    expect(Buffer.compare(spkiDer(publicKeyOf(after.privateKey)), spkiDer(publicKeyOf(before.privateKey)))).not.toBe(0);
    expect(exchanges.filter((e) => e.operation === 'PKIOperation').map((e) => e.request?.messageType)).toEqual(['PKCSReq', 'PKCSReq']);
    expect(phone.keychain.identities()).toHaveLength(1);
  });

  it('replaces an installed profile with the same PayloadIdentifier', async () => {
    const { phone } = device();
    await phone.installProfile(scepProfile({ Keysize: 1024 }, { identifier: 'com.mdmca.same' }));
    await phone.installProfile(scepProfile({ Keysize: 1024 }, { identifier: 'com.mdmca.same' }));
    expect(phone.profiles.size).toBe(1);
    expect(phone.keychain.identities()).toHaveLength(1);
  });
});

const FIXTURE = `${MICROMDM_FIXTURES}testca/sceptest.mobileconfig`;
const fixtureMissing = existsSync(FIXTURE) ? undefined : `${FIXTURE} is absent (../shared not mounted)`;
if (fixtureMissing) console.log(`skipping the fixture enrolment: ${fixtureMissing}`);

describe.skipIf(fixtureMissing !== undefined)('the micromdm fixture profile', () => {
  it('enrolls once its URL points at our CA: no Subject, no Challenge, Apple\'s default 1024-bit key', async () => {
    const open = await startTestScepCa({ challenge: undefined });
    const xml = readFileSync(FIXTURE, 'utf8').replace('http://localhost:9001/scep', open.url);
    const phone = new IosDevice({ fetch: open.fetch });
    const result = await phone.installProfile(xml);
    expect(result.profile.warnings).toEqual([expect.stringContaining('"KeyType"')]);
    const identity = parseCertificate(result.identities[0]!.certificate);
    expect(identity.subject.isEmpty).toBe(true);
    expect(identity.keySpec).toEqual({ type: 'rsa', bits: 1024 });
    // The fixture's root payload (etcd-ca) is trusted as given, though it is not our CA's root.
    expect(phone.keychain.trustedRoots()).toHaveLength(1);
  });
});

describe('what the CA offers decides how iOS talks', () => {
  it('refuses a CA without any SHA capability', async () => {
    const bare = await startTestScepCa({ caps: ['POSTPKIOperation', 'AES'] });
    const phone = new IosDevice({ fetch: bare.fetch, keys: pool.source });
    const error = await refusal(phone.installProfile(scepProfile({ URL: bare.url })));
    expect(error.message).toBe('The Certification Authority does not have the required capability.');
  });

  it('uses GET without POSTPKIOperation and 3DES without AES', async () => {
    const old = await startTestScepCa({ caps: ['SHA-1', 'DES3'] });
    const { phone, seen } = device({ fetch: old.fetch });
    const result = await phone.installProfile(scepProfile({ URL: old.url, Keysize: 1024, Challenge: old.challenge }));
    expect(result.enrollments[0]).toMatchObject({ method: 'GET', cipher: 'des-ede3-cbc', digest: 'sha1', legacyCipherUsed: true });
    expect(seen.at(-1)!.method).toBe('GET');
  });

  it('polls a PENDING request Retries times, the first at once, then RetryDelay apart', async () => {
    const manual = await startTestScepCa({ approval: 'manual' });
    const sleeps: number[] = [];
    const approveOnSecondWait = async (ms: number) => {
      sleeps.push(ms);
      const pending = (await manual.admin('GET', '/pending')).json as { pending: Array<{ transactionId: string }> };
      for (const p of pending.pending) await manual.admin('POST', `/pending/${encodeURIComponent(p.transactionId)}/approve`);
    };
    const { phone, exchanges } = device({ fetch: manual.fetch, sleep: approveOnSecondWait });
    const result = await phone.installProfile(scepProfile({ URL: manual.url, Challenge: manual.challenge, Retries: 3, RetryDelay: 7 }));
    expect(result.enrollments[0]!.polls).toBe(2);
    expect(sleeps).toEqual([7000]);
    expect(exchanges.filter((e) => e.operation === 'PKIOperation').map((e) => e.label)).toEqual([
      'PKIOperation PKCSReq → CertRep PENDING',
      'PKIOperation CertPoll → CertRep PENDING',
      'PKIOperation CertPoll → CertRep SUCCESS',
    ]);

    const never = device({ fetch: manual.fetch, sleep: async (ms) => void sleeps.push(ms) });
    const error = await refusal(never.phone.installProfile(scepProfile({ URL: manual.url, Challenge: manual.challenge, Retries: 2, RetryDelay: 1, Keysize: 1024 })));
    expect(error.id).toBe('stillPending');
    expect(error.message).toBe('The SCEP server did not issue the certificate after 2 retries.');
  });

  it('says "Could not connect to the server." when nothing listens', async () => {
    const phone = new IosDevice({ keys: pool.source });
    const error = await refusal(phone.installProfile(scepProfile({ URL: 'http://127.0.0.1:9/scep', Keysize: 1024 })));
    expect(error.id).toBe('unreachable');
  });
});

describe('PKCS#12 payloads', () => {
  it.each(['modern', 'legacy'] as const)('installs a %s PKCS#12 identity', async (form) => {
    const id = ca.pki.identities['scep-ra'];
    const data = buildPkcs12({ privateKey: id.privateKey, certificate: id.certificate, chain: id.chain, password: 'p12-pass', form });
    const { phone } = device();
    const result = await phone.installProfile(buildMobileconfig({ payloads: [{ type: 'pkcs12', data, password: 'p12-pass', displayName: 'Exchange identity' }] }));
    expect(result.identities[0]!.source).toBe('pkcs12');
    expect(Buffer.compare(result.identities[0]!.certificate, id.certificate)).toBe(0);
  });

  it('refuses a wrong password with iOS\'s text', async () => {
    const id = ca.pki.identities['scep-ra'];
    const data = buildPkcs12({ privateKey: id.privateKey, certificate: id.certificate, password: 'right', form: 'modern' });
    const error = await refusal(device().phone.installProfile(buildMobileconfig({ payloads: [{ type: 'pkcs12', data, password: 'wrong', displayName: 'Exchange identity' }] })));
    expect(error.message).toBe('The password for the certificate “Exchange identity” is incorrect.');
  });
});

describe('over a real socket', () => {
  let server: Listening;
  beforeAll(async () => {
    server = await listen({ mounts: ca.sim.mounts, host: '127.0.0.1', port: 0 });
  });
  afterAll(() => server?.close());

  it('enrolls with the global fetch against the listening simulator', async () => {
    const phone = new IosDevice({ keys: pool.source });
    const result = await phone.installProfile(scepProfile({ URL: `${server.httpUrl.replace(/\/$/, '')}/scep` }));
    expect(result.identities).toHaveLength(1);
  });
});
