/** The SCEP server's operations, driven through its Fetch handler with the codec as the client. */
import { beforeAll, describe, expect, it } from 'vitest';
import { loopbackPeer } from '../http.js';
import { parseCertificate } from '../pki/certificate.js';
import { generateKeyPair } from '../pki/keys.js';
import { selfSignedCertificate } from '../pki/ca.js';
import { buildCsr } from '../pki/csr.js';
import { certificateFields } from './cert-fields.js';
import { parseCertsOnly, parseNextCaCert } from './certs-only.js';
import { FailInfo, MessageType, PkiStatus } from './constants.js';
import { MemoryScepDepot } from './depot.js';
import { httpRefusal } from './policy.js';
import { createScepServer, decodeGetMessage, DEFAULT_CAPS, type ScepExchange, type ScepServerOptions } from './server.js';
import {
  BASE,
  csrFor,
  get,
  makeServerTestPki,
  pkcsReq,
  readReply,
  send,
  sendDer,
  type ServerTestPki,
} from './server.test-support.js';

let pki: ServerTestPki;
beforeAll(async () => {
  pki = await makeServerTestPki();
});

const server = (options: Partial<ScepServerOptions> = {}) => createScepServer({ ca: pki.ca, ...options });
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const caDer = () => pki.ca.certificateDer;

describe('GetCACaps', () => {
  it('lists the default capabilities as text/plain, one per line', async () => {
    const response = await get(server(), 'operation=GetCACaps');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const words = (await response.text()).split('\n');
    expect(words).toEqual([...DEFAULT_CAPS]);
    expect(words).not.toContain('GetNextCACert');
    expect(words).not.toContain('DES3');
  });

  it('adds GetNextCACert when the depot knows a next CA, and writes CRLF when asked', async () => {
    const depot = new MemoryScepDepot({ nextCa: [pki.root.certificateDer] });
    const body = await (await get(server({ depot, capsLineEnding: '\r\n' }), 'operation=GetCACaps')).text();
    expect(body.split('\r\n')).toContain('GetNextCACert');
  });

  it('accepts the operation name in any case, and Apple\'s empty message parameter', async () => {
    expect((await get(server(), 'operation=getcacaps&message=')).status).toBe(200);
  });
});

describe('GetCACert', () => {
  it('one CA alone: its DER as application/x-x509-ca-cert', async () => {
    const response = await get(server({ identity: { caCertificate: caDer(), caKey: pki.ca.privateKey } }), 'operation=GetCACert&message=any');
    expect(response.headers.get('content-type')).toBe('application/x-x509-ca-cert');
    expect(hex(new Uint8Array(await response.arrayBuffer()))).toBe(hex(caDer()));
  });

  it('with parents: a certs-only PKCS#7 of the CA and its chain', async () => {
    const response = await get(server(), 'operation=GetCACert');
    expect(response.headers.get('content-type')).toBe('application/x-x509-ca-ra-cert');
    const certs = parseCertsOnly(new Uint8Array(await response.arrayBuffer())).certificates.map(hex);
    expect(certs).toEqual([hex(caDer()), hex(pki.root.certificateDer)]);
  });

  it('with an RA: RA, CA and chain', async () => {
    const identity = { caCertificate: caDer(), caKey: pki.ca.privateKey, caChain: [pki.root.certificateDer], ra: pki.ra };
    const response = await get(server({ identity }), 'operation=GetCACert');
    expect(response.headers.get('content-type')).toBe('application/x-x509-ca-ra-cert');
    const certs = parseCertsOnly(new Uint8Array(await response.arrayBuffer())).certificates.map(hex);
    expect(certs).toEqual([hex(pki.ra.certificate), hex(caDer()), hex(pki.root.certificateDer)]);
  });

  it('refuses an EC CA without an RSA RA: nobody could encrypt to it', async () => {
    const { CertificateAuthority } = await import('../pki/ca.js');
    const ec = await CertificateAuthority.createRoot({ subject: 'CN=ec ca', keys: { type: 'ec', curve: 'P-256' }, clock: pki.clock });
    expect(() => createScepServer({ ca: ec })).toThrow(/EC CA needs an RSA RA/);
  });

  it('refuses an RA key that does not match its certificate', () => {
    const identity = { caCertificate: caDer(), caKey: pki.ca.privateKey, ra: { certificate: pki.ra.certificate, privateKey: pki.alice.privateKey } };
    expect(() => server({ identity })).toThrow(/RA key does not belong/);
  });
});

