/**
 * Hostile input into the server: arbitrary bytes and mutated valid messages, by POST and by GET, yield only
 * 200 with a CertRep FAILURE, or 400/413 with a reason — never a 500, a throw or a hang.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loopbackPeer } from '../http.js';
import { PkiStatus } from './constants.js';
import { parsePkiMessage } from './pki-message.js';
import { createScepServer, type ScepHandler } from './server.js';
import { BASE, csrFor, makeServerTestPki, pkcsReq, send, type ServerTestPki } from './server.test-support.js';
import { staticChallenge } from './policy-challenge.js';

const SEED = 8894;
let pki: ServerTestPki;
let handler: ScepHandler;
let valid: Uint8Array;

beforeAll(async () => {
  pki = await makeServerTestPki();
  handler = createScepServer({ ca: pki.ca, policies: [staticChallenge('pw')] });
  valid = (await send(handler, { request: pkcsReq(await csrFor(pki.alice)), signer: pki.alice, recipients: [pki.ca.certificateDer], transactionId: 'fuzz' })).der;
});

type Seen = 'certrep-failure' | 'certrep-success' | 'http-400' | 'http-413' | 'http-414';

/** Sends `der` and classifies the answer; fails on anything outside the allowed set. */
async function classify(response: Response): Promise<Seen> {
  const body = new Uint8Array(await response.arrayBuffer());
  if (response.status === 200) {
    expect(response.headers.get('content-type')).toBe('application/x-pki-message');
    const message = parsePkiMessage(body);
    // A flip in an unsigned, unencrypted part may leave the message valid (a CSR without challenge, say, fails on policy).
    return message.pkiStatus === PkiStatus.FAILURE ? 'certrep-failure' : 'certrep-success';
  }
  if (response.status === 400 || response.status === 413 || response.status === 414) {
    expect(Buffer.from(body).toString()).toMatch(/\S/);
    return `http-${response.status}` as Seen;
  }
  throw new Error(`unexpected HTTP ${response.status}: ${Buffer.from(body).toString()}`);
}

async function timed<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the server did not answer within 5 s')), 5000);
  });
  try {
    return await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}

const post = (bytes: Uint8Array) =>
  timed(handler(new Request(`${BASE}?operation=PKIOperation`, { method: 'POST', body: bytes as Uint8Array<ArrayBuffer> }), loopbackPeer)).then(classify);
const getRaw = (message: string) => timed(handler(new Request(`${BASE}?operation=PKIOperation&message=${message}`), loopbackPeer)).then(classify);

function flipBits(der: Uint8Array, positions: number[]): Uint8Array {
  const copy = Uint8Array.from(der);
  for (const position of positions) copy[(position >> 3) % copy.byteLength]! ^= 1 << (position & 7);
  return copy;
}

describe('server robustness', () => {
  it('arbitrary bytes by POST and GET', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
        expect(['http-400']).toContain(await post(bytes.byteLength ? bytes : new Uint8Array([0])));
        expect(['http-400']).toContain(await getRaw(encodeURIComponent(Buffer.from(bytes).toString('base64'))));
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('arbitrary query strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), fc.string({ maxLength: 50 }), async (message, operation) => {
        const response = await timed(
          handler(new Request(`${BASE}?operation=${encodeURIComponent(operation)}&message=${encodeURIComponent(message)}`), loopbackPeer),
        );
        expect([200, 400, 404]).toContain(response.status);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('bit-flipped valid requests by POST and GET', async () => {
    const seen = new Set<Seen>();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.boolean(), async (positions, byGet) => {
        const mutated = flipBits(valid, positions);
        seen.add(byGet ? await getRaw(Buffer.from(mutated).toString('base64').replace(/=/g, '%3D')) : await post(mutated));
      }),
      { seed: SEED, numRuns: 250 },
    );
    expect(seen.has('certrep-failure')).toBe(true);
    expect(seen.has('http-400')).toBe(true);
  });

  it('truncated and extended valid requests', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 64 }), async (cut, tail) => {
        const truncated = valid.subarray(0, 1 + (cut % (valid.byteLength - 1)));
        expect(await post(truncated)).toBe('http-400');
        await post(Uint8Array.from([...valid, ...tail]));
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});
