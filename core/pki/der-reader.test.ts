/**
 * The fast DER paths of core/pki against the schema library they shortcut: der-reader's primitives, the CSR
 * reader, and the Name reader and writer. On well-formed input both agree exactly; on mutated input (fast-check,
 * fixed seed) the fast path either agrees or hands over, so the outcome never differs.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCsr, readCsrFields, readCsrFieldsWithSchema } from './csr.js';
import { childrenOf, DerShapeError, expectTlv, readOid, readTlv, smallInteger, TAGS } from './der-reader.js';
import { oid, smallInteger as writeInteger } from './der-writer.js';
import { generateKeyPair, type KeyPair } from './keys.js';
import { decodeName, decodeNameWithSchema, encodeName, encodeNameWithSchema } from './name-der.js';
import type { Rdn } from './name-attributes.js';
import { DistinguishedName } from './names.js';

const SEED = 4711;

function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (value instanceof ArrayBuffer) return Buffer.from(new Uint8Array(value)).toString('hex');
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

type Outcome = { ok: unknown } | { error: true };
const outcome = (read: () => unknown): Outcome => {
  try {
    return { ok: plain(read()) };
  } catch {
    return { error: true };
  }
};
/** The fast reader with its fallback, as the production code calls it. */
const withFallback = <T>(fast: () => T, slow: () => T): T => {
  try {
    return fast();
  } catch (error) {
    if (error instanceof DerShapeError) return slow();
    throw error;
  }
};

describe('der-reader primitives', () => {
  it('reads short and long lengths, and refuses indefinite lengths and overruns', () => {
    const long = Uint8Array.from([0x04, 0x81, 0x80, ...new Uint8Array(128)]);
    expect(readTlv(long, 0)).toEqual({ tag: 0x04, offset: 0, start: 3, end: 131 });
    expect(() => readTlv(Uint8Array.of(0x30, 0x80, 0, 0), 0)).toThrow(DerShapeError);
    expect(() => readTlv(Uint8Array.of(0x30, 0x05, 0), 0)).toThrow(DerShapeError);
    expect(() => readTlv(Uint8Array.of(0x1f, 0x01, 0), 0)).toThrow(DerShapeError);
    const sequence = Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x05, 0x05, 0x00, 0x01);
    expect(() => childrenOf(sequence, expectTlv(sequence, 0, sequence.length, TAGS.sequence))).toThrow(DerShapeError);
  });

  it('decodes what der-writer encodes: OIDs and small integers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 39 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { maxLength: 8 }),
        fc.integer({ min: 0, max: 0x7fffffff }),
        (first, second, rest, integer) => {
          const dotted = [first, second, ...rest].join('.');
          const der = oid(dotted);
          expect(readOid(der, readTlv(der, 0))).toBe(dotted);
          const int = writeInteger(integer);
          expect(smallInteger(int, readTlv(int, 0))).toBe(integer);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('fast CSR reader', () => {
  let rsa: KeyPair;
  let ec: KeyPair;
  const csrs: Uint8Array[] = [];
  beforeAll(async () => {
    [rsa, ec] = await Promise.all([generateKeyPair({ type: 'rsa', bits: 2048 }), generateKeyPair({ type: 'ec', curve: 'P-256' })]);
    csrs.push(
      await buildCsr({ subject: 'CN=device 42,O=mdmca', privateKey: rsa.privateKey, challengePassword: 'secret' }),
      await buildCsr({ subject: 'CN=Jürgen+UID=7,O=x,C=DE', privateKey: rsa.privateKey, challengePassword: 'pässwört', hash: 'sha512' }),
      await buildCsr({
        subject: '/C=US/O=x/CN=ec',
        privateKey: ec.privateKey,
        subjectAltNames: [{ type: 'dns', value: 'a.example' }],
        keyUsage: ['digitalSignature'],
        extendedKeyUsage: ['1.3.6.1.5.5.7.3.2'],
      }),
      await buildCsr({ subject: 'CN=no attributes', privateKey: rsa.privateKey, hash: 'sha1' }),
    );
  });

  it('reads the CSRs we build exactly as the schema decode does', () => {
    for (const csr of csrs) expect(plain(readCsrFields(csr))).toEqual(plain(readCsrFieldsWithSchema(csr)));
  });

  it('agrees with the schema decode on mutated CSRs', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), (pick, edits) => {
        const der = new Uint8Array(csrs[pick % csrs.length]!);
        for (const [at, value] of edits) der[at % der.length] = value;
        expect(outcome(() => withFallback(() => readCsrFields(der), () => readCsrFieldsWithSchema(der)))).toEqual(
          outcome(() => readCsrFieldsWithSchema(der)),
        );
      }),
      { seed: SEED, numRuns: 600 },
    );
  });
});

describe('fast Name reader and writer', () => {
  const names = ['CN=device 42,O=mdmca', 'CN=a+UID=b,OU=x,O=y,C=US', 'CN=Jürgen,emailAddress=a@b.c', 'CN=x,serialNumber=123', ''].map((text) =>
    DistinguishedName.parse(text),
  );

  it('reads and writes names exactly as the schema library does', () => {
    for (const name of names) {
      expect(Buffer.from(encodeName(name.rdns))).toEqual(Buffer.from(encodeNameWithSchema(name.rdns)));
      expect(decodeName(name.der)).toEqual(decodeNameWithSchema(name.der));
    }
  });

  it('writes any printable, UTF-8 or IA5 name as the schema library does', () => {
    const attribute = fc.record({
      type: fc.constantFrom('2.5.4.3', '2.5.4.10', '2.5.4.11', '0.9.2342.19200300.100.1.1'),
      stringType: fc.constantFrom('utf8' as const, 'printable' as const, 'ia5' as const),
      value: fc.string({ minLength: 1, maxLength: 20 }),
    });
    fc.assert(
      fc.property(fc.array(fc.array(attribute, { minLength: 1, maxLength: 3 }), { maxLength: 4 }), (rdns: Rdn[]) => {
        expect(outcome(() => encodeName(rdns))).toEqual(outcome(() => encodeNameWithSchema(rdns)));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('agrees with the schema decode on mutated names', () => {
    const ders = names.map((name) => name.der).filter((der) => der.length > 2);
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (pick, at, value) => {
        const der = new Uint8Array(ders[pick % ders.length]!);
        der[at % der.length] = value;
        expect(outcome(() => decodeName(der))).toEqual(outcome(() => decodeNameWithSchema(der)));
      }),
      { seed: SEED, numRuns: 600 },
    );
  });
});