describe('GetNextCACert', () => {
  it('404 with a reason when there is no next CA', async () => {
    const response = await get(server(), 'operation=GetNextCACert');
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/no next CA/);
  });

  it('the next CA, signed by the current CA key', async () => {
    const depot = new MemoryScepDepot({ nextCa: [pki.root.certificateDer] });
    const response = await get(server({ depot }), 'operation=GetNextCACert');
    expect(response.headers.get('content-type')).toBe('application/x-x509-next-ca-cert');
    const next = parseNextCaCert(new Uint8Array(await response.arrayBuffer()), caDer());
    expect(next.certificates.map(hex)).toEqual([hex(pki.root.certificateDer)]);
  });
});

describe('HTTP errors', () => {
  it('unknown or missing operation: 400 naming the supported operations', async () => {
    for (const query of ['operation=Enroll', '', 'message=abc']) {
      const response = await get(server(), query);
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/GetCACaps, GetCACert, GetNextCACert, PKIOperation/);
    }
  });

  it('405 for other methods', async () => {
    const response = await server()(new Request(`${BASE}?operation=GetCACaps`, { method: 'PUT' }), loopbackPeer);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toMatch(/GET/);
  });

  it('413 over 1 MiB, declared or streamed', async () => {
    const big = new Uint8Array(1024 * 1024 + 1);
    const declared = await server()(new Request(`${BASE}?operation=PKIOperation`, { method: 'POST', body: big }), loopbackPeer);
    expect(declared.status).toBe(413);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(300 * 1024));
        controller.close();
      },
    });
    const streamed = await server()(
      new Request(`${BASE}?operation=PKIOperation`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit),
      loopbackPeer,
    );
    expect(streamed.status).toBe(413);
  });

  it('400 for an empty body, a missing or non-base64 message, and bytes that are no pkiMessage', async () => {
    const post = (body: Uint8Array) => server()(new Request(`${BASE}?operation=PKIOperation`, { method: 'POST', body: body as Uint8Array<ArrayBuffer> }), loopbackPeer);
    expect((await post(new Uint8Array(0))).status).toBe(400);
    expect((await get(server(), 'operation=PKIOperation')).status).toBe(400);
    expect((await get(server(), 'operation=PKIOperation&message=%%%')).status).toBe(400);
    const junk = await post(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]));
    expect(junk.status).toBe(400);
    expect(await junk.text()).toMatch(/malformed pkiMessage/);
  });
});

describe('GET message decoding', () => {
  it('reads standard, percent-escaped, macOS, space-for-plus, wrapped and base64url forms alike', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xbf, 0x01, 0x02]); // base64 "+/+/AQI=" has both + and /
    const b64 = Buffer.from(bytes).toString('base64');
    expect(b64).toBe('+/+/AQI=');
    for (const raw of [encodeURIComponent(b64), '+/+/AQI%3D', '%20/%20/AQI=', '+/+/\nAQI=', '-_-_AQI', '%2B%2F%2B%2FAQI%3d']) {
      expect(hex(decodeGetMessage(raw.replace('\\n', '%0A')))).toBe(hex(bytes));
    }
    expect(() => decodeGetMessage('')).toThrow(/needs a base64/);
    expect(() => decodeGetMessage('ab*c')).toThrow(/not base64/);
    expect(() => decodeGetMessage('abcde')).toThrow(/not base64/);
  });
});

