import { constants, publicEncrypt, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../clock.js';
import type { HashName } from '../pki/algorithms.js';
import { certificateFields } from './cert-fields.js';
import { CONTENT_CIPHER_NAMES, type ContentCipherName } from './ciphers.js';
import { decode, EnvelopedDataContentInfo } from './cms-schema.js';
import { CMS_OID, FailInfo, MessageType, PkiStatus, REQUEST_MESSAGE_TYPES, SCEP_OID } from './constants.js';
import { buildEnvelope } from './envelope.js';
import { ENVELOPE_DECRYPTION_FAILED, ScepError } from './errors.js';
import { buildCertRep, buildRequest, parseCertRep, parseRequest, type RequestPayload } from './messages.js';
import { buildPkiMessage, parsePkiMessage } from './pki-message.js';
import { octetString, printableString } from './asn1-build.js';
import { attribute, buildSignedData } from './signed-data.js';
import { makeScepTestPki, type ScepTestPki } from './openssl-pki.test-support.js';

const SEED = 20_200_901;
const DIGESTS: HashName[] = ['sha1', 'sha256', 'sha512'];
let pki: ScepTestPki;

beforeAll(() => {
  pki = makeScepTestPki();
});
afterAll(() => pki.remove());

const transactionIds = fc.stringMatching(/^[A-Za-z0-9+/=]{1,64}$/);
const nonces = fc.option(fc.uint8Array({ minLength: 16, maxLength: 16 }), { nil: undefined });
const serials = fc.uint8Array({ minLength: 1, maxLength: 20 }).map((bytes) => {
  bytes[0] = 1 + ((bytes[0] ?? 0) % 0x7f); // a positive, minimally encoded INTEGER
  return bytes;
});

function payloadFor(messageType: (typeof REQUEST_MESSAGE_TYPES)[number], serial: Uint8Array): RequestPayload {
  const ca = certificateFields(pki.ca.certificate);
  switch (messageType) {
    case MessageType.PKCSReq:
    case MessageType.RenewalReq:
      return { messageType, csr: pki.client.csr };
    case MessageType.CertPoll:
      return { messageType, issuer: ca.subject, subject: certificateFields(pki.client.certificate).subject };
    case MessageType.GetCert:
    case MessageType.GetCRL:
      return { messageType, issuer: ca.subject, serialNumber: serial };
  }
}

const combos = (types: readonly number[]) =>
  types.flatMap((messageType) => CONTENT_CIPHER_NAMES.flatMap((cipher) => DIGESTS.map((digest) => ({ messageType, cipher, digest }))));

describe('request round trips: every messageType × cipher × digest', () => {
  it.each(combos(REQUEST_MESSAGE_TYPES))('$messageType / $cipher / $digest', async ({ messageType, cipher, digest }) => {
    await fc.assert(
      fc.asyncProperty(transactionIds, nonces, serials, fc.boolean(), async (transactionId, senderNonce, serial, toRa) => {
        const request = payloadFor(messageType as (typeof REQUEST_MESSAGE_TYPES)[number], serial);
        const built = await buildRequest({
          request,
          transactionId,
          ...(senderNonce ? { senderNonce } : {}),
          signer: pki.client,
          recipients: [toRa ? pki.ra.certificate : pki.ca.certificate],
          cipher: cipher as ContentCipherName,
          digest,
          allowLegacyCiphers: true,
        });
        expect(built.senderNonce.byteLength).toBe(16);
        if (senderNonce) expect(built.senderNonce).toEqual(senderNonce);
        const parsed = parseRequest(built.der, { recipients: [pki.ca, pki.ra], allowLegacyCiphers: true });
        expect(parsed.messageType).toBe(messageType);
        expect(parsed.transactionId).toBe(transactionId);
        expect(Buffer.from(parsed.senderNonce)).toEqual(Buffer.from(built.senderNonce));
        expect(parsed.digest).toBe(digest);
        expect(parsed.cipher).toBe(cipher);
        expect(parsed.legacyCipher).toBe(cipher.startsWith('des'));
        expect(Buffer.from(parsed.signerCertificate)).toEqual(Buffer.from(pki.client.certificate));
        expect(parsed.payload).toEqual(request);
      }),
      { seed: SEED, numRuns: 2 },
    );
  });
});

describe('CertRep round trips: every status × cipher × digest', () => {
  it.each(combos([MessageType.CertRep]))('CertRep / $cipher / $digest', async ({ cipher, digest }) => {
    await fc.assert(
      fc.asyncProperty(
        transactionIds,
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.constantFrom(PkiStatus.SUCCESS, PkiStatus.FAILURE, PkiStatus.PENDING),
        fc.constantFrom(FailInfo.badAlg, FailInfo.badMessageCheck, FailInfo.badRequest, FailInfo.badTime, FailInfo.badCertId),
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        fc.boolean(),
        async (transactionId, requestNonce, status, failInfo, failInfoText, withCrl) => {
          const der = await buildCertRep({
            transactionId,
            recipientNonce: requestNonce,
            status,
            failInfo,
            ...(failInfoText !== undefined ? { failInfoText } : {}),
            certificates: [pki.issued, pki.ca.certificate],
            ...(withCrl ? { crls: [pki.crl] } : {}),
            encryptTo: pki.client.certificate,
            signer: pki.ca,
            cipher: cipher as ContentCipherName,
            digest,
            allowLegacyCiphers: true,
          });
          const reply = parseCertRep(der, {
            expectedRecipientNonce: requestNonce,
            expectedTransactionId: transactionId,
            decryptWith: pki.client,
            allowLegacyCiphers: true,
          });
          expect(reply.status).toBe(status);
          expect(reply.transactionId).toBe(transactionId);
          expect(reply.digest).toBe(digest);
          expect(reply.senderNonce?.byteLength).toBe(16);
          expect(Buffer.from(reply.senderNonce!)).not.toEqual(Buffer.from(requestNonce));
          expect(Buffer.from(reply.signerCertificate)).toEqual(Buffer.from(pki.ca.certificate));
          if (status === PkiStatus.SUCCESS) {
            expect(reply.cipher).toBe(cipher);
            expect(reply.certificates.map((c) => Buffer.from(c))).toEqual([Buffer.from(pki.issued), Buffer.from(pki.ca.certificate)]);
            expect(reply.crls.map((c) => Buffer.from(c))).toEqual(withCrl ? [Buffer.from(pki.crl)] : []);
          } else {
            expect(reply.certificates).toEqual([]);
            expect(reply.cipher).toBeUndefined();
          }
          if (status === PkiStatus.FAILURE) {
            expect(reply.failInfo).toBe(failInfo);
            expect(reply.failInfoText).toBe(failInfoText);
          } else {
            expect(reply.failInfo).toBeUndefined();
          }
          // FAILURE and PENDING carry no envelope at all (RFC 8894 §3.3.2).
          expect(parsePkiMessage(der).envelope === undefined).toBe(status !== PkiStatus.SUCCESS);
        },
      ),
      { seed: SEED, numRuns: 3 },
    );
  });
});

describe('CertRep checks made by the requester', () => {
  const certRep = () =>
    buildCertRep({
      transactionId: 'tx-1',
      recipientNonce: new Uint8Array(16).fill(1),
      status: PkiStatus.SUCCESS,
      certificates: [pki.issued],
      encryptTo: pki.client.certificate,
      signer: pki.ca,
    });

  it('rejects a recipientNonce that is not the request senderNonce', async () => {
    const der = await certRep();
    expect(() => parseCertRep(der, { expectedRecipientNonce: new Uint8Array(16).fill(2), decryptWith: pki.client })).toThrow(
      /recipientNonce does not match/,
    );
  });

  it('rejects another transactionID when one is expected', async () => {
    const der = await certRep();
    const options = { expectedRecipientNonce: new Uint8Array(16).fill(1), decryptWith: pki.client };
    expect(parseCertRep(der, { ...options, expectedTransactionId: 'tx-1' }).status).toBe(PkiStatus.SUCCESS);
    expect(() => parseCertRep(der, { ...options, expectedTransactionId: 'tx-2' })).toThrow(/transactionID does not match/);
  });

  it('refuses 3DES replies unless legacy ciphers are allowed', async () => {
    const der = await buildCertRep({
      transactionId: 'tx-1',
      recipientNonce: new Uint8Array(16).fill(1),
      status: PkiStatus.SUCCESS,
      certificates: [pki.issued],
      encryptTo: pki.client.certificate,
      signer: pki.ca,
      cipher: 'des-ede3-cbc',
      allowLegacyCiphers: true,
    });
    expect(() => parseCertRep(der, { expectedRecipientNonce: new Uint8Array(16).fill(1), decryptWith: pki.client })).toThrow(
      expect.objectContaining({ failInfo: FailInfo.badAlg }),
    );
  });

  it('does not take a request for a CertRep, nor the reverse', async () => {
    const request = await buildRequest({
      request: { messageType: MessageType.PKCSReq, csr: pki.client.csr },
      transactionId: 't',
      signer: pki.client,
      recipients: [pki.ca.certificate],
    });
    expect(() => parseCertRep(request.der, { expectedRecipientNonce: request.senderNonce, decryptWith: pki.client })).toThrow(
      expect.objectContaining({ failInfo: FailInfo.badRequest }),
    );
    const reply = await buildCertRep({ transactionId: 't', recipientNonce: request.senderNonce, status: PkiStatus.PENDING, signer: pki.ca });
    expect(() => parseRequest(reply, { recipients: [pki.ca] })).toThrow(expect.objectContaining({ failInfo: FailInfo.badRequest }));
  });
});

describe('signers and attributes', () => {
  it('verifies EC signers (ecdsa-with-SHA256) and writes signingTime from the clock', async () => {
    const clock = new FixedClock(new Date('2031-02-03T04:05:06.789Z'));
    const built = await buildRequest({
      request: { messageType: MessageType.PKCSReq, csr: pki.client.csr },
      transactionId: 'ec',
      signer: pki.ecClient,
      recipients: [pki.ca.certificate],
      clock,
    });
    const parsed = parseRequest(built.der, { recipients: [pki.ca] });
    expect(Buffer.from(parsed.signerCertificate)).toEqual(Buffer.from(pki.ecClient.certificate));
    expect(parsed.signingTime?.toISOString()).toBe('2031-02-03T04:05:06.000Z');
    expect(parsed.signerPublicKey.asymmetricKeyType).toBe('ec');
  });

  it('answers badRequest for missing mandatory attributes, with what it could read', async () => {
    const envelope = buildEnvelope(pki.client.csr, [pki.ca.certificate]);
    const withoutNonce = await buildSignedData({
      content: envelope,
      signer: pki.client,
      digest: 'sha256',
      attributes: [attribute(SCEP_OID.messageType, printableString('19')), attribute(SCEP_OID.transactionID, printableString('abc'))],
    });
    try {
      parseRequest(withoutNonce, { recipients: [pki.ca] });
      expect.unreachable();
    } catch (error) {
      expect((error as ScepError).failInfo).toBe(FailInfo.badRequest);
      expect((error as ScepError).context).toMatchObject({ transactionId: 'abc', messageType: 19 });
    }
    const withoutTransaction = await buildSignedData({
      content: envelope,
      signer: pki.client,
      digest: 'sha256',
      attributes: [attribute(SCEP_OID.messageType, printableString('19')), attribute(SCEP_OID.senderNonce, octetString(new Uint8Array(16)))],
    });
    expect(() => parseRequest(withoutTransaction, { recipients: [pki.ca] })).toThrow(/transactionID attribute is missing/);
    const unknownType = await buildPkiMessage({
      messageType: 18 as MessageType,
      transactionId: 'x',
      senderNonce: new Uint8Array(16),
      envelope,
      signer: pki.client,
      digest: 'sha256',
    });
    expect(() => parseRequest(unknownType, { recipients: [pki.ca] })).toThrow(/unsupported messageType 18/);
  });

  it('answers badMessageCheck when the content or the signature was altered', async () => {
    const built = await buildRequest({
      request: { messageType: MessageType.PKCSReq, csr: pki.client.csr },
      transactionId: 'tamper',
      signer: pki.client,
      recipients: [pki.ca.certificate],
    });
    const message = parsePkiMessage(built.der);
    const envelopeAt = Buffer.from(built.der).indexOf(Buffer.from(message.envelope!));
    const content = Uint8Array.from(built.der);
    content[envelopeAt + message.envelope!.byteLength - 1]! ^= 1;
    expect(() => parseRequest(content, { recipients: [pki.ca] })).toThrow(/messageDigest does not match/);
    const signature = Uint8Array.from(built.der);
    signature[signature.byteLength - 1]! ^= 1; // the signature is the last field of the message
    expect(() => parseRequest(signature, { recipients: [pki.ca] })).toThrow(/signature does not verify/);
  });
});

describe('implicit rejection through the whole request path', () => {
  /** A PKCSReq whose envelope carries `encryptedKey` instead of the real one, properly signed. */
  async function requestWithEncryptedKey(make: (real: Uint8Array) => Uint8Array): Promise<Uint8Array> {
    const envelope = buildEnvelope(pki.client.csr, [pki.ca.certificate]);
    const ktri = decode(envelope, EnvelopedDataContentInfo, 'envelope').content.recipientInfos[0]!.ktri!;
    const real = new Uint8Array(ktri.encryptedKey.buffer);
    const tampered = Buffer.from(envelope);
    tampered.set(make(real), tampered.indexOf(Buffer.from(real)));
    return buildPkiMessage({
      messageType: MessageType.PKCSReq,
      transactionId: 'oracle',
      senderNonce: new Uint8Array(16),
      envelope: new Uint8Array(tampered),
      signer: pki.client,
      digest: 'sha256',
    });
  }

  function failureOf(der: Uint8Array): ScepError {
    try {
      parseRequest(der, { recipients: [pki.ca] });
    } catch (error) {
      if (error instanceof ScepError) return error;
      throw error;
    }
    throw new Error('expected the request to fail');
  }

  it('reports corrupted PKCS#1 padding exactly like a wrong content key', async () => {
    const publicKey = certificateFields(pki.ca.certificate).publicKey;
    const badPadding = await requestWithEncryptedKey(() => {
      const em = new Uint8Array(256).fill(0x33);
      em[0] = 0;
      em[1] = 1; // block type 1: not an encryption block
      return new Uint8Array(publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, em));
    });
    const wrongKey = await requestWithEncryptedKey(() => new Uint8Array(publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, randomBytes(16))));
    const garbage = await requestWithEncryptedKey(() => new Uint8Array(randomBytes(256)));
    const failures = [failureOf(badPadding), failureOf(wrongKey), failureOf(garbage)];
    for (const failure of failures) {
      expect(failure.failInfo).toBe(FailInfo.badMessageCheck);
      expect(failure.failInfoText).toBe(ENVELOPE_DECRYPTION_FAILED);
      expect(failure.message).toBe(failures[0]!.message);
      expect(failure.context.transactionId).toBe('oracle');
    }
  });
});

describe('content types', () => {
  it('writes id-data as the content type of every layer', async () => {
    const built = await buildRequest({
      request: { messageType: MessageType.GetCRL, issuer: certificateFields(pki.ca.certificate).subject, serialNumber: new Uint8Array([1]) },
      transactionId: 't',
      signer: pki.client,
      recipients: [pki.ca.certificate],
    });
    const envelope = decode(parsePkiMessage(built.der).envelope!, EnvelopedDataContentInfo, 'envelope');
    expect(envelope.contentType).toBe(CMS_OID.envelopedData);
    expect(envelope.content.encryptedContentInfo.contentType).toBe(CMS_OID.data);
  });
});
