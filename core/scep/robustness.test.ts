/** Hostile input: whatever arrives, the parsers answer with ScepError or ScepMalformedError, quickly. */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageType, PkiStatus } from './constants.js';
import { ScepError, ScepMalformedError } from './errors.js';
import { buildCertRep, buildRequest, parseCertRep, parseRequest } from './messages.js';
import { makeScepTestPki, type ScepTestPki } from './openssl-pki.test-support.js';

const SEED = 424_242;
let pki: ScepTestPki;
let request: Uint8Array;
let certRep: Uint8Array;
const requestNonce = new Uint8Array(16).fill(3);

beforeAll(async () => {
  pki = makeScepTestPki();
  request = (
    await buildRequest({
      request: { messageType: MessageType.PKCSReq, csr: pki.client.csr },
      transactionId: 'fuzz',
      signer: pki.client,
      recipients: [pki.ca.certificate],
    })
  ).der;
  certRep = await buildCertRep({
    transactionId: 'fuzz',
    recipientNonce: requestNonce,
    status: PkiStatus.SUCCESS,
    certificates: [pki.issued, pki.ca.certificate],
    encryptTo: pki.client.certificate,
    signer: pki.ca,
  });
});
afterAll(() => pki.remove());

/** Runs `parse`; fails the property on any throw other than the two SCEP errors, or on a slow answer. */
function outcome(parse: () => unknown): 'ok' | 'scep' | 'malformed' {
  const started = performance.now();
  try {
    parse();
    return 'ok';
  } catch (error) {
    if (error instanceof ScepError) return 'scep';
    if (error instanceof ScepMalformedError) return 'malformed';
    throw error;
  } finally {
    expect(performance.now() - started).toBeLessThan(1000);
  }
}

const parseReq = (der: Uint8Array) => () => parseRequest(der, { recipients: [pki.ca], allowLegacyCiphers: true });
const parseRep = (der: Uint8Array) => () =>
  parseCertRep(der, { expectedRecipientNonce: requestNonce, decryptWith: pki.client, allowLegacyCiphers: true });

/** DER-looking noise: a SEQUENCE header over random bytes, so the parser gets past the first octet. */
const derish = fc.uint8Array({ maxLength: 3000 }).map((body) => {
  const length = body.byteLength;
  const header = length < 128 ? [0x30, length] : length < 256 ? [0x30, 0x81, length] : [0x30, 0x82, length >> 8, length & 0xff];
  return Uint8Array.from([...header, ...body]);
});

function flipBits(der: Uint8Array, positions: number[]): Uint8Array {
  const copy = Uint8Array.from(der);
  for (const position of positions) copy[(position >> 3) % copy.byteLength]! ^= 1 << (position & 7);
  return copy;
}

describe('robustness', () => {
  it('arbitrary bytes into parseRequest and parseCertRep', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 3000 }), derish), (bytes) => {
        expect(outcome(parseReq(bytes))).not.toBe('ok');
        expect(outcome(parseRep(bytes))).not.toBe('ok');
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('bit-flipped PKCSReq', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (positions) => {
        // A flip in an unsigned part (the certificate's own signature, say) may still verify: then it must parse.
        seen.add(outcome(parseReq(flipBits(request, positions))));
      }),
      { seed: SEED, numRuns: 600 },
    );
    expect(seen.has('scep') || seen.has('malformed')).toBe(true);
  });

  it('bit-flipped CertRep', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (positions) => {
        outcome(parseRep(flipBits(certRep, positions)));
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('truncated and extended messages', () => {
    fc.assert(
      fc.property(fc.nat(), fc.uint8Array({ maxLength: 64 }), (cut, tail) => {
        const truncated = request.subarray(0, cut % request.byteLength);
        expect(outcome(parseReq(truncated))).not.toBe('ok');
        outcome(parseReq(Uint8Array.from([...request, ...tail])));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('deep nesting does not exhaust the stack', () => {
    const depth = 5000;
    const nested = new Uint8Array(depth * 2);
    for (let i = 0; i < depth; i++) {
      nested[2 * i] = 0x30;
      nested[2 * i + 1] = 0x80; // indefinite length, never closed
    }
    expect(outcome(parseReq(nested))).toBe('malformed');
  });
});