describe('PKIOperation PKCSReq', () => {
  it('issues over POST: nonces, transactionID, signer and the certificate are right', async () => {
    const exchanges: ScepExchange[] = [];
    const handler = server({ onExchange: (e) => exchanges.push(e) });
    const output = await send(handler, {
      request: pkcsReq(await csrFor(pki.alice, { cn: 'alice device' })),
      signer: pki.alice,
      recipients: [caDer()],
      transactionId: 'tx-post',
    });
    expect(output.response.headers.get('content-type')).toBe('application/x-pki-message');
    const reply = readReply(output, pki.alice);
    expect(reply.status).toBe(PkiStatus.SUCCESS);
    expect(reply.transactionId).toBe('tx-post');
    expect(hex(reply.recipientNonce)).toBe(hex(output.senderNonce));
    expect(hex(reply.senderNonce!)).not.toBe(hex(output.senderNonce));
    expect(hex(reply.signerCertificate)).toBe(hex(caDer()));
    expect(reply.cipher).toBe('aes-128-cbc');
    expect(reply.certificates).toHaveLength(1);
    const issued = parseCertificate(reply.certificates[0]!);
    expect(issued.subject.toString()).toBe('CN=alice device,O=mdmca');
    expect(issued.verifySignedBy(pki.ca.certificate)).toBe(true);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).toMatchObject({
      operation: 'PKIOperation',
      method: 'POST',
      httpStatus: 200,
      messageType: 'PKCSReq',
      pkiStatus: 'SUCCESS',
      transactionId: 'tx-post',
      legacyCipher: false,
      serialHex: issued.serialHex,
    });
    expect(exchanges[0]!.timings.issueMs).toBeGreaterThan(0);
  });

  it.each(['get', 'get-macos'] as const)('issues over GET (%s encoding)', async (via) => {
    const output = await send(server(), {
      request: pkcsReq(await csrFor(pki.alice)),
      signer: pki.alice,
      recipients: [caDer()],
      transactionId: `tx-${via}`,
      via,
    });
    expect(readReply(output, pki.alice).status).toBe(PkiStatus.SUCCESS);
  });

  it('accepts spaces for plus signs in a GET message', async () => {
    const handler = server();
    for (let i = 0; i < 8; i++) {
      const output = await send(handler, { request: pkcsReq(await csrFor(pki.alice)), signer: pki.alice, recipients: [caDer()], transactionId: `sp-${i}` });
      const b64 = Buffer.from(output.der).toString('base64');
      if (!b64.includes('+')) continue;
      const response = await get(handler, `operation=PKIOperation&message=${b64.replace(/\+/g, '%20')}`);
      expect(response.status).toBe(200);
      return;
    }
    throw new Error('no request with a "+" in its base64 in 8 tries');
  });

  it('mirrors the cipher and digest of the request', async () => {
    const output = await send(server(), {
      request: pkcsReq(await csrFor(pki.alice)),
      signer: pki.alice,
      recipients: [caDer()],
      transactionId: 'tx-mirror',
      cipher: 'aes-256-cbc',
      digest: 'sha512',
    });
    const reply = readReply(output, pki.alice);
    expect(reply.cipher).toBe('aes-256-cbc');
    expect(reply.digest).toBe('sha512');
  });

  it('refuses 3DES by default with FAILURE badAlg, and answers it in kind with allowLegacyCiphers', async () => {
    const request = pkcsReq(await csrFor(pki.alice));
    const refused = readReply(
      await send(server(), { request, signer: pki.alice, recipients: [caDer()], transactionId: 'tx-3des', cipher: 'des-ede3-cbc', digest: 'sha1' }),
      pki.alice,
    );
    expect(refused).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badAlg });
    expect(refused.failInfoText).toMatch(/legacy/);

    const exchanges: ScepExchange[] = [];
    const legacy = server({ allowLegacyCiphers: true, onExchange: (e) => exchanges.push(e) });
    for (const cipher of ['des-ede3-cbc', 'des-cbc'] as const) {
      const reply = readReply(
        await send(legacy, { request, signer: pki.alice, recipients: [caDer()], transactionId: `tx-${cipher}`, cipher, digest: 'sha1' }),
        pki.alice,
      );
      expect(reply).toMatchObject({ status: PkiStatus.SUCCESS, cipher, digest: 'sha1' });
    }
    expect(exchanges.map((e) => [e.cipher, e.legacyCipher])).toEqual([
      ['des-ede3-cbc', true],
      ['des-cbc', true],
    ]);
  });

  it('with an RA: requests to the RA or the CA open, and CertReps are signed by the RA', async () => {
    const identity = { caCertificate: caDer(), caKey: pki.ca.privateKey, ra: pki.ra };
    const handler = server({ identity });
    for (const recipient of [pki.ra.certificate, caDer()]) {
      const output = await send(handler, {
        request: pkcsReq(await csrFor(pki.alice)),
        signer: pki.alice,
        recipients: [recipient],
        transactionId: `tx-ra-${hex(recipient).slice(-8)}`,
      });
      const reply = readReply(output, pki.alice);
      expect(reply.status).toBe(PkiStatus.SUCCESS);
      expect(hex(reply.signerCertificate)).toBe(hex(pki.ra.certificate));
    }
  });

  it('answers a repeated transactionID with the same certificate, and refuses it for another key', async () => {
    const handler = server();
    const csr = await csrFor(pki.alice);
    const first = readReply(await send(handler, { request: pkcsReq(csr), signer: pki.alice, recipients: [caDer()], transactionId: 'tx-again' }), pki.alice);
    const second = readReply(await send(handler, { request: pkcsReq(csr), signer: pki.alice, recipients: [caDer()], transactionId: 'tx-again' }), pki.alice);
    expect(hex(second.certificates[0]!)).toBe(hex(first.certificates[0]!));
    const other = readReply(
      await send(handler, { request: pkcsReq(await csrFor(pki.bob)), signer: pki.bob, recipients: [caDer()], transactionId: 'tx-again' }),
      pki.bob,
    );
    expect(other).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badRequest });
    expect(other.failInfoText).toMatch(/already in use/);
  });

  it('two concurrent requests with one transactionID get one certificate', async () => {
    const handler = server();
    const csr = await csrFor(pki.alice);
    const [a, b] = await Promise.all(
      [0, 1].map(async () => readReply(await send(handler, { request: pkcsReq(csr), signer: pki.alice, recipients: [caDer()], transactionId: 'tx-race' }), pki.alice)),
    );
    expect(hex(a!.certificates[0]!)).toBe(hex(b!.certificates[0]!));
  });

  it('FAILURE badMessageCheck for an envelope it cannot open and for a CSR whose signature fails', async () => {
    const handler = server();
    const wrongRecipient = readReply(
      await send(handler, { request: pkcsReq(await csrFor(pki.alice)), signer: pki.alice, recipients: [pki.bob.certificate], transactionId: 'tx-wrong' }),
      pki.alice,
    );
    expect(wrongRecipient.failInfo).toBe(FailInfo.badMessageCheck);

    const csr = await csrFor(pki.alice);
    csr[csr.length - 1]! ^= 0xff;
    const badCsr = readReply(await send(handler, { request: pkcsReq(csr), signer: pki.alice, recipients: [caDer()], transactionId: 'tx-badcsr' }), pki.alice);
    expect(badCsr).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badMessageCheck, failInfoText: 'the CSR signature does not verify' });
  });

  it('FAILURE badRequest for a CSR that cannot be read', async () => {
    const reply = readReply(
      await send(server(), { request: pkcsReq(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])), signer: pki.alice, recipients: [caDer()], transactionId: 'tx-junk' }),
      pki.alice,
    );
    expect(reply).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badRequest });
    expect(reply.failInfoText).toMatch(/CSR cannot be read/);
  });

  it('FAILURE badTime when signingTime is too far from the clock (when configured)', async () => {
    const handler = server({ maxSigningTimeSkewSeconds: 60 });
    const { buildRequest } = await import('./messages.js');
    const { FixedClock } = await import('../clock.js');
    const built = await buildRequest({
      request: pkcsReq(await csrFor(pki.alice)),
      transactionId: 'tx-time',
      signer: pki.alice,
      recipients: [caDer()],
      clock: new FixedClock(new Date(pki.clock.now().getTime() - 3_600_000)),
    });
    const response = await sendDer(handler, built.der);
    const reply = readReply({ response, body: new Uint8Array(await response.arrayBuffer()), senderNonce: built.senderNonce, der: built.der }, pki.alice);
    expect(reply).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badTime });
  });

  it('an EC requester gets FAILURE badAlg: a reply cannot be encrypted to an EC certificate', async () => {
    const keys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
    const cert = await selfSignedCertificate({ subject: 'CN=ec', privateKey: keys.privateKey, publicKey: keys.publicKey, clock: pki.clock });
    const csr = await buildCsr({ subject: 'CN=ec', privateKey: keys.privateKey, publicKey: keys.publicKey });
    const output = await send(server(), { request: pkcsReq(csr), signer: { certificate: cert.der, privateKey: keys.privateKey }, recipients: [caDer()], transactionId: 'tx-ec' });
    const { parsePkiMessage } = await import('./pki-message.js');
    const message = parsePkiMessage(output.body);
    expect(message.failInfo).toBe(FailInfo.badAlg);
  });

  it('a depot that throws still gets the client a signed FAILURE, never a 500', async () => {
    const depot = new MemoryScepDepot();
    depot.getTransaction = () => {
      throw new Error('disk on fire');
    };
    const output = await send(server({ depot }), { request: pkcsReq(await csrFor(pki.alice)), signer: pki.alice, recipients: [caDer()], transactionId: 'tx-fire' });
    expect(output.response.status).toBe(200);
    expect(readReply(output, pki.alice)).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badRequest });
  });

  it('a policy may answer with a vendor HTTP refusal instead of a CertRep', async () => {
    const handler = server({ policies: [async () => httpRefusal(412, 'Passcode is either redeemed or locked')] });
    const output = await send(handler, { request: pkcsReq(await csrFor(pki.alice)), signer: pki.alice, recipients: [caDer()], transactionId: 'tx-412' });
    expect(output.response.status).toBe(412);
    expect(Buffer.from(output.body).toString()).toBe('Passcode is either redeemed or locked');
  });
});

