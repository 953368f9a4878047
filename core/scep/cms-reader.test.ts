/**
 * The fast CMS reader (cms-reader.ts) against the schema decode it shortcuts: on every message we build, on the
 * micromdm fixtures, on BER forms it must hand over, and on mutated messages (fast-check, fixed seed), both
 * readings agree: the same result, or both refuse.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../clock.js';
import { DerShapeError } from '../pki/der-reader.js';
import { buildCertsOnly } from './certs-only.js';
import { readEnvelope, readSignedData } from './cms-reader.js';
import { FailInfo, MessageType, PkiStatus } from './constants.js';
import { readEnvelopeParts, readEnvelopePartsWithSchema } from './envelope.js';
import { buildCertRep, buildRequest } from './messages.js';
import { makeScepTestPki, type ScepTestPki } from './openssl-pki.test-support.js';
import { parseSignedData, parseSignedDataWithSchema } from './signed-data.js';

const SEED = 707;
const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/micromdm-scep/', import.meta.url));
const fixtures = existsSync(join(FIXTURES, 'PKCSReq.der')) ? ['PKCSReq.der', 'CertRep.der'].map((name) => new Uint8Array(readFileSync(join(FIXTURES, name)))) : [];
if (fixtures.length === 0) console.warn(`cms-reader: skipping the micromdm fixtures: ${FIXTURES} is absent`);

/** Plain data for deep comparison: bytes as hex, class instances as plain objects, undefined fields dropped. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (value instanceof ArrayBuffer) return Buffer.from(new Uint8Array(value)).toString('hex');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'invalid date' : value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const field = (value as Record<string, unknown>)[key];
      if (field !== undefined && typeof field !== 'function') out[key] = plain(field);
    }
    return out;
  }
  return value;
}

type Outcome = { ok: unknown } | { error: string };

function outcome(read: () => unknown): Outcome {
  try {
    return { ok: plain(read()) };
  } catch (error) {
    return { error: (error as Error).constructor.name };
  }
}

function envelopeOutcome(der: Uint8Array, fast: boolean): Outcome {
  return outcome(() => {
    const parts = fast ? readEnvelopeParts(der) : readEnvelopePartsWithSchema(der);
    return { recipients: parts.recipients, algorithm: parts.contentEncryptionAlgorithm, ciphertext: parts.ciphertext() };
  });
}

/** The outer SEQUENCE re-encoded with an indefinite length (BER), which the fast reader must hand over. */
function indefinite(der: Uint8Array): Uint8Array {
  const first = der[1]!;
  const header = first < 0x80 ? 2 : 2 + (first & 0x7f);
  return Uint8Array.from([0x30, 0x80, ...der.subarray(header), 0, 0]);
}

let pki: ScepTestPki;
const messages: Array<{ name: string; der: Uint8Array }> = [];

