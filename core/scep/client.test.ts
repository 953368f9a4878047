/** The SCEP client against in-process fake CAs built from the codec (client-fake-ca.test-support.ts). */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../pki/ca.js';
import { parseCertificate } from '../pki/certificate.js';
import { parseCrl } from '../pki/crl.js';
import { generateKeyPair, type KeyPair } from '../pki/keys.js';
import { FixedClock } from '../clock.js';
import { classify } from './client-ca-certs.js';
import { createFakeCa, type FakeCa, type FakeCaOptions } from './client-fake-ca.test-support.js';
import { encodeGetMessage, type FetchLike } from './client-transport.js';
import { issuerAndSerialOf, ScepClient, ScepClientError, type ScepClientOptions, type ScepExchange, ScepLegacyCipherError } from './client.js';
import { FailInfo, MessageType, PkiStatus } from './constants.js';

const CHALLENGE = 'fake-challenge';
let keys: KeyPair[];
let fake: FakeCa;
let raFake: FakeCa;

beforeAll(async () => {
  // Five keys for the whole file: two requesters, and the fake CAs' CA, next-CA and RA keys.
  keys = await Promise.all(Array.from({ length: 5 }, () => generateKeyPair({ type: 'rsa', bits: 2048 })));
  [fake, raFake] = await Promise.all([createFake(), createFake({ withRa: true })]);
});

/** A fake CA on the file's keys. */
const createFake = (options: FakeCaOptions = {}) =>
  createFakeCa({ challenge: CHALLENGE, keys: { ca: keys[2]!, next: keys[3]!, ra: keys[4]! }, ...options });
afterEach(() => {
  fake.approvalMode = 'auto';
});

/** A client on `ca` that records its exchanges and every URL it fetched. */
function clientFor(ca: FakeCa, options: Partial<ScepClientOptions> = {}) {
  const exchanges: ScepExchange[] = [];
  const urls: string[] = [];
  const recording: FetchLike = (input, init) => {
    urls.push(input);
    return (options.fetch ?? ca.fetch)(input, init);
  };
  const client = new ScepClient({ url: 'http://ca.test/scep', ...options, fetch: recording, onExchange: (e) => exchanges.push(e) });
  return { client, exchanges, urls };
}

const enrollAs = (client: ScepClient, key: KeyPair, extra: Record<string, unknown> = {}) =>
  client.enroll({ subject: 'CN=device 1,O=mdmca', privateKey: key.privateKey, challenge: CHALLENGE, ...extra });

describe('discovery', () => {
  it('reads caps, sends the CA identifier, and takes an HTTP error as no capabilities', async () => {
    const { client, urls } = clientFor(fake, { caIdentifier: 'Device CA' });
    const caps = await client.getCaCaps();
    expect(caps.advertised.has('SCEPStandard')).toBe(true);
    expect(urls[0]).toBe('http://ca.test/scep?operation=GetCACaps&message=Device%20CA');
    const broken = clientFor(fake, { fetch: async () => new Response('nope', { status: 404 }) });
    const response = await broken.client.getCaCapsResponse();
    expect(response.status).toBe(404);
    expect(response.caps.advertised.size).toBe(0);
  });

  it('reads a single CA certificate and a CA+RA bundle, encrypting to the RA', async () => {
    const single = await clientFor(fake).client.getCaCert();
    expect(single).toMatchObject({ form: 'certificate', contentType: 'application/x-x509-ca-cert', contentTypeMatches: true });
    expect(single.encryptionCertificate).toBe(single.issuingCa);
    const bundle = await clientFor(raFake).client.getCaCert();
    expect(bundle).toMatchObject({ form: 'pkcs7', contentType: 'application/x-x509-ca-ra-cert', contentTypeMatches: true });
    expect(Buffer.from(bundle.encryptionCertificate)).toEqual(Buffer.from(raFake.ra!.certificate));
    expect(Buffer.from(bundle.issuingCa)).toEqual(Buffer.from(raFake.ca.certificateDer));
  });

  it('picks the NDES-style encryption RA by keyUsage among several', async () => {
    const ca = await CertificateAuthority.createRoot({ subject: 'CN=root', keys: keys[0]!, clock: new FixedClock(new Date()) });
    const sign = await ca.issue({ subject: 'CN=signing RA', publicKey: keys[1]!.publicKey, profile: { keyUsage: ['digitalSignature'] } });
    const encrypt = await ca.issue({ subject: 'CN=encryption RA', publicKey: keys[1]!.publicKey, profile: { keyUsage: ['keyEncipherment'] } });
    const roles = classify([ca.certificateDer, sign.der, encrypt.der]);
    expect(roles.raCertificates).toHaveLength(2);
    expect(roles.encryptionCertificate).toBe(encrypt.der);
    expect(roles.signerCertificate).toBe(sign.der);
    expect(roles.issuingCa).toBe(ca.certificateDer);
  });

  it('verifies GetNextCACert against the current CA', async () => {
    const next = await clientFor(fake).client.getNextCaCert();
    expect(next.contentTypeMatches).toBe(true);
    expect(parseCertificate(next.issuingCa).subject.toString()).toMatch(/fake SCEP CA 2/);
  });
});