describe('PKIOperation GetCert, GetCRL, CertPoll', () => {
  const issuerAndSerial = (serialHex: string) => ({ issuer: certificateFields(caDer()).subject, serialNumber: new Uint8Array(Buffer.from(serialHex, 'hex')) });

  it('GetCert returns an issued certificate by issuer and serial; unknown ones are FAILURE badCertId', async () => {
    const handler = server();
    const issued = readReply(await send(handler, { request: pkcsReq(await csrFor(pki.alice)), signer: pki.alice, recipients: [caDer()], transactionId: 'tx-gc' }), pki.alice);
    const serialHex = parseCertificate(issued.certificates[0]!).serialHex;
    const found = readReply(
      await send(handler, { request: { messageType: MessageType.GetCert, ...issuerAndSerial(serialHex) }, signer: pki.alice, recipients: [caDer()], transactionId: 'gc-1' }),
      pki.alice,
    );
    expect(hex(found.certificates[0]!)).toBe(hex(issued.certificates[0]!));
    const missing = readReply(
      await send(handler, { request: { messageType: MessageType.GetCert, ...issuerAndSerial('0badbeef') }, signer: pki.alice, recipients: [caDer()], transactionId: 'gc-2' }),
      pki.alice,
    );
    expect(missing).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badCertId });
    const foreign = readReply(
      await send(handler, {
        request: { messageType: MessageType.GetCert, issuer: certificateFields(pki.root.certificateDer).subject, serialNumber: new Uint8Array([1]) },
        signer: pki.alice,
        recipients: [caDer()],
        transactionId: 'gc-3',
      }),
      pki.alice,
    );
    expect(foreign.failInfo).toBe(FailInfo.badCertId);
  });

  it('GetCRL returns the depot CRL, or FAILURE when there is none', async () => {
    const depot = new MemoryScepDepot();
    const handler = server({ depot });
    const request = { messageType: MessageType.GetCRL, ...issuerAndSerial('01') } as const;
    const none = readReply(await send(handler, { request, signer: pki.alice, recipients: [caDer()], transactionId: 'crl-1' }), pki.alice);
    expect(none).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badRequest, failInfoText: 'this CA publishes no CRL' });
    const { buildCrl } = await import('../pki/crl.js');
    depot.crlDer = await buildCrl({ ca: pki.ca, entries: [], crlNumber: 1 });
    const some = readReply(await send(handler, { request, signer: pki.alice, recipients: [caDer()], transactionId: 'crl-2' }), pki.alice);
    expect(some.status).toBe(PkiStatus.SUCCESS);
    expect(hex(some.crls[0]!)).toBe(hex(depot.crlDer));
  });

  it('CertPoll for an unknown transaction is FAILURE badCertId', async () => {
    const fields = certificateFields(pki.alice.certificate);
    const reply = readReply(
      await send(server(), {
        request: { messageType: MessageType.CertPoll, issuer: certificateFields(caDer()).subject, subject: fields.subject },
        signer: pki.alice,
        recipients: [caDer()],
        transactionId: 'never-seen',
      }),
      pki.alice,
    );
    expect(reply).toMatchObject({ status: PkiStatus.FAILURE, failInfo: FailInfo.badCertId });
  });
});