beforeAll(async () => {
  pki = makeScepTestPki();
  const clock = new FixedClock(new Date('2031-05-06T07:08:09Z'));
  const request = (cipher: 'aes-128-cbc' | 'aes-256-cbc' | 'des-ede3-cbc', extra: object = {}) =>
    buildRequest({
      request: { messageType: MessageType.PKCSReq, csr: pki.client.csr },
      transactionId: `tx-${cipher}`,
      signer: pki.client,
      recipients: [pki.ca.certificate],
      cipher,
      allowLegacyCiphers: true,
      ...extra,
    }).then((built) => built.der);
  messages.push(
    { name: 'PKCSReq AES-128', der: await request('aes-128-cbc') },
    { name: 'PKCSReq AES-256 with signingTime, two recipients', der: await request('aes-256-cbc', { clock, recipients: [pki.ca.certificate, pki.ra.certificate] }) },
    { name: 'PKCSReq 3DES with RSAES-OAEP', der: await request('des-ede3-cbc', { keyTransport: { scheme: 'rsaes-oaep', hash: 'sha256' } }) },
    {
      name: 'GetCert',
      der: (
        await buildRequest({
          request: { messageType: MessageType.GetCert, issuer: new Uint8Array([0x30, 0]), serialNumber: new Uint8Array([1]) },
          transactionId: 'get',
          signer: pki.client,
          recipients: [pki.ra.certificate],
        })
      ).der,
    },
    {
      name: 'CertRep SUCCESS with chain',
      der: await buildCertRep({
        transactionId: 'tx',
        recipientNonce: new Uint8Array(16).fill(1),
        status: PkiStatus.SUCCESS,
        certificates: [pki.issued, pki.ca.certificate],
        encryptTo: pki.client.certificate,
        signer: pki.ra,
        extraCertificates: [pki.ca.certificate],
        clock,
      }),
    },
    {
      name: 'CertRep FAILURE with text',
      der: await buildCertRep({ transactionId: 'tx', recipientNonce: new Uint8Array(8), status: PkiStatus.FAILURE, failInfo: FailInfo.badRequest, failInfoText: 'nope', signer: pki.ca, digest: 'sha512' }),
    },
    { name: 'CertRep PENDING', der: await buildCertRep({ transactionId: 'tx', recipientNonce: new Uint8Array(16), status: PkiStatus.PENDING, signer: pki.ca }) },
    { name: 'certs-only with a CRL', der: buildCertsOnly({ certificates: [pki.ca.certificate, pki.ra.certificate], crls: [pki.crl] }) },
    ...fixtures.map((der, i) => ({ name: `micromdm fixture ${i}`, der })),
  );
});
afterAll(() => pki.remove());

describe('fast CMS reader', () => {
  it('reads every message we build by the fast path, to the same result as the schema decode', () => {
    for (const { name, der } of messages) {
      if (!name.startsWith('micromdm')) expect(() => readSignedData(der), name).not.toThrow();
      expect(outcome(() => parseSignedData(der)), name).toEqual(outcome(() => parseSignedDataWithSchema(der)));
    }
  });

  it('reads every envelope we build to the same parts as the schema decode', () => {
    for (const { name, der } of messages) {
      const content = parseSignedDataWithSchema(der).content;
      if (!content || name.startsWith('certs-only')) continue;
      if (!name.startsWith('micromdm')) expect(() => readEnvelope(content), name).not.toThrow();
      expect(envelopeOutcome(content, true), name).toEqual(envelopeOutcome(content, false));
    }
  });

  it('hands BER (indefinite lengths) to the schema decode, which reads it', () => {
    for (const { name, der } of messages.slice(0, 4)) {
      const ber = indefinite(der);
      expect(() => readSignedData(ber), name).toThrow(DerShapeError);
      expect(outcome(() => parseSignedData(ber)), name).toEqual(outcome(() => parseSignedDataWithSchema(ber)));
    }
  });

  it('agrees with the schema decode on mutated messages', () => {
    const bases = messages.map((message) => message.der);
    const mutation = fc.record({
      base: fc.integer({ min: 0, max: bases.length - 1 }),
      edits: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(mutation, ({ base, edits }) => {
        const der = new Uint8Array(bases[base]!);
        for (const edit of edits) der[edit.at % der.length] = edit.value;
        const fast = outcome(() => parseSignedData(der));
        const slow = outcome(() => parseSignedDataWithSchema(der));
        // A refusal may be worded differently only if both refuse.
        if ('error' in fast || 'error' in slow) expect('error' in fast && 'error' in slow).toBe(true);
        else expect(fast).toEqual(slow);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('agrees with the schema decode on mutated envelopes', () => {
    const envelopes = messages.flatMap((message) => {
      const content = parseSignedDataWithSchema(message.der).content;
      return content && !message.name.startsWith('certs-only') ? [content] : [];
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: envelopes.length - 1 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (index, at, value) => {
        const der = new Uint8Array(envelopes[index]!);
        der[at % der.length] = value;
        const fast = envelopeOutcome(der, true);
        const slow = envelopeOutcome(der, false);
        expect(fast).toEqual(slow);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });
});