describe('enrollment', () => {
  it('enrolls by POST, records the exchanges with their decoded summary, and times each step', async () => {
    const { client, exchanges } = clientFor(fake);
    const result = await enrollAs(client, keys[0]!);
    expect(result).toMatchObject({ status: PkiStatus.SUCCESS, method: 'POST', cipher: 'aes-128-cbc', digest: 'sha256', legacyCipherUsed: false, pollCount: 0 });
    const issued = parseCertificate(result.certificate!);
    expect(issued.verifySignedBy(fake.ca.certificate)).toBe(true);
    expect(issued.subject.toString()).toBe('CN=device 1,O=mdmca');
    expect(result.chain).toHaveLength(1);
    expect(result.transactionId).toMatch(/^[0-9a-f]{64}$/);
    expect(exchanges.map((e) => e.label)).toEqual(['GetCACert → 200', 'GetCACaps → 200', 'PKIOperation PKCSReq → CertRep SUCCESS']);
    const pki = exchanges[2]!;
    expect(pki).toMatchObject({ from: 'scep client', to: 'ca.test', method: 'POST', status: 200, requestContentType: 'application/x-pki-message', responseContentType: 'application/x-pki-message' });
    expect(pki.response).toMatchObject({ messageType: 'CertRep', pkiStatus: 'SUCCESS', cipher: 'aes-128-cbc' });
    expect(pki.requestBytes).toBeGreaterThan(1000);
    for (const step of ['buildMs', 'httpMs', 'parseMs', 'totalMs'] as const) expect(result.timings[step]).toBeGreaterThan(0);
  });

  it('generates the key when none is given and reports keygen time', async () => {
    const result = await clientFor(fake).client.enroll({ subject: 'CN=fresh key', challenge: CHALLENGE });
    expect(result.status).toBe(PkiStatus.SUCCESS);
    expect(result.timings.keygenMs).toBeGreaterThan(0);
  });

  it.each([
    ['percent-escaped', false, /message=[A-Za-z0-9%]+$/],
    ['macOS (raw + and /)', true, /message=[A-Za-z0-9+/]+(%3D)*$/],
  ])('enrolls by GET, %s', async (_name, macOsGetQuirk, shape) => {
    const { client, urls } = clientFor(fake, { method: 'GET', macOsGetQuirk });
    const result = await enrollAs(client, keys[1]!);
    expect(result.status).toBe(PkiStatus.SUCCESS);
    expect(result.method).toBe('GET');
    const url = urls.find((u) => u.includes('PKIOperation'))!;
    expect(url).toMatch(shape);
  });

  it('encodes GET messages as standard base64, percent-escaped', () => {
    const der = new Uint8Array([0xfb, 0xff, 0xfe]); // base64 "+//+"
    expect(encodeGetMessage(der)).toBe('%2B%2F%2F%2B');
    expect(encodeGetMessage(new Uint8Array([0xfb, 0xff]), true)).toBe('+/8%3D');
  });

  it('enrolls through an RA', async () => {
    const result = await enrollAs(clientFor(raFake).client, keys[0]!);
    expect(result.status).toBe(PkiStatus.SUCCESS);
    expect(Buffer.from(result.reply.signerCertificate)).toEqual(Buffer.from(raFake.ra!.certificate));
  });

  it('returns FAILURE badRequest for a wrong challenge, as a result', async () => {
    const result = await enrollAs(clientFor(fake).client, keys[0]!, { challenge: 'wrong' });
    expect(result).toMatchObject({ status: PkiStatus.FAILURE, statusName: 'FAILURE', failInfo: FailInfo.badRequest, failInfoText: 'wrong challenge password' });
    expect(result.certificate).toBeUndefined();
  });

  it('renews with RenewalReq signed by the issued certificate', async () => {
    const { client } = clientFor(fake);
    const first = await enrollAs(client, keys[0]!);
    const renewed = await enrollAs(client, keys[1]!, {
      messageType: MessageType.RenewalReq,
      signer: { certificate: first.certificate!, privateKey: keys[0]!.privateKey },
    });
    expect(renewed.status).toBe(PkiStatus.SUCCESS);
    expect(Buffer.from(parseCertificate(renewed.certificate!).spkiDer)).not.toEqual(Buffer.from(parseCertificate(first.certificate!).spkiDer));
  });

  it('polls a PENDING request with CertPoll until it is approved', async () => {
    fake.approvalMode = 'manual';
    let sleeps = 0;
    const { client, exchanges } = clientFor(fake, {
      sleep: async () => {
        if (++sleeps === 2) fake.approve(fake.requests.at(-1)!.transactionId);
      },
    });
    const result = await enrollAs(client, keys[0]!, { poll: { intervalMs: 10, maxAttempts: 5 } });
    expect(result).toMatchObject({ status: PkiStatus.SUCCESS, pollCount: 2 });
    expect(exchanges.filter((e) => e.label === 'PKIOperation CertPoll → CertRep PENDING')).toHaveLength(1);
    expect(exchanges.at(-1)!.label).toBe('PKIOperation CertPoll → CertRep SUCCESS');
  });

  it('hands back a PENDING enrolment that can be polled later', async () => {
    fake.approvalMode = 'manual';
    const { client } = clientFor(fake);
    const pending = await enrollAs(client, keys[1]!);
    expect(pending.status).toBe(PkiStatus.PENDING);
    fake.approve(pending.transactionId);
    const done = await client.poll(pending.pending!, pending.csr);
    expect(done.status).toBe(PkiStatus.SUCCESS);
    expect(Buffer.from(parseCertificate(done.certificate!).spkiDer)).toEqual(Buffer.from(parseCertificate(pending.signer.certificate).spkiDer));
  });

  it('gets a certificate and a CRL by issuer and serial', async () => {
    const { client } = clientFor(fake);
    const enrolled = await enrollAs(client, keys[0]!);
    const identity = { certificate: enrolled.certificate!, privateKey: keys[0]!.privateKey };
    fake.revoke(parseCertificate(enrolled.certificate!).serialHex);
    const got = await client.getCert(issuerAndSerialOf(enrolled.certificate!), { signer: identity });
    expect(Buffer.from(got.certificate!)).toEqual(Buffer.from(enrolled.certificate!));
    const crl = await client.getCrl(issuerAndSerialOf(enrolled.certificate!), { signer: identity });
    const parsed = parseCrl(crl.crl!);
    expect(parsed.verify(fake.ca.certificate)).toBe(true);
    expect(parsed.entries.map((e) => e.serialHex)).toContain(parseCertificate(enrolled.certificate!).serialHex);
  });
});

describe('legacy ciphers', () => {
  it('reads a single-DES CertRep only under allowLegacyCiphers, and says so', async () => {
    const desFake = await createFake({ replyCipher: 'des-cbc' });
    await expect(enrollAs(clientFor(desFake).client, keys[0]!)).rejects.toSatisfy(
      (error) => error instanceof ScepLegacyCipherError && error.cipher === 'des-cbc' && error.direction === 'response' && /RFC 8894 §2\.9/.test(error.message),
    );
    const result = await enrollAs(clientFor(desFake, { allowLegacyCiphers: true }).client, keys[0]!);
    expect(result).toMatchObject({ status: PkiStatus.SUCCESS, cipher: 'aes-128-cbc', legacyCipherUsed: true });
    expect(result.reply.cipher).toBe('des-cbc');
  });

  it('refuses to send 3DES to a CA without AES unless allowed', async () => {
    const oldFake = await createFake({ caps: ['DES3', 'SHA-1', 'POSTPKIOperation'] });
    await expect(enrollAs(clientFor(oldFake).client, keys[0]!)).rejects.toMatchObject({ code: 'legacy-cipher', direction: 'request', cipher: 'des-ede3-cbc' });
    const result = await enrollAs(clientFor(oldFake, { allowLegacyCiphers: true }).client, keys[0]!);
    expect(result).toMatchObject({ status: PkiStatus.SUCCESS, cipher: 'des-ede3-cbc', digest: 'sha1', legacyCipherUsed: true });
  });
});

describe('CertRep checks and transport errors', () => {
  const tampered = async (options: FakeCaOptions) => clientFor(await createFake(options)).client;

  it('rejects a CertRep whose recipientNonce is not our senderNonce', async () => {
    const client = await tampered({ tamper: (input) => ({ ...input, recipientNonce: new Uint8Array(16) }) });
    await expect(enrollAs(client, keys[0]!)).rejects.toMatchObject({ name: 'ScepClientError', code: 'nonce-mismatch' });
  });

  it('rejects a CertRep with another transactionID', async () => {
    const client = await tampered({ tamper: (input) => ({ ...input, transactionId: 'someone else' }) });
    await expect(enrollAs(client, keys[0]!)).rejects.toMatchObject({ code: 'transaction-mismatch' });
  });

  it('rejects a CertRep signed by a certificate GetCACert did not name, unless told not to', async () => {
    const stranger = await CertificateAuthority.createRoot({ subject: 'CN=stranger', keys: keys[1]!, clock: new FixedClock(new Date()) });
    const strangerFake = await createFake({ tamper: (input) => ({ ...input, signer: { certificate: stranger.certificateDer, privateKey: stranger.privateKey } }) });
    await expect(enrollAs(clientFor(strangerFake).client, keys[0]!)).rejects.toMatchObject({ code: 'untrusted-signer' });
    const lenient = await enrollAs(clientFor(strangerFake, { requireKnownSigner: false }).client, keys[0]!);
    expect(lenient.reply.signerKnown).toBe(false);
  });

  it('turns an HTTP 500 answer into ScepClientError with status and body, and records it', async () => {
    const broken = await createFake({ override: () => new Response('ber2der: BER tag length is more than available data', { status: 500 }) });
    const { client, exchanges } = clientFor(broken);
    const error = await enrollAs(client, keys[0]!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScepClientError);
    expect(error).toMatchObject({ code: 'http-status', status: 500, body: 'ber2der: BER tag length is more than available data' });
    expect(exchanges.at(-1)!.label).toBe('PKIOperation PKCSReq → 500');
  });

  it('turns a 200 that is not a pkiMessage into bad-response', async () => {
    const broken = await createFake({ override: () => new Response('<html>login</html>', { status: 200, headers: { 'content-type': 'text/html' } }) });
    await expect(enrollAs(clientFor(broken).client, keys[0]!)).rejects.toMatchObject({ code: 'bad-response', contentType: 'text/html' });
  });

  it('times out a server that never answers', async () => {
    const hanging: FetchLike = (_input, init) =>
      new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    const { client, exchanges } = clientFor(fake, { fetch: hanging, timeoutMs: 30 });
    await expect(client.getCaCaps()).rejects.toMatchObject({ code: 'timeout' });
    expect(exchanges[0]).toMatchObject({ status: 0, label: 'GetCACaps → no answer', error: expect.stringMatching(/within 30 ms/) });
  });

  it('refuses a response body over the limit', async () => {
    const huge: FetchLike = async () => new Response(new Uint8Array(5000), { status: 200 });
    await expect(clientFor(fake, { fetch: huge, maxResponseBytes: 4096 }).client.getCaCert()).rejects.toMatchObject({ code: 'too-large' });
  });

  it('keeps the query of the configured URL', () => {
    const client = new ScepClient({ url: 'http://ca.test/certsrv/mscep/mscep.dll?tenant=a' });
    expect(client.transport.urlFor('GetCACert', 'x')).toBe('http://ca.test/certsrv/mscep/mscep.dll?tenant=a&operation=GetCACert&message=x');
  });
});
